//! The test harness: one throwaway PostgreSQL cluster per test run, a fresh database per
//! test cloned from a migrated template, and the real server on a free port.

mod app;
mod cluster;
mod smtp;

pub use app::{
    answer, csrf_of, Answer, location_of, shared_data, submit_and_follow, upload_action, TestApp,
};
pub use cluster::TestDatabase;
pub use smtp::{SmtpSink, TlsMode};
