//! The end of a city's data: practice data wiped before go-live, and everything disposed
//! of when the contract ends, each with a record of what went.
//!
//! Both run as the owner (the command line) in one transaction, naming the city in the
//! setting `madoguchi.erasing_tenant`: the history tables' trigger lets exactly that city's
//! rows be deleted, and nothing else (migration 000022).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::PgConnection;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::audit::NewAuditEntry;
use crate::db::schema::{mail_outbox, slots, tenants};
use crate::db::tenant::Tenant;
use crate::error::AppError;

/// Every table of a city's data, children before parents, so that deleting in this order
/// never trips a foreign key. `timetable_periods` belongs to the city through `timetables`;
/// every other table carries `tenant_id`. The disposal test walks the database's own
/// catalogue, so a table added without a place here fails it.
pub const CITY_TABLES: [&str; 31] = [
    "booking_members",
    "booking_events",
    "mail_outbox",
    "idempotency_keys",
    "holds",
    "bookings",
    "card_events",
    "card_records",
    "card_imports",
    "identification_failures",
    "web_sessions",
    "staff_sessions",
    "staff_notices",
    "staff_accounts",
    "slots",
    "closures",
    "lane_procedures",
    "timetable_periods",
    "timetables",
    "lanes",
    "mail_templates",
    "translated_mail_templates",
    "tenant_mail_settings",
    "tenant_card_columns",
    "city_texts",
    "city_text_fallbacks",
    "procedures",
    "locations",
    "maintenance_windows",
    "availability_exclusions",
    "audit_log",
];

/// What a training city's practice leaves behind: its bookings and their history, holds,
/// cards and card imports, mail, sessions of residents and the operation log. Settings,
/// counters, timetables, slots (emptied), notices to staff and staff accounts stay.
pub const TRAINING_DATA: [&str; 12] = [
    "booking_members",
    "booking_events",
    "mail_outbox",
    "idempotency_keys",
    "holds",
    "bookings",
    "card_events",
    "card_records",
    "card_imports",
    "identification_failures",
    "web_sessions",
    "audit_log",
];

/// Rows removed per table, in the order they went.
pub type Removed = Vec<(&'static str, usize)>;

/// Names the one city whose history rows the rest of this transaction may delete (`None`:
/// none again); the history tables' trigger refuses every other deletion.
pub fn allow_erasing(conn: &mut PgConnection, tenant_id: Option<i64>) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('madoguchi.erasing_tenant', $1, true)")
        .bind::<diesel::sql_types::Text, _>(tenant_id.map(|id| id.to_string()).unwrap_or_default())
        .execute(conn)
        .map(|_| ())
}

