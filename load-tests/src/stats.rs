//! Latencies per step and answers by code, gathered from every virtual client.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

#[derive(Default)]
pub struct Recorder {
    latencies: Mutex<BTreeMap<String, Vec<Duration>>>,
    answers: Mutex<BTreeMap<(String, String), u64>>,
}

/// One step's figures, in milliseconds.
#[derive(Serialize, Clone, Debug)]
pub struct StepFigures {
    pub step: String,
    pub requests: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct AnswerCount {
    pub step: String,
    pub answer: String,
    pub count: u64,
}

impl Recorder {
    pub fn record(&self, step: &str, elapsed: Duration, answer: &str) {
        self.latencies
            .lock()
            .unwrap()
            .entry(step.to_string())
            .or_default()
            .push(elapsed);
        *self
            .answers
            .lock()
            .unwrap()
            .entry((step.to_string(), answer.to_string()))
            .or_default() += 1;
    }

    pub fn steps(&self) -> Vec<StepFigures> {
        let mut latencies = self.latencies.lock().unwrap();
        latencies
            .iter_mut()
            .map(|(step, samples)| {
                samples.sort_unstable();
                let at = |q: f64| {
                    // Nearest rank: the smallest sample with at least q of all at or below it.
                    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
                    samples[rank - 1].as_secs_f64() * 1000.0
                };
                StepFigures {
                    step: step.clone(),
                    requests: samples.len(),
                    p50_ms: at(0.50),
                    p95_ms: at(0.95),
                    p99_ms: at(0.99),
                    max_ms: at(1.0),
                }
            })
            .collect()
    }

    /// Requests of the measured steps (setup left out).
    pub fn measured_requests(&self) -> usize {
        self.latencies
            .lock()
            .unwrap()
            .iter()
            .filter(|(step, _)| *step != "setup")
            .map(|(_, samples)| samples.len())
            .sum()
    }

    pub fn answers(&self) -> Vec<AnswerCount> {
        self.answers
            .lock()
            .unwrap()
            .iter()
            .map(|((step, answer), count)| AnswerCount {
                step: step.clone(),
                answer: answer.clone(),
                count: *count,
            })
            .collect()
    }

    /// Answers that mean the server failed (5xx, no answer), as opposed to a refusal by the
    /// rules (a full slot).
    pub fn failures(&self) -> u64 {
        self.answers
            .lock()
            .unwrap()
            .iter()
            .filter(|((_, answer), _)| answer.starts_with('5') || answer == "no_answer")
            .map(|(_, count)| count)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let recorder = Recorder::default();
        for ms in 1..=100 {
            recorder.record("step", Duration::from_millis(ms), "200");
        }
        let figures = &recorder.steps()[0];
        assert_eq!(figures.requests, 100);
        assert_eq!(
            (
                figures.p50_ms,
                figures.p95_ms,
                figures.p99_ms,
                figures.max_ms
            ),
            (50.0, 95.0, 99.0, 100.0)
        );
    }

    #[test]
    fn only_server_errors_and_silence_are_failures() {
        let recorder = Recorder::default();
        for answer in [
            "201",
            "409 slot_full",
            "503 database_unavailable",
            "no_answer",
        ] {
            recorder.record("hold", Duration::from_millis(1), answer);
        }
        assert_eq!(recorder.failures(), 2);
    }
}
