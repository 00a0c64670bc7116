//! The stampede: residents, each with a card of their own, rush for one counter's first open
//! day through the real HTTP flow (availability → hold → book). Then, unless quick, the same
//! flow is kept up over the following weeks to measure booking throughput, and the pgbench
//! ceiling runs at the same concurrency.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use diesel::prelude::*;
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;

use crate::api::{open_slots, Api};
use crate::ceiling::{self, Ceiling};
use crate::server::{CpuUse, Server};
use crate::stats::{AnswerCount, Recorder, StepFigures};
use crate::throughput;
use madoguchi::domain::consistency::{self as check, Consistency};

pub const LOCATION: &str = "0102";
pub const PROCEDURE: &str = "pickup";
/// Counters whose slots the ceiling run uses, untouched by the measured run.
const CEILING_LOCATIONS: [&str; 4] = ["0101", "0103", "0104", "0105"];

pub struct Options {
    pub residents: usize,
    pub concurrency: usize,
    pub sustain_seconds: u64,
    pub quick: bool,
}

#[derive(Serialize, Clone, Debug)]
pub struct Rush {
    pub day: NaiveDate,
    pub places: i64,
    pub residents: usize,
    pub booked: usize,
    pub day_full: usize,
    pub gave_up: usize,
    pub seconds: f64,
    /// Bookings made per second until the last place was taken.
    pub bookings_per_second: f64,
    pub steps: Vec<StepFigures>,
    pub answers: Vec<AnswerCount>,
    /// Bookings the database holds for the day, against what the residents were told.
    pub bookings_in_database: i64,
}

