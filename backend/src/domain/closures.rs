//! A city's own closed days (a facility inspection, an election day): added and removed
//! by its administrators, closing or reopening that city's slots only. The national
//! holidays are platform data, imported by the operator (`madoguchi holidays import`).
//! Bookings on a day to close are listed first, and kept or cancelled with a message.

use chrono::NaiveDate;
use diesel::PgConnection;

use super::displaced::{self, Decided, Displaced, Settled};
use super::Clock;
use crate::db::tenant::Tenant;
use crate::db::timetable::Closure;
use crate::error::AppError;

/// What closing days did: the closed days, and what became of the bookings on them.
pub struct Closed {
    pub closures: Vec<Closure>,
    pub settled: Settled,
}

/// Longest span closed at once, in days.
pub const MAX_SPAN_DAYS: i64 = 31;

/// Closes the days `from..=to` at `location_id` (every location with `None`) for
/// `reason`, and regenerates the city's slots of those days. Bookings standing then are
/// kept or cancelled as `decided` says; when it says nothing of them, or of other
/// bookings than those standing now, nothing is closed and they are returned.
#[allow(clippy::too_many_arguments)]
pub fn close(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
    decided: &Decided,
) -> Result<Result<Closed, Vec<Displaced>>, AppError> {
    let standing = displaced::in_days(conn, clock, tenant, location_id, from, to)?;
    let settled = match displaced::settle(conn, clock, tenant, &standing, decided)? {
        Ok(settled) => settled,
        Err(_) => return Ok(Err(standing)),
    };
    let mut closures = Vec::new();
    let mut day = from;
    while day <= to {
        closures.push(Closure::upsert(conn, tenant.id, location_id, day, reason)?);
        day += chrono::Duration::days(1);
    }
    super::slots::generate(conn, clock, tenant, from, to)?;
    Ok(Ok(Closed { closures, settled }))
}

/// Opens a closed day again; its slots come back from the timetable.
pub fn reopen(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    closure_id: i64,
) -> Result<Option<Closure>, AppError> {
    let removed = Closure::delete(conn, tenant.id, closure_id)?;
    if let Some(closure) = &removed {
        super::slots::generate(conn, clock, tenant, closure.day, closure.day)?;
    }
    Ok(removed)
}
