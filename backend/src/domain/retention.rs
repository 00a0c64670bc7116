//! How long a city's data is kept (docs/data-lifecycle.md, "Retention"): the operation log
//! at least a year, the personal data of past bookings until `personal_data_days` after the
//! visit, the mail files of its messages `file_days`. Uploads (card files, notice data) are
//! removed an hour after their last step in any case (`http::console::upload`).
//!
//! Applied daily by the server and on demand by `madoguchi tenant retain`; every step is
//! idempotent, so servers running it at the same time do no harm.

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz};
use diesel::PgConnection;
use serde_json::json;

use crate::db::audit::NewAuditEntry;
use crate::db::schema::tenants;
use crate::error::AppError;

/// A city's retention rules.
#[derive(Debug, Clone, Copy, PartialEq, Queryable)]
pub struct Rules {
    /// Days the operation log is kept; never below `MIN_LOG_DAYS`.
    pub operation_log_days: i32,
    /// Days after the visit a booking keeps its contact details; `None`: kept.
    pub personal_data_days: Option<i32>,
    /// Days the mail files of its messages are kept.
    pub file_days: i32,
}

/// What an erased message's recipient reads: not an address, so it can never be sent.
pub const ERASED_RECIPIENT: &str = "(erased)";

/// A year and a day: the operation log is never kept for less (a leap year included).
pub const MIN_LOG_DAYS: i32 = 366;

