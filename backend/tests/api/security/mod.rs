//! Attacks from outside, each reproduced and then refused (docs/security.md names the test
//! of each defence).

mod audit_chain;
mod audit_strands;
mod database;
mod guessing;
mod limits;
mod logins;
mod logs;
mod proxies;
mod requests;
mod tls;
mod uploads;
