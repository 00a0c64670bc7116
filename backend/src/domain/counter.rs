//! At the counter: checking visitors in by their booking code.

use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;

use super::booking::{record_change, BookingDetails};
use super::input::BookingCode;
use super::{Actor, Clock};
use crate::db::booking::Booking;
use crate::db::schema::bookings;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::error::{AppError, CheckInProblem, Resource};

/// Checks in the booking with `code` at `location_id` today. The booking row is locked,
/// so two desks scanning the same code at once make one check-in; the other is told it
/// is already done.
pub fn check_in(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    code: &BookingCode,
    location_id: i64,
    actor: &Actor,
) -> Result<BookingDetails, AppError> {
    crate::db::transaction(conn, |conn| {
        let booking: Booking = bookings::table
            .filter(bookings::tenant_id.eq(tenant.id))
            .filter(bookings::code.eq(code.as_str()))
            .select(Booking::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound(Resource::Booking))?;
        let slot = Slot::find(conn, tenant.id, booking.slot_id)?
            .ok_or(AppError::NotFound(Resource::Slot))?;
        let refuse = |problem| Err(AppError::CheckInRefused(problem));
        if booking.status == "cancelled" {
            return refuse(CheckInProblem::Cancelled);
        }
        if clock.local_date(slot.starts_at) != clock.today() {
            return refuse(CheckInProblem::OtherDay);
        }
        if slot.location_id != location_id {
            return refuse(CheckInProblem::OtherLocation);
        }
        if booking.status != "booked" {
            return refuse(CheckInProblem::AlreadyCheckedIn);
        }
        let checked_in: Booking = diesel::update(bookings::table.find(booking.id))
            .set((
                bookings::status.eq("checked_in"),
                bookings::updated_at.eq(clock.now),
            ))
            .returning(Booking::as_returning())
            .get_result(conn)?;
        record_change(
            conn,
            clock,
            tenant,
            &checked_in,
            "checked_in",
            actor,
            (Some(slot.id), None),
            json!({ "location_id": location_id }),
        )?;
        BookingDetails::load(conn, tenant, checked_in)
    })
}
