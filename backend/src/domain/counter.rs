//! At the counter: checking visitors in by their booking code, handing cards over,
//! marking no-shows, and undoing the last of these with a reason.

use crate::db::kinds::BookingEventKind;
use crate::db::kinds::BookingStatus;
use crate::db::kinds::CardStatus;
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
        let (booking, slot) = lock_todays_booking(conn, clock, tenant, code, location_id)?;
        if booking.status != BookingStatus::Booked {
            return Err(AppError::CheckInRefused(CheckInProblem::AlreadyCheckedIn));
        }
        let checked_in: Booking = diesel::update(bookings::table.find(booking.id))
            .set((
                bookings::status.eq(BookingStatus::CheckedIn),
                bookings::updated_at.eq(clock.now),
            ))
            .returning(Booking::as_returning())
            .get_result(conn)?;
        record_change(
            conn,
            clock,
            tenant,
            &checked_in,
            BookingEventKind::CheckedIn,
            actor,
            (Some(slot.id), None),
            json!({ "location_id": location_id }),
        )?;
        BookingDetails::load(conn, tenant, checked_in)
    })
}

/// Locks the booking with `code` and checks it is one of today at `location_id` and not
/// cancelled: each of those is a distinct refusal at the scan box.
fn lock_todays_booking(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    code: &BookingCode,
    location_id: i64,
) -> Result<(Booking, Slot), AppError> {
    let booking: Booking = bookings::table
        .filter(bookings::tenant_id.eq(tenant.id))
        .filter(bookings::code.eq(code.as_str()))
        .select(Booking::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Resource::Booking))?;
    let slot =
        Slot::find(conn, tenant.id, booking.slot_id)?.ok_or(AppError::NotFound(Resource::Slot))?;
    let refuse = |problem| Err(AppError::CheckInRefused(problem));
    if booking.status == BookingStatus::Cancelled {
        return refuse(CheckInProblem::Cancelled);
    }
    if clock.local_date(slot.starts_at) != clock.today() {
        return refuse(CheckInProblem::OtherDay);
    }
    if slot.location_id != location_id {
        return refuse(CheckInProblem::OtherLocation);
    }
    Ok((booking, slot))
}

/// What staff can do to a booking of today at the counter, after check-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterAction {
    /// 交付済: the card is handed over (the visitor was checked in).
    HandOver,
    /// The visitor did not come.
    NoShow,
    /// Undo the last counter action, with a reason.
    Undo,
}

impl CounterAction {
    pub const ALL: [CounterAction; 3] = [
        CounterAction::HandOver,
        CounterAction::NoShow,
        CounterAction::Undo,
    ];

    /// The word a button sends; the no-show action is named after the status it gives.
    pub fn as_str(self) -> &'static str {
        match self {
            CounterAction::HandOver => "hand_over",
            CounterAction::NoShow => BookingStatus::NoShow.as_str(),
            CounterAction::Undo => "undo",
        }
    }

    pub fn parse(text: &str) -> Option<CounterAction> {
        CounterAction::ALL
            .into_iter()
            .find(|action| action.as_str() == text)
    }

    /// What staff may do next to a booking in `status` (undo aside).
    pub fn next_for(status: BookingStatus) -> Option<CounterAction> {
        match status {
            BookingStatus::Booked => Some(CounterAction::NoShow),
            BookingStatus::CheckedIn => Some(CounterAction::HandOver),
            _ => None,
        }
    }

    /// Whether the last counter action on a booking in `status` can be undone.
    pub fn can_undo(status: BookingStatus) -> bool {
        matches!(
            status,
            BookingStatus::CheckedIn | BookingStatus::Completed | BookingStatus::NoShow
        )
    }
}