fn erase(conn: &mut PgConnection, tenant_id: i64, tables: &[&'static str]) -> QueryResult<Removed> {
    allow_erasing(conn, Some(tenant_id))?;
    let mut removed = Vec::new();
    for &table in tables {
        // Table names come from the lists above, never from input.
        let statement = if table == "timetable_periods" {
            "DELETE FROM timetable_periods WHERE timetable_id IN \
             (SELECT id FROM timetables WHERE tenant_id = $1)"
                .to_string()
        } else {
            format!("DELETE FROM {table} WHERE tenant_id = $1")
        };
        let rows = diesel::sql_query(statement)
            .bind::<BigInt, _>(tenant_id)
            .execute(conn)?;
        removed.push((table, rows));
    }
    Ok(removed)
}

/// Marks a city as in training, or takes the mark off at go-live.
pub fn set_training(conn: &mut PgConnection, tenant: &Tenant, training: bool) -> QueryResult<()> {
    diesel::update(tenants::table.find(tenant.id))
        .set(tenants::training.eq(training))
        .execute(conn)
        .map(|_| ())
}

/// What a wipe removed: rows per table and the mail files of the removed messages.
#[derive(Debug)]
pub struct Wipe {
    pub rows: Removed,
    pub mail_files: usize,
}

/// Removes a training city's practice data (`TRAINING_DATA`) and the files of its mail,
/// empties its slots and writes one operation-log line saying what went. Refused for a city
/// not marked as in training.
pub fn wipe_training_data(
    conn: &mut PgConnection,
    tenant: &Tenant,
    var_dir: &Path,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Wipe, AppError> {
    if !tenant.training {
        return Err(AppError::invalid("tenant", "invalid_wipe_not_training"));
    }
    let (rows, outbox_ids) = conn.transaction(|conn| {
        let outbox_ids = outbox_ids(conn, tenant.id)?;
        let removed = erase(conn, tenant.id, &TRAINING_DATA)?;
        diesel::update(slots::table.filter(slots::tenant_id.eq(tenant.id)))
            .set(slots::booked.eq(0))
            .execute(conn)?;
        let counts: BTreeMap<&str, usize> = removed.iter().copied().collect();
        NewAuditEntry {
            tenant_id: Some(tenant.id),
            actor,
            action: "tenant.training_wiped",
            target: &tenant.code,
            client_addr: None,
            details: json!({ "removed": counts }),
            created_at: now,
        }
        .insert(conn)?;
        Ok::<_, AppError>((removed, outbox_ids))
    })?;
    Ok(Wipe {
        rows,
        mail_files: remove_mail_files(var_dir, &outbox_ids),
    })
}

/// The city's messages, by id in order (their files are named by id).
fn outbox_ids(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<i64>> {
    mail_outbox::table
        .filter(mail_outbox::tenant_id.eq(tenant_id))
        .order(mail_outbox::id)
        .select(mail_outbox::id)
        .load(conn)
}

/// Removes the files `var/mail/{id}-{kind}.eml` of the messages `ids` (sorted).
pub fn remove_mail_files(var_dir: &Path, ids: &[i64]) -> usize {
    remove_files(&var_dir.join("mail"), |name| {
        let id = name.split('-').next().and_then(|id| id.parse::<i64>().ok());
        name.ends_with(".eml") && id.is_some_and(|id| ids.binary_search(&id).is_ok())
    })
}

/// What the disposal of a city did, for the contract's completion report.
#[derive(Debug)]
pub struct Disposal {
    pub code: String,
    pub name: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub rows: Removed,
    /// Files removed: mail written to files, and kept uploads (notice data, previews).
    pub mail_files: usize,
    pub upload_files: usize,
}

impl Disposal {
    /// The report as text, its last line the SHA-256 of everything above it.
    pub fn report(&self) -> String {
        let mut text = String::new();
        let mut line = |s: String| {
            text.push_str(&s);
            text.push('\n');
        };
        line("データ消去報告書 / Data disposal report".into());
        line(format!("city (市): {} {}", self.code, self.name));
        line(format!("started (開始): {}", self.started.to_rfc3339()));
        line(format!("finished (終了): {}", self.finished.to_rfc3339()));
        line("rows deleted per table (テーブルごとの削除行数):".into());
        for (table, rows) in &self.rows {
            line(format!("  {table}: {rows}"));
        }
        line("  tenants: 1".into());
        line(format!(
            "rows in all (合計): {}",
            self.rows.iter().map(|(_, n)| n).sum::<usize>() + 1
        ));
        line(format!(
            "mail files deleted (メールファイル): {}",
            self.mail_files
        ));
        line(format!(
            "upload files deleted (アップロードファイル): {}",
            self.upload_files
        ));
        line("rows of this city left in any table (残存行数): 0".into());
        let digest = Sha256::digest(text.as_bytes());
        text.push_str(&format!(
            "SHA-256: {}\n",
            crate::domain::secret::hex(&digest)
        ));
        text
    }
}

/// Deletes every row of the city in one transaction (the service's own operation log keeps
/// one line that it happened, with the counts), then its files under `var_dir`.
pub fn dispose(
    conn: &mut PgConnection,
    tenant: &Tenant,
    var_dir: &Path,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<Disposal, AppError> {
    let started = now();
    let (rows, outbox_ids) = conn.transaction(|conn| {
        let outbox_ids = outbox_ids(conn, tenant.id)?;
        let rows = erase(conn, tenant.id, &CITY_TABLES)?;
        diesel::delete(tenants::table.find(tenant.id)).execute(conn)?;
        let counts: BTreeMap<&str, usize> = rows.iter().copied().collect();
        NewAuditEntry {
            tenant_id: None,
            actor: "operator",
            action: "tenant.disposed",
            target: &tenant.code,
            client_addr: None,
            details: json!({ "tenant_id": tenant.id, "rows": counts }),
            created_at: started,
        }
        .insert(conn)?;
        Ok::<_, AppError>((rows, outbox_ids))
    })?;
    let mail_files = remove_mail_files(var_dir, &outbox_ids);
    let marker = format!("-{}-", tenant.id);
    let upload_files = remove_files(&var_dir.join("uploads"), |name| {
        name.ends_with(".upload") && name.contains(&marker)
    });
    Ok(Disposal {
        code: tenant.code.clone(),
        name: tenant.name.clone(),
        started,
        finished: now(),
        rows,
        mail_files,
        upload_files,
    })
}

fn remove_files(folder: &Path, belongs: impl Fn(&str) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| belongs(&entry.file_name().to_string_lossy()))
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}
