//! Attacks from outside, each reproduced and then refused (docs/security.md names the test
//! of each defence).

mod limits;
mod guessing;
mod logins;
mod requests;
mod uploads;
