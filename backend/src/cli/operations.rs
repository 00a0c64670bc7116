//! Commands for the platform operator: the availability figure (and stops it excuses), and
//! what the backups look like.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use clap::Subcommand;
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::Value;

use crate::config::Config;
use crate::db::tenant::Tenant;
use crate::domain::uptime::{self, Cause, NewExclusion};
use crate::domain::Clock;

#[derive(Subcommand)]
pub enum AvailabilityCommand {
    /// Records a stop the figure does not count: `--cause planned` (for every city, or one
    /// with --tenant) or `--cause city` (caused by the city named with --tenant).
    Exclude {
        #[arg(long)]
        cause: String,
        #[arg(long)]
        tenant: Option<String>,
        /// Local time the stop began, "2026-12-20 02:00".
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// The newest full, differential and incremental backups in the pgBackRest repository,
    /// and how far the WAL archive trails the database.
    Status {
        #[arg(long, default_value = "madoguchi")]
        stanza: String,
        /// pgBackRest's configuration file (default: its own, /etc/pgbackrest/pgbackrest.conf).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn tenant_id(conn: &mut PgConnection, code: Option<&str>) -> anyhow::Result<Option<i64>> {
    code.map(|code| {
        Tenant::by_code(conn, code)?
            .map(|t| t.id)
            .with_context(|| format!("no tenant with the code {code}"))
    })
    .transpose()
}

pub fn availability(
    conn: &mut PgConnection,
    config: &Config,
    month: Option<&str>,
    tenant: Option<&str>,
) -> anyhow::Result<()> {
    let clock = Clock::system(config.time_zone);
    let month = match month {
        Some(text) => uptime::parse_month(text)
            .with_context(|| format!("--month {text}: give a year and month such as 2026-11"))?,
        None => {
            use chrono::Datelike;
            let today = clock.today();
            (today.year(), today.month())
        }
    };
    let tenant_id = tenant_id(conn, tenant)?;
    let figures = uptime::month(conn, clock.tz, month, tenant_id, clock.now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let scope = tenant.map_or("whole service".to_string(), |code| format!("tenant {code}"));
    println!("availability {}-{:02} ({scope})", month.0, month.1);
    println!("  provided time (提供時間):   {} min", figures.provided);
    println!("  stopped (停止時間):         {} min", figures.down);
    println!("  planned stops (計画停止):   {} min", figures.planned);
    println!("  caused by the city (市起因): {} min", figures.city_caused);
    match figures.rate() {
        Some(rate) => println!("  availability (稼働率):     {rate:.3} %"),
        None => println!("  availability (稼働率):     no minute of this month recorded yet"),
    }
    for stop in &figures.stops {
        let local = |t: DateTime<Utc>| t.with_timezone(&clock.tz).format("%Y-%m-%d %H:%M");
        println!(
            "  stop {} – {} ({} min, {})",
            local(stop.span.0),
            local(stop.span.1),
            (stop.span.1 - stop.span.0).num_minutes(),
            stop.cause.as_str()
        );
    }
    Ok(())
}

pub fn exclude(
    conn: &mut PgConnection,
    config: &Config,
    command: AvailabilityCommand,
) -> anyhow::Result<()> {
    let AvailabilityCommand::Exclude {
        cause,
        tenant,
        from,
        to,
        reason,
    } = command;
    let clock = Clock::system(config.time_zone);
    let local = |flag: &str, text: &str| -> anyhow::Result<DateTime<Utc>> {
        let naive =
            NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").with_context(|| {
                format!("{flag} {text}: give a local time such as 2026-12-20 02:00")
            })?;
        clock
            .tz
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .with_context(|| format!("{flag} {text}: no such local time"))
    };
    let cause = match cause.as_str() {
        "planned" => Cause::Planned,
        "city" => Cause::City,
        other => anyhow::bail!("--cause {other}: use planned or city"),
    };
    let exclusion = NewExclusion {
        tenant_id: tenant_id(conn, tenant.as_deref())?,
        cause,
        span: (local("--from", &from)?, local("--to", &to)?),
        reason: &reason,
    };
    let id = uptime::record_exclusion(conn, &exclusion, clock.now).map_err(|e| {
        let message = match &e {
            crate::error::AppError::Invalid { message, .. } => {
                madoguchi_frontend::i18n::t(madoguchi_frontend::i18n::Lang::En, message)
            }
            other => other.to_string(),
        };
        anyhow::anyhow!("{message}")
    })?;
    println!("recorded stop {id}: {} from {from} to {to}", cause.as_str());
    Ok(())
}

pub fn backup(config: &Config, command: BackupCommand) -> anyhow::Result<()> {
    let BackupCommand::Status {
        stanza,
        config: backrest_config,
    } = command;
    let mut info = Command::new("pgbackrest");
    if let Some(file) = &backrest_config {
        info.arg(format!("--config={}", file.display()));
    }
    let output = info
        .args([&format!("--stanza={stanza}"), "--output=json", "info"])
        .output()
        .context("running pgbackrest (install it with: apt-get install pgbackrest)")?;
    anyhow::ensure!(
        output.status.success(),
        "pgbackrest info failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let parsed: Value =
        serde_json::from_slice(&output.stdout).context("reading pgbackrest's JSON")?;
    let clock = Clock::system(config.time_zone);
    let report = BackupReport::read(&parsed, &stanza)?;
    let mut healthy = report.print(&clock);
    let database = crate::server::prepare_database(config)?;
    let archive = PgConnection::establish(&database.url)
        .context("connecting to the database")
        .and_then(|mut conn| archive_state(&mut conn));
    if let (Some(cluster), true) = (&database.cluster, database.started_here) {
        cluster.stop()?;
    }
    let archive = archive?;
    healthy &= archive.print(&clock);
    anyhow::ensure!(healthy, "the backups need attention (see above)");
    Ok(())
}

/// A backup's label, when it finished, and the size of the database it copied.
type Backup = (String, DateTime<Utc>, u64);

struct BackupReport {
    stanza_status: String,
    ok: bool,
    /// Newest of each kind.
    newest: Vec<(&'static str, Option<Backup>)>,
    newest_archived_wal: Option<String>,
}

impl BackupReport {
    fn read(info: &Value, stanza: &str) -> anyhow::Result<BackupReport> {
        let entry = info
            .as_array()
            .and_then(|stanzas| stanzas.iter().find(|s| s["name"] == stanza))
            .with_context(|| format!("pgbackrest knows no stanza {stanza}"))?;
        let backups = entry["backup"].as_array().cloned().unwrap_or_default();
        let newest = |kind: &str| {
            backups
                .iter()
                .filter(|b| b["type"] == kind)
                .filter_map(|b| {
                    let stop = Utc
                        .timestamp_opt(b["timestamp"]["stop"].as_i64()?, 0)
                        .single()?;
                    let label = b["label"].as_str()?.to_string();
                    Some((label, stop, b["info"]["size"].as_u64().unwrap_or(0)))
                })
                .max_by_key(|(_, stop, _)| *stop)
        };
        Ok(BackupReport {
            stanza_status: entry["status"]["message"]
                .as_str()
                .unwrap_or("?")
                .to_string(),
            ok: entry["status"]["code"].as_i64() == Some(0),
            newest: vec![
                ("full", newest("full")),
                ("differential", newest("diff")),
                ("incremental", newest("incr")),
            ],
            newest_archived_wal: entry["archive"]
                .as_array()
                .and_then(|archives| archives.iter().filter_map(|a| a["max"].as_str()).max())
                .map(str::to_string),
        })
    }

    /// Prints the report; false when there is no full backup or the stanza is not ok.
    fn print(&self, clock: &Clock) -> bool {
        println!("stanza status: {}", self.stanza_status);
        for (kind, newest) in &self.newest {
            match newest {
                Some((label, stop, size)) => println!(
                    "last {kind} backup: {label}, finished {} ({} ago), database {:.1} MB",
                    stop.with_timezone(&clock.tz).format("%Y-%m-%d %H:%M:%S %Z"),
                    ago(clock.now - *stop),
                    *size as f64 / 1_048_576.0
                ),
                None => println!("last {kind} backup: none"),
            }
        }
        println!(
            "newest WAL segment in the repository: {}",
            self.newest_archived_wal.as_deref().unwrap_or("none")
        );
        self.ok && self.newest[0].1.is_some()
    }
}

#[derive(QueryableByName)]
struct ArchiveState {
    #[diesel(sql_type = diesel::sql_types::Text)]
    current_wal: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_archived_wal: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    last_archived_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    failed_count: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    last_failed_time: Option<DateTime<Utc>>,
}

fn archive_state(conn: &mut PgConnection) -> anyhow::Result<ArchiveState> {
    diesel::sql_query(
        "SELECT pg_walfile_name(pg_current_wal_lsn()) AS current_wal, last_archived_wal, \
         last_archived_time, failed_count, last_failed_time FROM pg_stat_archiver",
    )
    .get_result(conn)
    .context("reading pg_stat_archiver (on the primary)")
}

impl ArchiveState {
    /// Prints the archive lag; false when archiving fails now.
    fn print(&self, clock: &Clock) -> bool {
        let waiting = self
            .last_archived_wal
            .as_deref()
            .and_then(|archived| {
                Some(segment_number(&self.current_wal)? - segment_number(archived)?)
            })
            .map(|n| (n - 1).max(0));
        match (&self.last_archived_wal, self.last_archived_time) {
            (Some(wal), Some(at)) => println!(
                "archive: last segment {wal} archived {} ago; {} completed segment(s) waiting; writing {}",
                ago(clock.now - at),
                waiting.map_or("?".into(), |n| n.to_string()),
                self.current_wal
            ),
            _ => println!("archive: nothing archived yet; writing {}", self.current_wal),
        }
        let failing = match (self.last_failed_time, self.last_archived_time) {
            (Some(failed), Some(archived)) => failed > archived,
            (Some(_), None) => true,
            _ => false,
        };
        if failing {
            println!(
                "archive: FAILING ({} failures, the last at {})",
                self.failed_count,
                self.last_failed_time
                    .map(|t| t
                        .with_timezone(&clock.tz)
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string())
                    .unwrap_or_default()
            );
        }
        !failing
    }
}

/// A WAL file name's position (log × 256 + segment, for 16 MB segments), timeline aside.
fn segment_number(name: &str) -> Option<i64> {
    if name.len() != 24 {
        return None;
    }
    let log = i64::from_str_radix(&name[8..16], 16).ok()?;
    let segment = i64::from_str_radix(&name[16..24], 16).ok()?;
    Some(log * 256 + segment)
}

fn ago(span: chrono::Duration) -> String {
    let minutes = span.num_minutes().max(0);
    match minutes {
        0 => format!("{} s", span.num_seconds().max(0)),
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} days", m / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_backup_of_each_kind_and_the_archive_are_read_from_pgbackrest() {
        let info: Value = serde_json::json!([{
            "name": "madoguchi",
            "status": { "code": 0, "message": "ok" },
            "archive": [{ "id": "15-1", "min": "000000010000000000000002", "max": "00000001000000010000000A" }],
            "backup": [
                { "label": "20261129-020000F", "type": "full", "timestamp": { "start": 1_796_000_000, "stop": 1_796_000_100 }, "info": { "size": 52_428_800 } },
                { "label": "20261129-020000F_20261130-020000I", "type": "incr", "timestamp": { "start": 1_796_086_400, "stop": 1_796_086_430 }, "info": { "size": 52_500_000 } },
                { "label": "20261122-020000F", "type": "full", "timestamp": { "start": 1_795_395_200, "stop": 1_795_395_300 }, "info": { "size": 50_000_000 } }
            ]
        }]);
        let report = BackupReport::read(&info, "madoguchi").unwrap();
        assert!(report.ok);
        assert_eq!(report.newest[0].1.as_ref().unwrap().0, "20261129-020000F");
        assert!(report.newest[1].1.is_none());
        assert_eq!(
            report.newest[2].1.as_ref().unwrap().0,
            "20261129-020000F_20261130-020000I"
        );
        assert_eq!(
            report.newest_archived_wal.as_deref(),
            Some("00000001000000010000000A")
        );
        assert!(BackupReport::read(&info, "other").is_err());
        assert_eq!(
            segment_number("00000002000000010000000A").unwrap()
                - segment_number("0000000100000000000000FF").unwrap(),
            11
        );
    }
}
