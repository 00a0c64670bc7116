//! A mixed day in a city open around the clock: residents browse, book, move and cancel
//! through the JSON interface while counter clerks check in today's visitors in the console.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::NaiveDate;
use rand::Rng;
use serde::Serialize;
use serde_json::json;

use crate::api::{csrf_of, open_slots, Api};
use crate::server::Server;
use crate::stats::{AnswerCount, Recorder, StepFigures};
use madoguchi::domain::consistency::{self as check, Consistency};

const TENANT: &str = "loadtown";
const LOCATION: &str = "0001";
const CLERKS: usize = 2;
const CLERK_PASSWORD: &str = "Load-Test#2026";

#[derive(Serialize, Clone, Debug)]
pub struct Mixed {
    pub concurrency: usize,
    pub clerks: usize,
    pub seconds: f64,
    pub requests: usize,
    pub requests_per_second: f64,
    pub booked: usize,
    pub moved: usize,
    pub cancelled: usize,
    pub checked_in: usize,
    pub steps: Vec<StepFigures>,
    pub answers: Vec<AnswerCount>,
    pub failures: u64,
    pub consistency: Consistency,
    pub server_peak_rss_mib: f64,
}

impl Mixed {
    pub fn holds(&self) -> bool {
        self.consistency.holds() && self.failures == 0
    }
}

#[derive(Default)]
struct Counts {
    booked: AtomicUsize,
    moved: AtomicUsize,
    cancelled: AtomicUsize,
    checked_in: AtomicUsize,
}

fn availability_path(day: NaiveDate) -> String {
    format!("/api/v1/{TENANT}/availability?location={LOCATION}&procedure=apply&from={day}&to={day}")
}

fn random_day(today: NaiveDate) -> NaiveDate {
    today + chrono::Duration::days(rand::thread_rng().gen_range(1..=14))
}

fn pick(open: &[(i64, String)]) -> Option<i64> {
    (!open.is_empty()).then(|| open[rand::thread_rng().gen_range(0..open.len())].0)
}

/// A resident's booking: its code, the address that proves it is theirs, and its slot.
type Mine = (String, String, i64);

/// Availability, hold and booking of a random open time on `day`: the code and slot, if
/// booked.
async fn book(api: &Api, day: NaiveDate, email: &str, step_prefix: &str) -> Option<(String, i64)> {
    let availability = api
        .get(
            &format!("{step_prefix}availability"),
            &availability_path(day),
        )
        .await;
    let slot = pick(&open_slots(&availability.json))?;
    let hold = api
        .post_json(
            &format!("{step_prefix}hold"),
            &format!("/api/v1/{TENANT}/holds"),
            &json!({ "slot_id": slot, "procedure": "apply" }),
        )
        .await;
    if hold.status != 201 {
        return None;
    }
    let booked = api
        .post_json(
            &format!("{step_prefix}book"),
            &format!("/api/v1/{TENANT}/bookings"),
            &json!({
                "hold_token": hold.json["hold_token"], "procedure": "apply",
                "party_size": 1, "contact": { "email": email },
            }),
        )
        .await;
    (booked.status == 201).then(|| {
        (
            booked.json["code"].as_str().unwrap_or("").to_string(),
            booked.json["slot_id"].as_i64().unwrap_or(0),
        )
    })
}

/// Today's visitors for the clerks: bookings made directly on today's remaining times.
async fn book_today(api: &Api, today: NaiveDate, wanted: usize) -> Vec<String> {
    let availability = api.get("setup", &availability_path(today)).await;
    let mut codes = Vec::new();
    for (slot, _) in open_slots(&availability.json) {
        for _ in 0..10 {
            if codes.len() >= wanted {
                return codes;
            }
            let booked = api
                .post_json(
                    "setup",
                    &format!("/api/v1/{TENANT}/bookings"),
                    &json!({
                        "slot_id": slot, "procedure": "apply", "party_size": 1,
                        "contact": { "email": format!("today{}@load.example", codes.len()) },
                    }),
                )
                .await;
            if let Some(code) = booked.json["code"].as_str() {
                codes.push(code.to_string());
            }
        }
    }
    codes
}

