//! Load scenarios against a server of our own on the embedded default: the booking
//! stampede (with the pgbench ceiling), browsing, and a mixed day. Each prints its report;
//! with `--docs`, it also replaces its section of docs/performance.md.

mod api;
mod browse;
mod ceiling;
mod mixed;
mod report;
mod server;
mod stampede;
mod stats;
mod throughput;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Madoguchi load scenarios (see docs/performance.md)")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
    /// The `madoguchi` binary to start (default: next to this one).
    #[arg(long, global = true)]
    server_bin: Option<PathBuf>,
    /// Replace this scenario's section of this Markdown file with the report.
    #[arg(long, global = true)]
    docs: Option<PathBuf>,
    /// Also write the figures as JSON here.
    #[arg(long, global = true)]
    json: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Scenario {
    /// Residents rush for one counter's first open day; then sustained booking, the pgbench
    /// ceiling, and the consistency check.
    Stampede {
        #[arg(long, default_value_t = 2000)]
        residents: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Length of the sustained booking run and of the pgbench ceiling run.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// The rush and the consistency check only (the test suite's short run).
        #[arg(long)]
        quick: bool,
    },
    /// Calendar and time pages, as fast as the server answers them.
    Browse {
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Browsing, booking, changing, cancelling and counter check-ins at once.
    Mixed {
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
    },
}

/// The repository, for the card generator and the shared test data.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository")
        .to_path_buf()
}

/// Today in Japan, where every city of the service is (UTC+9, no summer time).
pub fn today_in_tokyo() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).expect("a valid offset"))
        .date_naive()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let server_bin = match cli.server_bin {
        Some(bin) => bin,
        None => std::env::current_exe()?.with_file_name("madoguchi"),
    };
    let shared_data = repo_root().join("../shared/data");
    let server = server::Server::start(&server_bin, &shared_data).await?;
    let machine = report::Machine::describe(&server)?;
    let (section, markdown, json, holds) = match cli.scenario {
        Scenario::Stampede {
            residents,
            concurrency,
            seconds,
            quick,
        } => {
            let options = stampede::Options {
                residents,
                concurrency,
                sustain_seconds: seconds,
                quick,
            };
            let figures = stampede::run(&server, &options).await?;
            (
                "stampede",
                report::stampede(&machine, &figures),
                serde_json::to_value(&figures)?,
                figures.holds(),
            )
        }
        Scenario::Browse {
            concurrency,
            seconds,
        } => {
            let figures = browse::run(&server, concurrency, seconds).await?;
            (
                "browse",
                report::browse(&machine, &figures),
                serde_json::to_value(&figures)?,
                figures.failures == 0,
            )
        }
        Scenario::Mixed {
            concurrency,
            seconds,
        } => {
            let figures = mixed::run(&server, concurrency, seconds).await?;
            (
                "mixed",
                report::mixed(&machine, &figures),
                serde_json::to_value(&figures)?,
                figures.holds(),
            )
        }
    };
    drop(server);
    println!("{markdown}");
    if let Some(path) = cli.json {
        std::fs::write(path, serde_json::to_string_pretty(&json)?)?;
    }
    if let Some(path) = cli.docs {
        report::replace_section(&path, section, &markdown)?;
    }
    if !holds {
        eprintln!("FAILED: a guarantee did not hold (see the report above)");
        std::process::exit(1);
    }
    Ok(())
}
