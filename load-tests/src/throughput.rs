//! The stampede's throughput phases: after the rush, residents keep booking later days of
//! the same counter, through the whole flow or one request at a time, so that booking
//! throughput can be set against the pgbench ceiling.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::NaiveDate;
use rand::Rng;
use serde_json::json;

use crate::api::{open_slots, Api};
use crate::server::Server;
use crate::stampede::{resident, Options, Outcome, Sustained, LOCATION, PROCEDURE};
use crate::stats::Recorder;

/// Places on the counter's days after `day` for the throughput runs: from then on its
/// timetable has 40 places a slot instead of 8, so that neither run fills the counter. The
/// rush day keeps the demo's 28 × 8.
pub fn make_room_after(server: &Server, day: NaiveDate) -> anyhow::Result<()> {
    let demo = madoguchi::cli::DEMO_TENANT;
    let next_counter = "[[locations]]\ncode = \"0103\"";
    let Some(at) = demo.find(next_counter) else {
        bail!("the demo tenant file has changed: no counter 0103 after {LOCATION}");
    };
    let roomier = format!(
        "{}[[locations.lanes.timetables]]\neffective_from = {}\nslot_minutes = 15\ncapacity = 40\n\
         [locations.lanes.timetables.hours]\nweekdays = [\"09:00-12:00\", \"13:00-17:00\"]\n\n{}",
        &demo[..at],
        day + chrono::Duration::days(1),
        &demo[at..]
    );
    let file = server.var_dir.join("demo-with-room.toml");
    std::fs::write(&file, roomier)?;
    server.cli(&["tenant", "apply", &file.to_string_lossy()], &[])?;
    Ok(())
}

/// Open slots of the counter from `from` to `to`, for booking known times.
pub async fn open_slot_ids(api: &Api, from: NaiveDate, to: NaiveDate) -> anyhow::Result<Vec<i64>> {
    let answer = api
        .get(
            "setup",
            &format!(
                "/api/v1/demo/availability?location={LOCATION}&procedure={PROCEDURE}&from={from}&to={to}"
            ),
        )
        .await;
    let slots: Vec<i64> = open_slots(&answer.json)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if slots.is_empty() {
        bail!("no open slots for the direct bookings");
    }
    Ok(slots)
}

type Identity = (String, NaiveDate);
type Attempt =
    Arc<dyn Fn(Api, usize, Identity) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// `concurrency` clients, one resident after another, each with a fresh card, for the run's
/// seconds (or until the cards run out); `attempt` books once and says whether it did.
pub async fn keep_booking(
    server: &Server,
    cards: Vec<Identity>,
    options: &Options,
    attempt: Attempt,
) -> anyhow::Result<(Sustained, u64)> {
    let recorder = Arc::new(Recorder::default());
    let api = Api::new(&server.base, recorder.clone());
    let cards = Arc::new(cards);
    let next_card = Arc::new(AtomicUsize::new(0));
    let booked = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(options.sustain_seconds);
    let cpu_before = server.cpu_ticks();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency {
        let (api, cards, next_card, booked, attempt) = (
            api.fresh_session(),
            cards.clone(),
            next_card.clone(),
            booked.clone(),
            attempt.clone(),
        );
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let i = next_card.fetch_add(1, Ordering::Relaxed);
                let Some(card) = cards.get(i) else { break };
                if attempt(api.clone(), i, card.clone()).await {
                    booked.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let cpu = server.cpu_ticks().since(&cpu_before);
    let seconds = started.elapsed().as_secs_f64();
    let booked = booked.load(Ordering::Relaxed);
    Ok((
        Sustained {
            cpu,
            seconds,
            booked,
            bookings_per_second: booked as f64 / seconds,
            steps: recorder.steps(),
            answers: recorder.answers(),
        },
        recorder.failures(),
    ))
}

/// The whole flow for a random open time on a random day of `days`.
pub fn whole_flow(days: Vec<NaiveDate>) -> Attempt {
    let days = Arc::new(days);
    Arc::new(move |api: Api, i: usize, card: Identity| {
        let days = days.clone();
        Box::pin(async move {
            let day = days[rand::thread_rng().gen_range(0..days.len())];
            matches!(
                resident(&api, day, &card, &format!("s{i}@load.example")).await,
                Outcome::Booked
            )
        })
    })
}

/// One booking request for a random time of `slots`: one transaction, as the ceiling's.
pub fn known_time(slots: Vec<i64>) -> Attempt {
    let slots = Arc::new(slots);
    Arc::new(move |api: Api, i: usize, card: Identity| {
        let slots = slots.clone();
        Box::pin(async move {
            let slot = slots[rand::thread_rng().gen_range(0..slots.len())];
            let answer = api
                .post_json(
                    "book a known time",
                    "/api/v1/demo/bookings",
                    &json!({
                        "slot_id": slot,
                        "procedure": PROCEDURE,
                        "members": [{ "number": card.0, "birth_date": card.1.to_string() }],
                        "contact": { "email": format!("d{i}@load.example") },
                    }),
                )
                .await;
            answer.status == 201
        })
    })
}
