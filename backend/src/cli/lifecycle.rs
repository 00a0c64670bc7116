//! A city's training mark, the wipe of its practice data before go-live, and its disposal
//! at the end of the contract; its export and import, and its retention rules.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;

use crate::config::Config;
use crate::db::audit::NewAuditEntry;
use crate::db::tenant::Tenant;
use crate::domain::{archive, retention, tenant_lifecycle, Clock};

fn city(conn: &mut PgConnection, code: &str) -> anyhow::Result<Tenant> {
    Tenant::by_code(conn, code)?.with_context(|| format!("no tenant with the code {code}"))
}

pub fn training(conn: &mut PgConnection, code: &str, state: &str) -> anyhow::Result<()> {
    let on = match state {
        "on" => true,
        "off" => false,
        other => anyhow::bail!("{other}: say on (in training) or off (live)"),
    };
    let tenant = city(conn, code)?;
    tenant_lifecycle::set_training(conn, &tenant, on)?;
    println!(
        "{code}: {}",
        if on {
            "in training (研修用 on every page and mail)"
        } else {
            "live"
        }
    );
    Ok(())
}

pub fn wipe(
    conn: &mut PgConnection,
    config: &Config,
    code: &str,
    training_data: bool,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        training_data,
        "say what to wipe: --training-data (bookings, holds, cards, card imports, mail and the operation log)"
    );
    let tenant = city(conn, code)?;
    let now = Clock::system(config.time_zone).now;
    let wipe =
        tenant_lifecycle::wipe_training_data(conn, &tenant, &config.var_dir, "operator", now)
            .map_err(|e| match e {
                crate::error::AppError::Invalid { .. } => anyhow::anyhow!(
                "{code} is not marked as in training; only a training city's data can be wiped \
                 (madoguchi tenant training --tenant {code} on)"
            ),
                other => anyhow::anyhow!("{other}"),
            })?;
    println!("wiped the training data of {code}:");
    for (table, rows) in &wipe.rows {
        println!("  {table}: {rows}");
    }
    println!("  mail files: {}", wipe.mail_files);
    println!("settings, counters, slots (emptied) and staff accounts are kept; one operation-log line records the wipe");
    Ok(())
}

pub fn dispose(
    conn: &mut PgConnection,
    config: &Config,
    code: &str,
    confirm: &str,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        confirm == code,
        "--confirm must repeat the tenant code ({code}) to dispose of all its data"
    );
    let tenant = city(conn, code)?;
    let disposal = tenant_lifecycle::dispose(conn, &tenant, &config.var_dir, || {
        Clock::system(config.time_zone).now
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    print!("{}", disposal.report());
    Ok(())
}

/// Writes the whole city to `path` (through a neighbouring file, renamed when complete, so a
/// failed export leaves no half archive under the name asked for).
pub fn export(
    conn: &mut PgConnection,
    tenant: &Tenant,
    path: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let partial = path.with_extension("zip.partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let written = archive::export(conn, tenant, std::io::BufWriter::new(file), now).and_then(
        |(exported, out)| {
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            Ok(exported)
        },
    );
    let exported = match written {
        Ok(exported) => exported,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, path)?;
    let rows: BTreeMap<&str, usize> = exported.rows.iter().copied().collect();
    NewAuditEntry {
        tenant_id: None,
        actor: "operator",
        action: "tenant.exported",
        target: &tenant.code,
        client_addr: None,
        details: json!({ "rows": rows }),
        created_at: now,
    }
    .insert(conn)?;
    println!("exported {} to {}:", tenant.code, path.display());
    for (table, count) in &exported.rows {
        println!("  tables/{table}.csv: {count} rows");
    }
    Ok(())
}

pub fn import(
    conn: &mut PgConnection,
    path: &Path,
    code: &str,
    dry_run: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let imported = archive::import(conn, std::io::BufReader::new(file), code, dry_run, now)?;
    println!(
        "{} {} from the export of {}:",
        if imported.dry_run {
            "checked; nothing written. An import would create"
        } else {
            "imported"
        },
        imported.code,
        imported.source
    );
    for (table, count) in &imported.rows {
        println!("  {table}: {count} rows");
    }
    Ok(())
}

/// Applies the retention rules of one city or all, now.
pub fn retain(conn: &mut PgConnection, config: &Config, code: Option<&str>) -> anyhow::Result<()> {
    let cities = match code {
        Some(code) => vec![city(conn, code)?],
        None => Tenant::all(conn)?,
    };
    let clock = Clock::system(config.time_zone);
    for tenant in cities {
        let applied = retention::apply(conn, tenant.id, &config.var_dir, clock.now, clock.today())?;
        println!(
            "{}: {} log rows removed, {} bookings and {} messages anonymised, {} mail files removed",
            tenant.code,
            applied.log_rows_removed,
            applied.bookings_anonymised,
            applied.messages_anonymised,
            applied.mail_files_removed
        );
    }
    Ok(())
}

/// Shows or changes a city's retention rules.
pub fn retention_rules(
    conn: &mut PgConnection,
    code: &str,
    operation_log_days: Option<i32>,
    personal_data_days: Option<String>,
    file_days: Option<i32>,
) -> anyhow::Result<()> {
    let tenant = city(conn, code)?;
    let mut rules = retention::rules(conn, tenant.id)?;
    if let Some(days) = operation_log_days {
        anyhow::ensure!(
            days >= retention::MIN_LOG_DAYS,
            "--operation-log-days {days}: the operation log is kept at least {} days",
            retention::MIN_LOG_DAYS
        );
        rules.operation_log_days = days;
    }
    if let Some(days) = personal_data_days {
        rules.personal_data_days = match days.as_str() {
            "off" => None,
            number => Some(
                number
                    .parse()
                    .ok()
                    .filter(|days: &i32| *days >= 1)
                    .with_context(|| {
                        format!(
                            "--personal-data-days {number}: a number of days (1 or more) or off"
                        )
                    })?,
            ),
        };
    }
    if let Some(days) = file_days {
        anyhow::ensure!(days >= 1, "--file-days {days}: one day or more");
        rules.file_days = days;
    }
    retention::set_rules(conn, tenant.id, rules).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{code}: operation log kept {} days; personal data of past bookings {}; mail files kept {} days",
        rules.operation_log_days,
        rules
            .personal_data_days
            .map_or("kept".to_string(), |days| format!("erased {days} days after the visit")),
        rules.file_days
    );
    Ok(())
}