/// Applies `action` to today's booking `code` at `location_id`. Handing over also marks
/// the booking's cards 交付済 (issued), remembering their earlier status so an undo can
/// restore it.
#[allow(clippy::too_many_arguments)]
pub fn act(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    code: &BookingCode,
    location_id: i64,
    action: CounterAction,
    reason: &str,
    actor: &Actor,
) -> Result<BookingDetails, AppError> {
    use crate::db::card::CardRecord;
    use crate::db::schema::booking_events;
    use crate::domain::card_status;
    crate::db::transaction(conn, |conn| {
        let (booking, slot) = lock_todays_booking(conn, clock, tenant, code, location_id)?;
        let not_now = || AppError::invalid("action", "invalid_action_for_status");
        let (kind, to, details) = match action {
            CounterAction::HandOver => {
                if booking.status != BookingStatus::CheckedIn {
                    return Err(not_now());
                }
                let cards = CardRecord::of_booking(conn, tenant.id, booking.id)?;
                let before: serde_json::Map<String, serde_json::Value> = cards
                    .iter()
                    .map(|c| (c.id.to_string(), json!(c.status)))
                    .collect();
                for card in &cards {
                    card_status::change(
                        conn,
                        tenant.id,
                        card.id,
                        &card_change(CardStatus::Issued, actor, clock, &booking.code, false),
                    )?;
                }
                (
                    BookingEventKind::Completed,
                    BookingStatus::Completed,
                    json!({ "card_statuses_before": before }),
                )
            }
            CounterAction::NoShow => {
                if booking.status != BookingStatus::Booked {
                    return Err(not_now());
                }
                let ids: Vec<i64> = CardRecord::of_booking(conn, tenant.id, booking.id)?
                    .iter()
                    .map(|c| c.id)
                    .collect();
                card_status::release_after_booking(
                    conn,
                    tenant.id,
                    &ids,
                    &actor.label,
                    clock.now,
                    &booking.code,
                )?;
                (BookingEventKind::NoShow, BookingStatus::NoShow, json!({}))
            }
            CounterAction::Undo => {
                if reason.trim().is_empty() {
                    return Err(AppError::invalid("reason", "invalid_undo_reason_missing"));
                }
                let previous = match booking.status {
                    BookingStatus::Completed => BookingStatus::CheckedIn,
                    BookingStatus::CheckedIn | BookingStatus::NoShow => BookingStatus::Booked,
                    _ => return Err(not_now()),
                };
                if booking.status == BookingStatus::Completed {
                    // Give the cards back the status they had before the hand-over.
                    let last: Option<serde_json::Value> = booking_events::table
                        .filter(booking_events::booking_id.eq(booking.id))
                        .filter(booking_events::kind.eq(BookingEventKind::Completed))
                        .order(booking_events::id.desc())
                        .select(booking_events::details)
                        .first(conn)
                        .optional()?;
                    let before = last
                        .and_then(|d| d.get("card_statuses_before").cloned())
                        .unwrap_or_default();
                    if let Some(map) = before.as_object() {
                        for (id, status) in map {
                            if let (Ok(id), Some(status)) = (
                                id.parse::<i64>(),
                                status.as_str().and_then(CardStatus::parse),
                            ) {
                                card_status::change(
                                    conn,
                                    tenant.id,
                                    id,
                                    &card_change(status, actor, clock, &booking.code, true),
                                )?;
                            }
                        }
                    }
                }
                if booking.status == BookingStatus::NoShow {
                    // The visitor came after all: the cards are booked again.
                    for card in CardRecord::of_booking(conn, tenant.id, booking.id)? {
                        card_status::change(
                            conn,
                            tenant.id,
                            card.id,
                            &card_change(CardStatus::Booked, actor, clock, &booking.code, false),
                        )?;
                    }
                }
                (
                    BookingEventKind::Reverted,
                    previous,
                    json!({ "reason": reason.trim(), "from": booking.status }),
                )
            }
        };
        let changed: Booking = diesel::update(bookings::table.find(booking.id))
            .set((bookings::status.eq(to), bookings::updated_at.eq(clock.now)))
            .returning(Booking::as_returning())
            .get_result(conn)?;
        record_change(
            conn,
            clock,
            tenant,
            &changed,
            kind,
            actor,
            (Some(slot.id), None),
            details,
        )?;
        BookingDetails::load(conn, tenant, changed)
    })
}

/// A status change of a booking's card made at the counter.
fn card_change<'a>(
    to: CardStatus,
    actor: &'a Actor,
    clock: &Clock,
    booking_code: &str,
    undo: bool,
) -> crate::domain::card_status::StatusChange<'a> {
    crate::domain::card_status::StatusChange {
        to,
        actor: &actor.label,
        at: clock.now,
        details: json!({ "booking": booking_code }),
        undo,
    }
}
