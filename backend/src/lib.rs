//! Madoguchi: booking service for the My Number card counters of Japanese municipalities.

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod logging;
pub mod server;
pub mod tls;

pub use error::AppError;
