//! The ceiling: what PostgreSQL itself does on this machine when the booking transaction is
//! sent as bare SQL by pgbench (lock the slot row, count its bookings, insert the booking and
//! its member, update the slot's count), at the same concurrency, against the same database.

use std::process::Command;

use anyhow::{bail, Context};
use diesel::prelude::*;
use serde::Serialize;

use crate::server::Server;

/// The transaction, once per pgbench client turn. Slots are drawn at random from the
/// `ceiling_slots` list made beforehand, outside the transaction.
const SCRIPT: &str = r"\set n random(1, :slot_count)
SELECT slot_id AS slot FROM ceiling_slots WHERE n = :n \gset
BEGIN;
SELECT capacity FROM slots WHERE id = :slot FOR UPDATE \gset
SELECT count(*) AS taken FROM bookings WHERE slot_id = :slot AND status <> 'cancelled' \gset
\if :taken < :capacity
INSERT INTO bookings (tenant_id, code, slot_id, procedure_id, channel, party_size, note, created_at, updated_at)
  VALUES (:tenant, upper(translate(substr(md5(random()::text), 1, 9), '0123456789abcdef', '23456789ABCDEFGH')),
          :slot, :procedure, 'web', 1, 'pgbench ceiling', now(), now())
  RETURNING id AS booking \gset
INSERT INTO booking_members (tenant_id, booking_id, position, procedure_id, active)
  VALUES (:tenant, :booking, 1, :procedure, true);
UPDATE slots SET booked = booked + 1 WHERE id = :slot;
\endif
COMMIT;
";

#[derive(Serialize, Clone, Debug)]
pub struct Ceiling {
    pub cpu: crate::server::CpuUse,
    pub clients: usize,
    pub seconds: u64,
    pub transactions_per_second: f64,
    pub bookings: i64,
    pub bookings_per_second: f64,
    pub slots: i64,
}

fn pgbench() -> anyhow::Result<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/pgbench"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
        .pop()
        .context("pgbench is missing (apt-get install postgresql)")
}

#[derive(QueryableByName)]
struct Ids {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    tenant: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    procedure: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    slots: i64,
}

/// Runs the transaction for `seconds` with `clients` connections over the open slots of
/// `locations` (which the measured run did not use), and counts the bookings it made.
pub fn measure(
    server: &Server,
    tenant: &str,
    procedure: &str,
    locations: &[&str],
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Ceiling> {
    let mut conn = server.connect()?;
    let list = locations
        .iter()
        .map(|l| format!("'{l}'"))
        .collect::<Vec<_>>()
        .join(", ");
    diesel::sql_query(format!(
        "CREATE UNLOGGED TABLE ceiling_slots AS
           SELECT row_number() OVER (ORDER BY s.id) AS n, s.id AS slot_id
             FROM slots s JOIN locations l ON l.id = s.location_id
            WHERE s.tenant_id = (SELECT id FROM tenants WHERE code = '{tenant}')
              AND l.code IN ({list}) AND NOT s.closed AND s.booked < s.capacity"
    ))
    .execute(&mut conn)?;
    diesel::sql_query("CREATE UNIQUE INDEX ON ceiling_slots (n)").execute(&mut conn)?;
    diesel::sql_query("ANALYZE ceiling_slots").execute(&mut conn)?;
    let ids: Ids = diesel::sql_query(format!(
        "SELECT t.id AS tenant, p.id AS procedure, (SELECT count(*) FROM ceiling_slots) AS slots
           FROM tenants t JOIN procedures p ON p.tenant_id = t.id
          WHERE t.code = '{tenant}' AND p.code = '{procedure}'"
    ))
    .get_result(&mut conn)?;
    if ids.slots == 0 {
        bail!("no open slots left for the ceiling run");
    }
    let script = server.var_dir.join("ceiling.sql");
    std::fs::write(&script, SCRIPT)?;
    let run = Command::new(pgbench()?)
        .args(["-n", "-h"])
        .arg(&server.socket_dir)
        .args(["-U", "postgres", "-c", &clients.to_string(), "-j", "2"])
        .args(["-T", &seconds.to_string(), "-f"])
        .arg(&script)
        .args(["-D", &format!("tenant={}", ids.tenant)])
        .args(["-D", &format!("procedure={}", ids.procedure)])
        .args(["-D", &format!("slot_count={}", ids.slots)])
        .arg("madoguchi")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    // pgbench's connections (and so their PostgreSQL processes) exist only while it runs:
    // processor use is sampled inside the run, from its second second to its last.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let cpu_before = server.cpu_ticks();
    std::thread::sleep(std::time::Duration::from_secs(
        seconds.saturating_sub(2).max(1),
    ));
    let cpu = server.cpu_ticks().since(&cpu_before);
    let output = run.wait_with_output()?;
    let report = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed: {}{}",
            report,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let tps = report
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l["tps = ".len()..].split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .context("pgbench printed no tps")?;
    #[derive(QueryableByName)]
    struct Made {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let made: Made =
        diesel::sql_query("SELECT count(*) AS n FROM bookings WHERE note = 'pgbench ceiling'")
            .get_result(&mut conn)?;
    Ok(Ceiling {
        cpu,
        clients,
        seconds,
        transactions_per_second: tps,
        bookings: made.n,
        bookings_per_second: made.n as f64 / seconds as f64,
        slots: ids.slots,
    })
}
