//! The test harness: one throwaway PostgreSQL cluster per test run, a fresh database per
//! test cloned from a migrated template, and the real server on a free port.

mod app;
mod cluster;
mod smtp;

pub use app::{
    answer, csrf_of, fill_in, location_of, page_text, shared_data, submit_and_follow,
    upload_action, Answer, ServerProcess, TestApp,
};
pub use cluster::TestDatabase;
pub use smtp::{write_certificates, SmtpSink, TlsMode};
