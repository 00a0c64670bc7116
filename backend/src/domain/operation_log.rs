//! Reading the operation log (the audit log): every login, view of a personal record,
//! check-in, export and booking change, newest first. The table refuses updates and
//! deletes at the database, so nothing here can alter it.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use super::input::like_escape;
use super::Clock;
use crate::db::schema::audit_log;

#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Part of the actor, e.g. a login ID.
    pub actor: Option<String>,
    /// The start of the action, e.g. `staff.` or `booking.view`.
    pub action: Option<String>,
    /// Part of the target, e.g. a booking code.
    pub target: Option<String>,
}

#[derive(Clone, Debug, Queryable)]
pub struct LogLine {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: Option<String>,
    pub details: serde_json::Value,
}

fn contains(text: &str) -> String {
    format!("%{}%", like_escape(text))
}

pub fn search(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant_id: i64,
    filter: &LogFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<LogLine>> {
    let mut query = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant_id))
        .select((
            audit_log::id,
            audit_log::created_at,
            audit_log::actor,
            audit_log::action,
            audit_log::target,
            audit_log::client_addr,
            audit_log::details,
        ))
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(audit_log::created_at.ge(clock.start_of(from)));
    }
    if let Some(to) = filter.to {
        query =
            query.filter(audit_log::created_at.lt(clock.start_of(to + chrono::Duration::days(1))));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor.like(contains(actor)));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.like(format!("{}%", like_escape(action))));
    }
    if let Some(target) = &filter.target {
        query = query.filter(audit_log::target.like(contains(target)));
    }
    query
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// The actions recorded for a tenant, for the filter's choices.
pub fn actions(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<String>> {
    audit_log::table
        .filter(audit_log::tenant_id.eq(tenant_id))
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action)
        .load(conn)
}