pub fn rules(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Rules> {
    tenants::table
        .find(tenant_id)
        .select((
            tenants::operation_log_days,
            tenants::personal_data_days,
            tenants::file_days,
        ))
        .first(conn)
}

pub fn set_rules(conn: &mut PgConnection, tenant_id: i64, rules: Rules) -> Result<(), AppError> {
    if rules.operation_log_days < MIN_LOG_DAYS {
        return Err(AppError::invalid(
            "operation_log_days",
            "invalid_retention_log_too_short",
        ));
    }
    if rules.personal_data_days.is_some_and(|days| days < 1) || rules.file_days < 1 {
        return Err(AppError::invalid("days", "invalid_retention_days"));
    }
    diesel::update(tenants::table.find(tenant_id))
        .set((
            tenants::operation_log_days.eq(rules.operation_log_days),
            tenants::personal_data_days.eq(rules.personal_data_days),
            tenants::file_days.eq(rules.file_days),
        ))
        .execute(conn)?;
    Ok(())
}

/// What one application of the rules did to a city.
#[derive(Debug, Default, PartialEq)]
pub struct Applied {
    pub log_rows_removed: usize,
    pub bookings_anonymised: usize,
    pub messages_anonymised: usize,
    pub mail_files_removed: usize,
}

impl Applied {
    pub fn is_empty(&self) -> bool {
        *self == Applied::default()
    }
}

#[derive(QueryableByName)]
struct ChainEnd {
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    chain_strand: i16,
    #[diesel(sql_type = BigInt)]
    chain_position: i64,
    #[diesel(sql_type = Text)]
    row_hash: String,
}

#[derive(QueryableByName)]
struct MessageId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Applies the city's rules at `now`; `today` is the city's date at `now`.
pub fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    var_dir: &Path,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> anyhow::Result<Applied> {
    let rules = rules(conn, tenant_id)?;
    let (mut applied, old_messages) = conn.transaction(|conn| {
        // One server at a time per city; another one finds the work done.
        diesel::sql_query("SELECT pg_advisory_xact_lock(7315, $1::int)")
            .bind::<BigInt, _>(tenant_id)
            .execute(conn)?;
        let mut applied = Applied {
            log_rows_removed: prune_log(conn, tenant_id, rules, now)?,
            ..Applied::default()
        };
        if let Some(days) = rules.personal_data_days {
            let before = today - Duration::days(i64::from(days));
            (applied.bookings_anonymised, applied.messages_anonymised) =
                anonymise(conn, tenant_id, before, now)?;
        }
        let old_messages: Vec<MessageId> = diesel::sql_query(
            "SELECT id FROM mail_outbox WHERE tenant_id = $1 AND created_at < $2 ORDER BY id",
        )
        .bind::<BigInt, _>(tenant_id)
        .bind::<Timestamptz, _>(now - Duration::days(i64::from(rules.file_days)))
        .load(conn)?;
        Ok::<_, anyhow::Error>((applied, old_messages))
    })?;
    let ids: Vec<i64> = old_messages.into_iter().map(|m| m.id).collect();
    applied.mail_files_removed = crate::domain::tenant_lifecycle::remove_mail_files(var_dir, &ids);
    Ok(applied)
}

/// Removes the log rows older than the rule from the start of each strand of the chain up
/// to the strand's first row still within it (a row is never removed before an older one of
/// its strand). A strand's newest row always stays, however old, so that the next line of
/// the strand links to it rather than starting over. What stays is linked to what went: one
/// `log.pruned` row records, for every strand ever cut, the place and hash of the last row
/// removed, where `audit verify` starts the remaining strand (strand 0 as `through_position` and
/// `through_hash`, the others under `through_strands`).
fn prune_log(
    conn: &mut PgConnection,
    tenant_id: i64,
    rules: Rules,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    use diesel::sql_types::{Array, SmallInt};
    let keep_from = now - Duration::days(i64::from(rules.operation_log_days.max(MIN_LOG_DAYS)));
    let ends: Vec<ChainEnd> = diesel::sql_query(
        "WITH kept AS (
             SELECT chain_strand,
                 coalesce(min(chain_position) FILTER (WHERE created_at >= $2),
                          max(chain_position)) AS first
             FROM audit_log WHERE tenant_id = $1 GROUP BY chain_strand)
         SELECT DISTINCT ON (a.chain_strand) a.chain_strand, a.chain_position, a.row_hash
         FROM audit_log a JOIN kept USING (chain_strand)
         WHERE a.tenant_id = $1
           AND a.chain_position < kept.first
         ORDER BY a.chain_strand, a.chain_position DESC",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Timestamptz, _>(keep_from)
    .load(conn)?;
    if ends.is_empty() {
        return Ok(0);
    }
    // Every strand's start, not only those cut now, read before the older records go: the
    // new record may be the only one left once the earlier ones are pruned in turn.
    let mut starts: std::collections::BTreeMap<i16, (i64, String)> =
        crate::domain::audit_chain::strand_starts(conn, tenant_id)?
            .into_iter()
            .map(|s| (s.strand, (s.position, s.hash)))
            .collect();
    for end in &ends {
        starts.insert(end.chain_strand, (end.chain_position, end.row_hash.clone()));
    }
    crate::domain::tenant_lifecycle::allow_erasing(conn, Some(tenant_id))?;
    let removed = diesel::sql_query(
        "DELETE FROM audit_log a
         USING unnest($2::smallint[], $3::bigint[]) AS e(strand, position)
         WHERE a.tenant_id = $1 AND a.chain_strand = e.strand AND a.chain_position <= e.position",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Array<SmallInt>, _>(ends.iter().map(|e| e.chain_strand).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(ends.iter().map(|e| e.chain_position).collect::<Vec<_>>())
    .execute(conn)?;
    crate::domain::tenant_lifecycle::allow_erasing(conn, None)?;
    let mut details = json!({ "rows": removed, "kept_days": rules.operation_log_days });
    let mut others = serde_json::Map::new();
    for (strand, (position, hash)) in starts {
        if strand == 0 {
            details["through_position"] = json!(position);
            details["through_hash"] = json!(hash);
        } else {
            others.insert(
                strand.to_string(),
                json!({ "position": position, "hash": hash }),
            );
        }
    }
    if !others.is_empty() {
        details["through_strands"] = serde_json::Value::Object(others);
    }
    NewAuditEntry {
        tenant_id: Some(tenant_id),
        actor: "system",
        action: "log.pruned",
        target: "audit_log",
        client_addr: None,
        details,
        created_at: now,
    }
    .insert(conn)?;
    Ok(removed)
}

/// Erases the contact details of bookings whose visit day is before `before`, and the
/// addresses and codes of their messages; the bookings, their members and their history
/// stay, so every count in the reports stays as it was.
fn anonymise(
    conn: &mut PgConnection,
    tenant_id: i64,
    before: NaiveDate,
    now: DateTime<Utc>,
) -> QueryResult<(usize, usize)> {
    let bookings = diesel::sql_query(
        "UPDATE bookings SET contact_email = NULL, contact_phone = NULL, contact_name = NULL,
             note = '', anonymised_at = $3
         WHERE tenant_id = $1 AND anonymised_at IS NULL AND visit_day < $2",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Nullable<Date>, _>(Some(before))
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    diesel::sql_query(
        "UPDATE booking_members m SET person_key = NULL FROM bookings b
         WHERE m.tenant_id = $1 AND b.tenant_id = $1 AND b.id = m.booking_id
             AND b.anonymised_at IS NOT NULL AND m.person_key IS NOT NULL",
    )
    .bind::<BigInt, _>(tenant_id)
    .execute(conn)?;
    let messages = diesel::sql_query(
        "UPDATE mail_outbox o SET recipient = $2, one_time_code = NULL, requested_from = NULL,
             note = NULL
         FROM bookings b
         WHERE o.tenant_id = $1 AND b.tenant_id = $1 AND b.id = o.booking_id
             AND b.anonymised_at IS NOT NULL AND o.recipient <> $2",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Text, _>(ERASED_RECIPIENT)
    .execute(conn)?;
    Ok((bookings, messages))
}
