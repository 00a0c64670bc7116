//! A city's own closed days (a facility inspection, an election day): added and removed
//! by its administrators, closing or reopening that city's slots only. The national
//! holidays are platform data, imported by the operator (`madoguchi holidays import`).
//! A day with bookings is not closed over them: they are moved or cancelled first.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::PgConnection;

use super::Clock;
use crate::db::booking::ONGOING_STATUSES;
use crate::db::schema::{bookings, slots};
use crate::db::tenant::Tenant;
use crate::db::timetable::Closure;
use crate::error::AppError;

/// What closing a day did, or why it did not.
pub enum Closing {
    Closed(Closure),
    /// Bookings stand on that day there: (how many).
    HasBookings(i64),
}

/// Closes `day` at `location_id` (every location with `None`) for `reason`, unless
/// bookings stand then; regenerates the city's slots of that day.
pub fn close(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location_id: Option<i64>,
    day: NaiveDate,
    reason: &str,
) -> Result<Closing, AppError> {
    let standing = bookings_on(conn, clock, tenant, location_id, day)?;
    if standing > 0 {
        return Ok(Closing::HasBookings(standing));
    }
    let closure = Closure::upsert(conn, tenant.id, location_id, day, reason)?;
    super::slots::generate(conn, clock, tenant, day, day)?;
    Ok(Closing::Closed(closure))
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

/// Bookings still ahead or under way on `day` at the location (or anywhere in the city).
fn bookings_on(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location_id: Option<i64>,
    day: NaiveDate,
) -> Result<i64, AppError> {
    let mut query = bookings::table
        .inner_join(slots::table)
        .filter(bookings::tenant_id.eq(tenant.id))
        .filter(bookings::status.eq_any(ONGOING_STATUSES))
        .filter(slots::starts_at.ge(clock.start_of(day)))
        .filter(slots::starts_at.lt(clock.start_of(day + chrono::Duration::days(1))))
        .into_boxed();
    if let Some(location_id) = location_id {
        query = query.filter(slots::location_id.eq(location_id));
    }
    Ok(query.count().get_result(conn)?)
}
