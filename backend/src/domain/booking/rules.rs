//! The rules every booking, hold and move passes, each failing with its own error code.

use chrono::Duration;
use diesel::PgConnection;

use crate::db::lane::Lane;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::domain::calendar::{deadline_day, deadline_lookback, ClosedDays};
use crate::domain::{Channel, Clock};
use crate::error::AppError;

/// The slot is open, offers the procedure, and (online) lies inside the booking window:
/// no more than `booking_opens_days` ahead and before the cut-off. Staff on the phone or
/// at the counter may book until the slot starts.
pub fn ensure_bookable(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    slot: &Slot,
    procedure_id: i64,
    channel: Channel,
) -> Result<(), AppError> {
    if !Lane::offers(conn, slot.lane_id, procedure_id)? {
        return Err(AppError::ProcedureNotOffered);
    }
    if slot.closed || slot.starts_at <= clock.now {
        return Err(AppError::SlotClosed);
    }
    if !channel.uses_web_share() {
        return Ok(());
    }
    let visit_day = clock.local_date(slot.starts_at);
    if visit_day > clock.today() + Duration::days(tenant.booking_opens_days.into()) {
        return Err(AppError::OutsideBookingWindow);
    }
    let cutoff = deadline(
        conn,
        clock,
        tenant,
        visit_day,
        tenant.cutoff_days_before,
        tenant.cutoff_time,
    )?;
    if clock.now >= cutoff {
        return Err(AppError::OutsideBookingWindow);
    }
    Ok(())
}

/// Online changes and cancellations end at the procedure's (or else the tenant's)
/// deadline before the visit.
pub fn ensure_changeable(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    procedure: &Procedure,
    current: &Slot,
    channel: Channel,
) -> Result<(), AppError> {
    if !channel.uses_web_share() {
        return Ok(());
    }
    if clock.now >= change_deadline(conn, clock, tenant, procedure, current)? {
        return Err(AppError::ChangeDeadlinePassed);
    }
    Ok(())
}

/// Until when a resident may change or cancel a visit for `procedure` in `slot` online:
/// the procedure's own deadline before the visit day, or else the tenant's, and never later
/// than the visit's start.
pub fn change_deadline(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    procedure: &Procedure,
    slot: &Slot,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let (days_before, time) = procedure
        .change_days_before
        .zip(procedure.change_at)
        .unwrap_or((
            tenant.change_deadline_days_before,
            tenant.change_deadline_time,
        ));
    let limit = deadline(
        conn,
        clock,
        tenant,
        clock.local_date(slot.starts_at),
        days_before,
        time,
    )?;
    Ok(limit.min(slot.starts_at))
}

pub fn deadline(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    visit_day: chrono::NaiveDate,
    days_before: i32,
    time: chrono::NaiveTime,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let day = if tenant.deadlines_skip_closed_days {
        let closed = ClosedDays::load(
            conn,
            tenant,
            visit_day - deadline_lookback(days_before),
            visit_day,
        )?;
        deadline_day(visit_day, days_before, true, &closed)
    } else {
        visit_day - Duration::days(days_before.into())
    };
    Ok(clock.instant(day.and_time(time)))
}

/// There is room for `places` more in the locked `slot`, counting bookings and unexpired
/// holds. Residents online fill only the web share; staff may fill the whole slot.
pub fn ensure_room(
    conn: &mut PgConnection,
    clock: &Clock,
    slot: &Slot,
    places: i32,
    channel: Channel,
) -> Result<(), AppError> {
    let held: i64 = Slot::held_places(conn, &[slot.id], clock.now, None)?
        .into_iter()
        .map(|(_, places)| places)
        .sum();
    let limit = if channel.uses_web_share() {
        slot.web_capacity
    } else {
        slot.capacity
    };
    if i64::from(slot.booked) + held + i64::from(places) > i64::from(limit) {
        return Err(AppError::SlotFull);
    }
    Ok(())
}

pub fn ensure_party_size(tenant: &Tenant, places: i32) -> Result<(), AppError> {
    if places < 1 {
        return Err(AppError::invalid("party_size", "invalid_party_empty"));
    }
    if places > tenant.max_party_size {
        return Err(AppError::PartyTooLarge {
            max: tenant.max_party_size,
        });
    }
    Ok(())
}

pub fn lock_slot(conn: &mut PgConnection, tenant: &Tenant, slot_id: i64) -> Result<Slot, AppError> {
    Slot::lock(conn, tenant.id, slot_id)?.ok_or(AppError::NotFound(crate::error::Resource::Slot))
}
