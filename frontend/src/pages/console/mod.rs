//! The staff console: login, the counter's day, staff accounts.

pub mod kit;
pub mod login;
pub mod today;
