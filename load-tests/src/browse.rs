//! Browsing: residents in sessions of their own open the calendar and a day's times (HTML
//! pages rendered on the server) as fast as the server answers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use rand::Rng;
use serde::Serialize;

use crate::api::{csrf_of, open_slots, Api};
use crate::server::Server;
use crate::stats::{AnswerCount, Recorder, StepFigures};

#[derive(Serialize, Clone, Debug)]
pub struct Browse {
    pub concurrency: usize,
    pub seconds: f64,
    pub requests: usize,
    pub requests_per_second: f64,
    pub steps: Vec<StepFigures>,
    pub answers: Vec<AnswerCount>,
    pub failures: u64,
    pub server_peak_rss_mib: f64,
}

const FLOW: &str = "/demo/book/apply";

/// Days with open times for applications at the counter, over the next four weeks.
async fn open_days(api: &Api) -> anyhow::Result<Vec<String>> {
    let today = crate::today_in_tokyo();
    let to = today + chrono::Duration::days(28);
    let answer = api
        .get(
            "setup",
            &format!(
                "/api/v1/demo/availability?location={}&procedure=apply&from={today}&to={to}",
                crate::stampede::LOCATION
            ),
        )
        .await;
    let mut days: Vec<String> = open_slots(&answer.json)
        .into_iter()
        .filter_map(|(_, start)| start.get(..10).map(str::to_string))
        .collect();
    days.dedup();
    if days.is_empty() {
        bail!("no open days to browse");
    }
    Ok(days)
}

/// Starts a booking of an application at the counter in this client's session.
async fn start_session(api: &Api) -> anyhow::Result<()> {
    api.get("setup", &format!("{FLOW}/")).await;
    let page = api.get("setup", &format!("{FLOW}/location")).await;
    let Some(csrf) = csrf_of(&page.text) else {
        bail!("the location page has no form: {}", page.status);
    };
    let chosen = api
        .post_form(
            "setup",
            &format!("{FLOW}/location"),
            &[("csrf", &csrf), ("location", crate::stampede::LOCATION)],
        )
        .await;
    if chosen.status != 303 {
        bail!("choosing the counter answered {}", chosen.status);
    }
    Ok(())
}

pub async fn run(server: &Server, concurrency: usize, seconds: u64) -> anyhow::Result<Browse> {
    let recorder = Arc::new(Recorder::default());
    let api = Api::new(&server.base, recorder.clone());
    let days = Arc::new(open_days(&api).await?);
    let mut sessions = Vec::new();
    for _ in 0..concurrency {
        let session = api.fresh_session();
        start_session(&session).await?;
        sessions.push(session);
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for session in sessions {
        let days = days.clone();
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                session.get("calendar page", &format!("{FLOW}/date")).await;
                let day = days[rand::thread_rng().gen_range(0..days.len())].clone();
                session
                    .get("times page", &format!("{FLOW}/time?date={day}"))
                    .await;
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let steps = recorder.steps();
    let requests = recorder.measured_requests();
    Ok(Browse {
        concurrency,
        seconds: elapsed,
        requests,
        requests_per_second: requests as f64 / elapsed,
        steps,
        answers: recorder.answers(),
        failures: recorder.failures(),
        server_peak_rss_mib: server.peak_rss_kib()? as f64 / 1024.0,
    })
}
