//! Timed requests: each answer is recorded under its step with its status and, for problem
//! documents, its code (`409 slot_full`).

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use crate::stats::Recorder;

pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub location: Option<String>,
}

impl Answer {
    /// The problem code of a refusal (`slot_full`); empty for a success.
    pub fn code(&self) -> &str {
        if self.status < 400 {
            return "";
        }
        self.json["code"].as_str().unwrap_or("")
    }
}

#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub recorder: Arc<Recorder>,
}

/// A client that keeps cookies (a session) and does not follow redirects, as the forms'
/// POST → redirect → GET is measured one request at a time.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()
        .expect("an HTTP client")
}

impl Api {
    pub fn new(base: &str, recorder: Arc<Recorder>) -> Api {
        Api {
            client: new_client(),
            base: base.to_string(),
            recorder,
        }
    }

    /// The same server and recorder with a client (and session) of its own.
    pub fn fresh_session(&self) -> Api {
        Api::new(&self.base, self.recorder.clone())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, step: &str, request: reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let text = response.text().await.unwrap_or_default();
                let json = serde_json::from_str(&text).unwrap_or(Value::Null);
                Some(Answer {
                    status,
                    json,
                    text,
                    location,
                })
            }
            Err(error) => {
                // Shown as it happens, since a missing answer is a failure of the run.
                eprintln!("{step}: no answer: {error:?}");
                None
            }
        };
        let elapsed = started.elapsed();
        match answer {
            Some(answer) => {
                let label = match answer.code() {
                    "" => answer.status.to_string(),
                    code => format!("{} {code}", answer.status),
                };
                self.recorder.record(step, elapsed, &label);
                answer
            }
            None => {
                self.recorder.record(step, elapsed, "no_answer");
                Answer {
                    status: 0,
                    json: Value::Null,
                    text: String::new(),
                    location: None,
                }
            }
        }
    }

    pub async fn get(&self, step: &str, path: &str) -> Answer {
        self.send(step, self.client.get(self.url(path))).await
    }

    pub async fn post_json(&self, step: &str, path: &str, body: &Value) -> Answer {
        self.send(step, self.client.post(self.url(path)).json(body))
            .await
    }

    pub async fn post_form(&self, step: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.send(step, self.client.post(self.url(path)).form(fields))
            .await
    }
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    html[start..].split('"').next().map(str::to_string)
}

/// Slots of an availability answer that can still be booked online: (id, start).
pub fn open_slots(availability: &Value) -> Vec<(i64, String)> {
    availability["slots"]
        .as_array()
        .map(|slots| {
            slots
                .iter()
                .filter(|s| {
                    s["bookable"].as_bool() == Some(true) && s["remaining"].as_i64() > Some(0)
                })
                .filter_map(|s| Some((s["id"].as_i64()?, s["start"].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
