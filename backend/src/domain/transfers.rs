//! Transfer lists (移送リスト): in cities that keep cards at a central store and let residents
//! pick up at any issuing counter, the cards booked at a counter other than where they are
//! kept must be sent there before the day. A list is sent (the cards go in transfer) and each
//! card is received at its counter by a scan (the card has arrived).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;

use super::card_status::{self, StatusChange};
use super::Clock;
use crate::db::kinds::BookingStatus;
use crate::db::kinds::CardStatus;
use crate::db::schema::{booking_members, bookings, card_records, locations, slots};
use crate::error::AppError;

/// One card to move: from where it is kept to the counter of its booking.
#[derive(Clone, Debug, Queryable)]
pub struct TransferLine {
    pub card_id: i64,
    pub manufacture_number: String,
    pub name: String,
    pub card_status: CardStatus,
    pub from_location: String,
    pub to_location_id: i64,
    pub booking_code: String,
    pub visit: DateTime<Utc>,
}

/// The cards to move for bookings visiting between `from` and `to` (both included), to one
/// destination counter or all.
pub fn list(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    destination: Option<i64>,
) -> QueryResult<Vec<TransferLine>> {
    let mut query = booking_members::table
        .inner_join(bookings::table.inner_join(slots::table))
        .inner_join(
            card_records::table
                .on(card_records::id.nullable().eq(booking_members::card_id))
                .inner_join(locations::table),
        )
        .filter(bookings::tenant_id.eq(tenant_id))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .filter(booking_members::active.eq(true))
        .filter(slots::starts_at.ge(clock.start_of(from)))
        .filter(slots::starts_at.lt(clock.start_of(to + chrono::Duration::days(1))))
        .filter(card_records::location_id.ne(slots::location_id))
        .select((
            card_records::id,
            card_records::manufacture_number,
            card_records::name,
            card_records::status,
            locations::name,
            slots::location_id,
            bookings::code,
            slots::starts_at,
        ))
        .into_boxed();
    if let Some(destination) = destination {
        query = query.filter(slots::location_id.eq(destination));
    }
    query
        .order((slots::location_id, slots::starts_at, card_records::id))
        .load(conn)
}

/// Marks the cards of a list that are still waiting as sent; returns how many.
pub fn send(
    conn: &mut PgConnection,
    tenant_id: i64,
    lines: &[TransferLine],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut sent = 0;
    for line in lines.iter().filter(|l| l.card_status == CardStatus::Booked) {
        let change = StatusChange {
            to: CardStatus::InTransfer,
            actor,
            at: now,
            details: json!({ "booking": line.booking_code, "to_location_id": line.to_location_id }),
            undo: false,
        };
        card_status::change(conn, tenant_id, line.card_id, &change)?;
        sent += 1;
    }
    Ok(sent)
}

/// A card scanned at the counter it was sent to: by its 製造管理番号, or by its booking code.
/// Returns the card's id.
pub fn receive(
    conn: &mut PgConnection,
    tenant_id: i64,
    scanned: &str,
    at_location: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let compact = super::input::letters_and_digits(scanned);
    let found: Option<(i64, i64)> = card_records::table
        .inner_join(
            booking_members::table.on(booking_members::card_id.eq(card_records::id.nullable())),
        )
        .inner_join(bookings::table.on(bookings::id.eq(booking_members::booking_id)))
        .inner_join(slots::table.on(slots::id.eq(bookings::slot_id)))
        .filter(card_records::tenant_id.eq(tenant_id))
        .filter(booking_members::active.eq(true))
        .filter(
            card_records::manufacture_number
                .eq(&compact)
                .or(bookings::code.eq(&compact)),
        )
        .select((card_records::id, slots::location_id))
        .first(conn)
        .optional()?;
    let Some((card_id, destination)) = found else {
        return Err(AppError::NotFound(crate::error::Resource::Card));
    };
    if destination != at_location {
        return Err(AppError::WrongLocation);
    }
    let change = StatusChange {
        to: CardStatus::Transferred,
        actor,
        at: now,
        details: json!({ "at_location_id": at_location }),
        undo: false,
    };
    card_status::change(conn, tenant_id, card_id, &change)?;
    Ok(card_id)
}
