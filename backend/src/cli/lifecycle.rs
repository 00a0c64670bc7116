//! A city's training mark, the wipe of its practice data before go-live, and its disposal
//! at the end of the contract.

use anyhow::Context;
use diesel::PgConnection;

use crate::config::Config;
use crate::db::tenant::Tenant;
use crate::domain::{tenant_lifecycle, Clock};

fn city(conn: &mut PgConnection, code: &str) -> anyhow::Result<Tenant> {
    Tenant::by_code(conn, code)?.with_context(|| format!("no tenant with the code {code}"))
}

pub fn training(conn: &mut PgConnection, code: &str, state: &str) -> anyhow::Result<()> {
    let on = match state {
        "on" => true,
        "off" => false,
        other => anyhow::bail!("{other}: say on (in training) or off (live)"),
    };
    tenant_lifecycle::set_training(conn, &city(conn, code)?, on)?;
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
    let wipe = tenant_lifecycle::wipe_training_data(conn, &tenant, &config.var_dir, "operator", now)
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
