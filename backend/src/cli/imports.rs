//! The import commands: J-LIS card files and a previous system's bookings.

use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::PgConnection;
use madoguchi_frontend::i18n::Lang;

use crate::config::Config;
use crate::db::tenant::Tenant;
use crate::domain::{card_import, Clock};

fn tenant_of(conn: &mut PgConnection, code: &str) -> anyhow::Result<Tenant> {
    Tenant::by_code(conn, code)?.with_context(|| format!("no tenant {code}"))
}

/// `cards import`: the report, and for cities in password mode the notice printer's data.
pub(super) fn cards_command(
    conn: &mut PgConnection,
    config: &Config,
    tenant: &str,
    file: &Path,
    commit: bool,
    notices: Option<PathBuf>,
) -> anyhow::Result<()> {
    let tenant = tenant_of(conn, tenant)?;
    let report = import_cards(conn, config, &tenant, file, commit)?;
    if report.problem_count > 0 {
        anyhow::bail!("nothing was imported");
    }
    if let Some(data) = &report.notices {
        let path = notices
            .unwrap_or_else(|| PathBuf::from(format!("notices-{}.csv", &report.sha256[..12])));
        std::fs::write(&path, data)
            .with_context(|| format!("writing the notice data to {}", path.display()))?;
        println!(
            "notice printer data (with the initial passwords) written to {}",
            path.display()
        );
    }
    Ok(())
}

/// `bookings migrate`: every conflict by line, or the count booked.
pub(super) fn migrate_command(
    conn: &mut PgConnection,
    config: &Config,
    tenant: &str,
    file: &Path,
    commit: bool,
) -> anyhow::Result<()> {
    let tenant = tenant_of(conn, tenant)?;
    let bytes = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let clock = Clock::system(config.time_zone);
    let report = crate::domain::migration::migrate(conn, &clock, &tenant, bytes, commit)?;
    for problem in &report.problems {
        println!("{}: {}", file.display(), problem.message(Lang::En));
    }
    if !report.problems.is_empty() {
        anyhow::bail!("nothing was booked: {} problems", report.problems.len());
    }
    let done = if report.committed {
        ", booked"
    } else {
        " (dry run: nothing was booked)"
    };
    println!("{} rows, {} bookable{done}", report.rows, report.booked);
    Ok(())
}

/// Imports (or previews) a card file and prints what happened, problems in English.
pub(super) fn import_cards(
    conn: &mut PgConnection,
    config: &Config,
    tenant: &Tenant,
    path: &std::path::Path,
    commit: bool,
) -> anyhow::Result<card_import::ImportReport> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let request = card_import::ImportRequest {
        file_name: &name,
        actor: "cli",
        commit,
    };
    let clock = Clock::system(config.time_zone);
    let report = card_import::run(conn, &clock, tenant, file, size, &request)?;
    for problem in &report.problems {
        println!("{}: {}", path.display(), problem.message(Lang::En));
    }
    if report.problem_count > report.problems.len() {
        println!(
            "… and {} more problems",
            report.problem_count - report.problems.len()
        );
    }
    if report.problem_count == 0 {
        println!(
            "cards of {} from {} ({}): {} rows, {} new, {} changed, {} unchanged{}",
            tenant.code,
            path.display(),
            report.encoding,
            report.rows,
            report.new_cards,
            report.changed_cards,
            report.unchanged_cards,
            if commit {
                ""
            } else {
                " (dry run: nothing was changed)"
            }
        );
    }
    Ok(report)
}
