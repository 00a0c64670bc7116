use crate::db::kinds::BookingEventKind;
use crate::db::kinds::BookingStatus;
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;

use super::create::{ensure_cards_can_come, take_hold};
use super::request::{record_change, BookingDetails, Placement};
use super::rules::{ensure_bookable, ensure_changeable, ensure_room, lock_slot};
use crate::db::booking::Booking;
use crate::db::card::CardRecord;
use crate::db::procedure::Procedure;
use crate::db::schema::bookings;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::domain::{Actor, Clock};
use crate::error::{AppError, Resource};

/// Moves a booking to another slot. Locks the booking, then both slots in id order, so
/// two moves crossing between the same slots cannot deadlock.
pub fn move_booking(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    booking_id: i64,
    target: &Placement,
    actor: &Actor,
) -> Result<BookingDetails, AppError> {
    crate::db::transaction(conn, |conn| {
        let booking = lock_booking(conn, tenant, booking_id)?;
        ensure_still_booked(&booking)?;
        let procedure = Procedure::by_id(conn, tenant.id, booking.procedure_id)?;
        let new_slot_id = match target {
            Placement::Slot { slot_id } => *slot_id,
            Placement::Hold { client_token } => take_hold(
                conn,
                clock,
                tenant,
                client_token,
                &procedure,
                booking.party_size,
            )?,
        };
        if new_slot_id == booking.slot_id {
            return Err(AppError::invalid("slot_id", "invalid_move_same_time"));
        }
        let (first, second) = if booking.slot_id < new_slot_id {
            (booking.slot_id, new_slot_id)
        } else {
            (new_slot_id, booking.slot_id)
        };
        let first = lock_slot(conn, tenant, first)?;
        let second = lock_slot(conn, tenant, second)?;
        let (old_slot, new_slot) = if first.id == booking.slot_id {
            (first, second)
        } else {
            (second, first)
        };
        ensure_changeable(conn, clock, tenant, &procedure, &old_slot, actor.channel)?;
        ensure_bookable(conn, clock, tenant, &new_slot, procedure.id, actor.channel)?;
        ensure_room(conn, clock, &new_slot, booking.party_size, actor.channel)?;
        let cards = CardRecord::of_booking(conn, tenant.id, booking.id)?;
        ensure_cards_can_come(conn, tenant, &new_slot, &cards)?;

        Slot::add_booked(conn, old_slot.id, -booking.party_size)?;
        Slot::add_booked(conn, new_slot.id, booking.party_size)?;
        let moved: Booking = diesel::update(bookings::table.find(booking.id))
            .set((
                bookings::slot_id.eq(new_slot.id),
                bookings::updated_at.eq(clock.now),
            ))
            .returning(Booking::as_returning())
            .get_result(conn)?;
        record_change(
            conn,
            clock,
            tenant,
            &moved,
            BookingEventKind::Moved,
            actor,
            (Some(old_slot.id), Some(new_slot.id)),
            json!({ "from": old_slot.starts_at, "to": new_slot.starts_at }),
        )?;
        BookingDetails::load(conn, tenant, moved)
    })
}

/// Cancels a booking: a status and an event, never a delete. Cancelling a cancelled
/// booking again answers with it unchanged, so a retried request is harmless.
pub fn cancel(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    booking_id: i64,
    actor: &Actor,
) -> Result<BookingDetails, AppError> {
    cancel_saying(conn, clock, tenant, booking_id, actor, None)
}

/// Cancels a booking as `cancel` does; `message` (staff's words to the resident, such as
/// why the counter is closed) goes into the cancellation mail and the booking's history.
pub fn cancel_saying(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    booking_id: i64,
    actor: &Actor,
    message: Option<&str>,
) -> Result<BookingDetails, AppError> {
    crate::db::transaction(conn, |conn| {
        let booking = lock_booking(conn, tenant, booking_id)?;
        if booking.status == BookingStatus::Cancelled {
            return BookingDetails::load(conn, tenant, booking);
        }
        ensure_still_booked(&booking)?;
        let slot = lock_slot(conn, tenant, booking.slot_id)?;
        let procedure = Procedure::by_id(conn, tenant.id, booking.procedure_id)?;
        ensure_changeable(conn, clock, tenant, &procedure, &slot, actor.channel)?;
        Slot::add_booked(conn, slot.id, -booking.party_size)?;
        let cancelled: Booking = diesel::update(bookings::table.find(booking.id))
            .set((
                bookings::status.eq(BookingStatus::Cancelled),
                bookings::cancelled_at.eq(clock.now),
                bookings::updated_at.eq(clock.now),
            ))
            .returning(Booking::as_returning())
            .get_result(conn)?;
        Booking::set_members_active(conn, booking.id, false)?;
        let card_ids: Vec<i64> = CardRecord::of_booking(conn, tenant.id, booking.id)?
            .iter()
            .map(|c| c.id)
            .collect();
        crate::domain::card_status::release_after_booking(
            conn,
            tenant.id,
            &card_ids,
            &actor.label,
            clock.now,
            &booking.code,
        )?;
        record_change(
            conn,
            clock,
            tenant,
            &cancelled,
            BookingEventKind::Cancelled,
            actor,
            (Some(slot.id), None),
            match message {
                Some(message) => json!({ "party_size": booking.party_size, "message": message }),
                None => json!({ "party_size": booking.party_size }),
            },
        )?;
        BookingDetails::load(conn, tenant, cancelled)
    })
}

fn lock_booking(conn: &mut PgConnection, tenant: &Tenant, id: i64) -> Result<Booking, AppError> {
    bookings::table
        .filter(bookings::tenant_id.eq(tenant.id))
        .find(id)
        .select(Booking::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Resource::Booking))
}

fn ensure_still_booked(booking: &Booking) -> Result<(), AppError> {
    if booking.status != BookingStatus::Booked {
        return Err(AppError::invalid("booking", "invalid_booking_closed"));
    }
    Ok(())
}

/// Replaces the note staff keep on a booking; the event keeps the text it was set to.
pub fn set_note(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    booking_id: i64,
    note: &str,
    actor: &Actor,
) -> Result<Booking, AppError> {
    crate::db::transaction(conn, |conn| {
        let booking = lock_booking(conn, tenant, booking_id)?;
        let noted: Booking = diesel::update(bookings::table.find(booking.id))
            .set((bookings::note.eq(note), bookings::updated_at.eq(clock.now)))
            .returning(Booking::as_returning())
            .get_result(conn)?;
        record_change(
            conn,
            clock,
            tenant,
            &noted,
            BookingEventKind::Noted,
            actor,
            (None, None),
            json!({ "note": note }),
        )?;
        Ok(noted)
    })
}