#[derive(Serialize, Clone, Debug)]
pub struct Sustained {
    pub cpu: CpuUse,
    pub seconds: f64,
    pub booked: usize,
    pub bookings_per_second: f64,
    pub steps: Vec<StepFigures>,
    pub answers: Vec<AnswerCount>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Report {
    pub concurrency: usize,
    pub rush: Rush,
    pub sustained: Option<Sustained>,
    /// The booking request alone (a known time, the card), as the ceiling's transaction.
    pub direct: Option<Sustained>,
    pub ceiling: Option<Ceiling>,
    pub consistency: Consistency,
    pub server_peak_rss_mib: f64,
    pub failures: u64,
}

impl Report {
    /// Every guarantee held: nothing overbooked or miscounted, no card twice, each booking
    /// the residents were told of is in the database, and the server never failed.
    pub fn holds(&self) -> bool {
        self.consistency.holds()
            && self.rush.bookings_in_database == self.rush.booked as i64
            && self.failures == 0
    }
}

#[derive(QueryableByName)]
struct Card {
    #[diesel(sql_type = diesel::sql_types::Text)]
    number: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    birth_date: NaiveDate,
}

/// Imports `count` generated cards into the demo city and returns those to be picked up at
/// the stampede's counter that can be booked.
fn cards(server: &Server, count: usize) -> anyhow::Result<Vec<(String, NaiveDate)>> {
    let file = server.var_dir.join("cards.csv");
    let generator = crate::repo_root().join("load-tests/generate_cards.py");
    let status = std::process::Command::new("python3")
        .arg(&generator)
        .arg(count.to_string())
        .arg(&file)
        .status()
        .context("python3 load-tests/generate_cards.py")?;
    if !status.success() {
        bail!("generate_cards.py failed");
    }
    server.cli(
        &[
            "cards",
            "import",
            "--tenant",
            "demo",
            &file.to_string_lossy(),
        ],
        &[],
    )?;
    let mut conn = server.connect()?;
    let cards: Vec<Card> = diesel::sql_query(
        "SELECT c.reservation_number AS number, c.birth_date
           FROM card_records c JOIN locations l ON l.id = c.location_id
          WHERE c.tenant_id = (SELECT id FROM tenants WHERE code = 'demo') AND l.code = $1
            AND c.status IN ('received', 'notified') AND c.reservation_number IS NOT NULL
          ORDER BY c.id",
    )
    .bind::<diesel::sql_types::Text, _>(LOCATION)
    .load(&mut conn)?;
    Ok(cards
        .into_iter()
        .map(|c| (c.number, c.birth_date))
        .collect())
}

/// Days from `from` to `to` with places left online, from one availability answer.
async fn open_days(api: &Api, from: NaiveDate, to: NaiveDate) -> anyhow::Result<Vec<NaiveDate>> {
    let answer = api
        .get(
            "setup",
            &format!(
                "/api/v1/demo/availability?location={LOCATION}&procedure={PROCEDURE}&from={from}&to={to}"
            ),
        )
        .await;
    if answer.status != 200 {
        bail!("availability answered {}: {}", answer.status, answer.text);
    }
    let mut days: Vec<NaiveDate> = open_slots(&answer.json)
        .iter()
        .filter_map(|(_, start)| start.get(..10)?.parse().ok())
        .collect();
    days.dedup();
    Ok(days)
}

pub enum Outcome {
    Booked,
    DayFull,
    GaveUp,
}

/// One resident: looks at the day, holds one of its first open times, books it with the
/// card; a time taken meanwhile sends them back to the day (five tries in all).
pub async fn resident(
    api: &Api,
    day: NaiveDate,
    card: &(String, NaiveDate),
    email: &str,
) -> Outcome {
    for _ in 0..5 {
        let availability = api
            .get(
                "availability",
                &format!(
                    "/api/v1/demo/availability?location={LOCATION}&procedure={PROCEDURE}&from={day}&to={day}"
                ),
            )
            .await;
        let open = open_slots(&availability.json);
        if availability.status == 200 && open.is_empty() {
            return Outcome::DayFull;
        }
        if open.is_empty() {
            return Outcome::GaveUp;
        }
        // Most residents want the earliest times.
        let pick = open[rand::thread_rng().gen_range(0..open.len().min(3))].0;
        let hold = api
            .post_json(
                "hold",
                "/api/v1/demo/holds",
                &json!({ "slot_id": pick, "procedure": PROCEDURE, "places": 1 }),
            )
            .await;
        if hold.status != 201 {
            if hold.code() == "slot_full" {
                continue;
            }
            return Outcome::GaveUp;
        }
        let booked = api
            .post_json(
                "book",
                "/api/v1/demo/bookings",
                &json!({
                    "hold_token": hold.json["hold_token"],
                    "procedure": PROCEDURE,
                    "members": [{ "number": card.0, "birth_date": card.1.to_string() }],
                    "contact": { "email": email },
                }),
            )
            .await;
        match (booked.status, booked.code()) {
            (201, _) => return Outcome::Booked,
            (409, "slot_full" | "hold_expired") => continue,
            _ => return Outcome::GaveUp,
        }
    }
    Outcome::GaveUp
}

async fn rush(
    server: &Server,
    cards: &[(String, NaiveDate)],
    day: NaiveDate,
    options: &Options,
) -> anyhow::Result<Rush> {
    let recorder = Arc::new(Recorder::default());
    let api = Api::new(&server.base, recorder.clone());
    let gate = Arc::new(Semaphore::new(options.concurrency));
    let outcomes = Arc::new(Mutex::new((0usize, 0usize, 0usize)));
    let last_booking = Arc::new(Mutex::new(Duration::ZERO));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, card) in cards.iter().take(options.residents).cloned().enumerate() {
        let (api, gate, outcomes, last_booking) = (
            api.clone(),
            gate.clone(),
            outcomes.clone(),
            last_booking.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _turn = gate.acquire_owned().await;
            let outcome = resident(&api, day, &card, &format!("r{i}@load.example")).await;
            let mut counts = outcomes.lock().unwrap();
            match outcome {
                Outcome::Booked => {
                    counts.0 += 1;
                    *last_booking.lock().unwrap() = started.elapsed();
                }
                Outcome::DayFull => counts.1 += 1,
                Outcome::GaveUp => counts.2 += 1,
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (booked, day_full, gave_up) = *outcomes.lock().unwrap();
    let filled_in = last_booking.lock().unwrap().as_secs_f64();
    #[derive(QueryableByName)]
    struct Day {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        places: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        bookings: i64,
    }
    let mut conn = server.connect()?;
    let totals: Day = diesel::sql_query(
        "SELECT coalesce(sum(s.web_capacity), 0)::bigint AS places,
                (SELECT count(*) FROM bookings b JOIN slots t ON t.id = b.slot_id
                  WHERE t.location_id = l.id AND b.status = 'booked'
                    AND (t.starts_at AT TIME ZONE 'Asia/Tokyo')::date = $2) AS bookings
           FROM slots s JOIN locations l ON l.id = s.location_id
          WHERE l.code = $1 AND l.tenant_id = (SELECT id FROM tenants WHERE code = 'demo')
            AND (s.starts_at AT TIME ZONE 'Asia/Tokyo')::date = $2 AND NOT s.closed
          GROUP BY l.id",
    )
    .bind::<diesel::sql_types::Text, _>(LOCATION)
    .bind::<diesel::sql_types::Date, _>(day)
    .get_result(&mut conn)?;
    Ok(Rush {
        day,
        places: totals.places,
        residents: options.residents.min(cards.len()),
        booked,
        day_full,
        gave_up,
        seconds,
        bookings_per_second: booked as f64 / filled_in.max(f64::EPSILON),
        steps: recorder.steps(),
        answers: recorder.answers(),
        bookings_in_database: totals.bookings,
    })
}

pub async fn run(server: &Server, options: &Options) -> anyhow::Result<Report> {
    // About a fifth of the generated cards wait at the stampede's counter.
    let card_count = if options.quick {
        options.residents * 6
    } else {
        150_000
    };
    let mut cards = cards(server, card_count)?;
    if cards.len() < options.residents {
        bail!(
            "only {} cards at counter {LOCATION}; {} residents need one each",
            cards.len(),
            options.residents
        );
    }
    let setup = Api::new(&server.base, Arc::new(Recorder::default()));
    let today = crate::today_in_tokyo();
    let days = open_days(&setup, today, today + chrono::Duration::days(59)).await?;
    let Some(&day) = days.first() else {
        bail!("counter {LOCATION} has no open day in the next 60 days");
    };
    let rush = rush(server, &cards, day, options).await?;
    let mut failures = rush
        .answers
        .iter()
        .filter(|a| a.answer.starts_with('5') || a.answer == "no_answer")
        .map(|a| a.count)
        .sum::<u64>();
    let mut rest = cards.split_off(options.residents);
    let (sustained, direct) = if options.quick {
        (None, None)
    } else {
        throughput::make_room_after(server, day)?;
        let later: Vec<NaiveDate> = days.into_iter().filter(|d| *d > day).collect();
        let for_direct = rest.split_off(rest.len() / 2);
        let (sustained, sustained_failures) =
            throughput::keep_booking(server, rest, options, throughput::whole_flow(later.clone()))
                .await?;
        let slots =
            throughput::open_slot_ids(&setup, later[0], *later.last().unwrap_or(&later[0])).await?;
        let (direct, direct_failures) =
            throughput::keep_booking(server, for_direct, options, throughput::known_time(slots))
                .await?;
        failures += sustained_failures + direct_failures;
        (Some(sustained), Some(direct))
    };
    let mut conn = server.connect()?;
    let consistency = check::check(&mut conn, "demo")?;
    let peak = server.peak_rss_kib()? as f64 / 1024.0;
    // The ceiling last, so its bookings do not count in the checks of the measured run.
    let ceiling = if options.quick {
        None
    } else {
        Some(ceiling::measure(
            server,
            "demo",
            PROCEDURE,
            &CEILING_LOCATIONS,
            options.concurrency,
            options.sustain_seconds,
        )?)
    };
    Ok(Report {
        concurrency: options.concurrency,
        rush,
        sustained,
        direct,
        ceiling,
        consistency,
        server_peak_rss_mib: peak,
        failures,
    })
}
