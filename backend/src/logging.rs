//! Logging: diagnostics go to standard error (filtered by RUST_LOG); the server's access
//! lines go to one file a day under the access-log folder, the oldest deleted once more
//! than the configured number of days (at least a year) are kept.

use anyhow::Context;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::prelude::*;

use crate::config::Config;

/// The target of access lines, kept out of standard error.
pub const ACCESS_TARGET: &str = "madoguchi::access";

/// Sets up logging; with `serving`, also its access-log files. The guard writes out what is
/// still buffered when dropped, so `main` keeps it until the server returns.
pub fn init(serving: Option<&Config>) -> anyhow::Result<Option<WorkerGuard>> {
    let diagnostics = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_filter(filter_fn(|meta| meta.target() != ACCESS_TARGET));
    let Some(config) = serving else {
        tracing_subscriber::registry().with(diagnostics).init();
        return Ok(None);
    };
    // The appender looks through the folder for old files before it writes the first one.
    std::fs::create_dir_all(&config.access_log_dir).with_context(|| {
        format!(
            "creating the access-log folder {}",
            config.access_log_dir.display()
        )
    })?;
    let files = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("access")
        .filename_suffix("log")
        .max_log_files(config.access_log_days)
        .build(&config.access_log_dir)
        .with_context(|| {
            format!(
                "opening the access log in {} (MADOGUCHI_ACCESS_LOG_DIR)",
                config.access_log_dir.display()
            )
        })?;
    let (writer, guard) = tracing_appender::non_blocking(files);
    let access = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_level(false)
        .with_filter(filter_fn(|meta| meta.target() == ACCESS_TARGET));
    tracing_subscriber::registry()
        .with(diagnostics)
        .with(access)
        .init();
    Ok(Some(guard))
}