async fn resident(
    api: Api,
    today: NaiveDate,
    deadline: Instant,
    pool: Arc<Mutex<Vec<Mine>>>,
    counts: Arc<Counts>,
    next: Arc<AtomicUsize>,
) {
    while Instant::now() < deadline {
        let roll = rand::thread_rng().gen_range(0..100);
        let mine = || {
            let mut pool = pool.lock().unwrap();
            (!pool.is_empty()).then(|| {
                let i = rand::thread_rng().gen_range(0..pool.len());
                pool.swap_remove(i)
            })
        };
        match roll {
            0..=49 => {
                api.get(
                    "browse: availability",
                    &availability_path(random_day(today)),
                )
                .await;
            }
            50..=69 => {
                let email = format!("m{}@load.example", next.fetch_add(1, Ordering::Relaxed));
                if let Some((code, slot)) = book(&api, random_day(today), &email, "book: ").await {
                    counts.booked.fetch_add(1, Ordering::Relaxed);
                    pool.lock().unwrap().push((code, email, slot));
                }
            }
            70..=79 => {
                let Some((code, email, mut at)) = mine() else {
                    continue;
                };
                let availability = api
                    .get("move: availability", &availability_path(random_day(today)))
                    .await;
                // A move goes to another time than the booking's own.
                let mut open = open_slots(&availability.json);
                open.retain(|(slot, _)| *slot != at);
                if let Some(slot) = pick(&open) {
                    let moved = api
                        .send(
                            "move",
                            api.client
                                .patch(api.url(&format!("/api/v1/{TENANT}/bookings/{code}")))
                                .header("X-Contact", &email)
                                .json(&json!({ "slot_id": slot })),
                        )
                        .await;
                    if moved.status == 200 {
                        counts.moved.fetch_add(1, Ordering::Relaxed);
                        at = slot;
                    }
                }
                pool.lock().unwrap().push((code, email, at));
            }
            80..=89 => {
                let Some((code, email, _)) = mine() else {
                    continue;
                };
                let cancelled = api
                    .send(
                        "cancel",
                        api.client
                            .delete(api.url(&format!("/api/v1/{TENANT}/bookings/{code}")))
                            .header("X-Contact", &email),
                    )
                    .await;
                if cancelled.status == 200 {
                    counts.cancelled.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {
                let Some((code, email, at)) = mine() else {
                    continue;
                };
                api.send(
                    "view booking",
                    api.client
                        .get(api.url(&format!("/api/v1/{TENANT}/bookings/{code}")))
                        .header("X-Contact", &email),
                )
                .await;
                pool.lock().unwrap().push((code, email, at));
            }
        }
    }
}

async fn clerk_login(api: &Api, login: &str) -> anyhow::Result<()> {
    let page = api.get("setup", &format!("/{TENANT}/staff/login")).await;
    let csrf = csrf_of(&page.text).unwrap_or_default();
    let answer = api
        .post_form(
            "setup",
            &format!("/{TENANT}/staff/login"),
            &[
                ("csrf", &csrf),
                ("login", login),
                ("password", CLERK_PASSWORD),
            ],
        )
        .await;
    if answer.status != 303 {
        bail!("clerk {login} could not log in ({})", answer.status);
    }
    Ok(())
}

async fn clerk(
    api: Api,
    deadline: Instant,
    visitors: Arc<Mutex<Vec<String>>>,
    counts: Arc<Counts>,
) {
    let today_page = format!("/{TENANT}/staff/today?location={LOCATION}");
    while Instant::now() < deadline {
        let page = api.get("counter: today page", &today_page).await;
        let Some(code) = visitors.lock().unwrap().pop() else {
            // Everyone has come: the clerk keeps the list open.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let csrf = csrf_of(&page.text).unwrap_or_default();
        let answer = api
            .post_form(
                "counter: check-in",
                &format!("/{TENANT}/staff/today/check-in?location={LOCATION}"),
                &[("csrf", &csrf), ("code", &code)],
            )
            .await;
        if answer.location.is_some_and(|to| to.contains("result=ok")) {
            counts.checked_in.fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub async fn run(server: &Server, concurrency: usize, seconds: u64) -> anyhow::Result<Mixed> {
    let town = crate::repo_root().join("load-tests/loadtown.toml");
    server.cli(&["tenant", "apply", &town.to_string_lossy()], &[])?;
    for i in 0..CLERKS {
        server.cli(
            &[
                "staff",
                "create",
                "--tenant",
                TENANT,
                "--login",
                &format!("clerk{i}"),
                "--role",
                "counter",
            ],
            &[("MADOGUCHI_STAFF_PASSWORD", CLERK_PASSWORD)],
        )?;
    }
    let recorder = Arc::new(Recorder::default());
    let api = Api::new(&server.base, recorder.clone());
    let today = crate::today_in_tokyo();
    let visitors = Arc::new(Mutex::new(book_today(&api, today, 400).await));
    let pool = Arc::new(Mutex::new(Vec::new()));
    let counts = Arc::new(Counts::default());
    let next = Arc::new(AtomicUsize::new(0));
    let mut clerks = Vec::new();
    for i in 0..CLERKS {
        let session = api.fresh_session();
        clerk_login(&session, &format!("clerk{i}")).await?;
        clerks.push(session);
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for session in clerks {
        workers.push(tokio::spawn(clerk(
            session,
            deadline,
            visitors.clone(),
            counts.clone(),
        )));
    }
    for _ in 0..concurrency.saturating_sub(CLERKS) {
        workers.push(tokio::spawn(resident(
            api.fresh_session(),
            today,
            deadline,
            pool.clone(),
            counts.clone(),
            next.clone(),
        )));
    }
    for worker in workers {
        worker.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let steps = recorder.steps();
    let requests = recorder.measured_requests();
    let consistency = check::check(&mut server.connect()?, TENANT)?;
    Ok(Mixed {
        concurrency,
        clerks: CLERKS,
        seconds: elapsed,
        requests,
        requests_per_second: requests as f64 / elapsed,
        booked: counts.booked.load(Ordering::Relaxed),
        moved: counts.moved.load(Ordering::Relaxed),
        cancelled: counts.cancelled.load(Ordering::Relaxed),
        checked_in: counts.checked_in.load(Ordering::Relaxed),
        steps,
        answers: recorder.answers(),
        failures: recorder.failures(),
        consistency,
        server_peak_rss_mib: server.peak_rss_kib()? as f64 / 1024.0,
    })
}
