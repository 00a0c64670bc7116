//! Bookings a change of the city's settings leaves without a place: on a day it closes, at a
//! time its new hours no longer have, or beyond a slot's new capacity. They are never
//! dropped silently: they are listed by name and time, and the administrator keeps them
//! (staff then call the residents) or cancels them with a message each resident is mailed.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use super::slots::SlotAttention;
use super::{Actor, Clock};
use crate::db::kinds::BookingStatus;
use crate::db::schema::{bookings, locations, slots};
use crate::db::tenant::Tenant;
use crate::error::AppError;

/// A booking left without a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Displaced {
    pub booking_id: i64,
    pub code: String,
    /// The resident's name as given, or their contact when the city asks no name.
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub location: String,
    pub party_size: i32,
    /// Still inside the hours, but beyond the places the slot now has.
    pub over_capacity: bool,
}

/// A booking as loaded: id, code, name, e-mail, phone, start, location, party, slot.
type Row = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    String,
    i32,
    i64,
);

fn displaced(row: Row, over_capacity: bool) -> Displaced {
    let (booking_id, code, name, email, phone, starts_at, location, party_size, _) = row;
    let name = [name, email, phone]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or_default();
    Displaced {
        booking_id,
        code,
        name,
        starts_at,
        location,
        party_size,
        over_capacity,
    }
}

macro_rules! booked_rows {
    ($tenant_id:expr) => {
        bookings::table
            .inner_join(slots::table.inner_join(locations::table))
            .filter(bookings::tenant_id.eq($tenant_id))
            .filter(bookings::status.eq(BookingStatus::Booked))
            .order((slots::starts_at, bookings::created_at, bookings::id))
            .select((
                bookings::id,
                bookings::code,
                bookings::contact_name,
                bookings::contact_email,
                bookings::contact_phone,
                slots::starts_at,
                locations::name,
                bookings::party_size,
                slots::id,
            ))
    };
}

/// The bookings on the slots a regeneration flagged: every booking of a slot the hours no
/// longer have; of a slot with fewer places, the latest made beyond those places.
pub fn on_slots(
    conn: &mut PgConnection,
    tenant: &Tenant,
    flagged: &[SlotAttention],
) -> Result<Vec<Displaced>, AppError> {
    let ids: Vec<i64> = flagged.iter().map(|s| s.slot_id).collect();
    let rows: Vec<Row> = booked_rows!(tenant.id)
        .filter(slots::id.eq_any(&ids))
        .load(conn)?;
    let mut list = Vec::new();
    for slot in flagged {
        let mut places_left = slot.timetable_capacity;
        for row in rows.iter().filter(|r| r.8 == slot.slot_id) {
            if places_left >= row.7 && slot.timetable_capacity > 0 {
                places_left -= row.7;
                continue;
            }
            list.push(displaced(row.clone(), slot.timetable_capacity > 0));
        }
    }
    list.sort_by_key(|d| (d.starts_at, d.booking_id));
    Ok(list)
}

/// The bookings standing on the days `from..=to` at a location (anywhere with `None`).
pub fn in_days(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Displaced>, AppError> {
    let mut query = booked_rows!(tenant.id)
        .filter(slots::starts_at.ge(clock.start_of(from)))
        .filter(slots::starts_at.lt(clock.start_of(to + chrono::Duration::days(1))))
        .into_boxed();
    if let Some(location_id) = location_id {
        query = query.filter(slots::location_id.eq(location_id));
    }
    let rows: Vec<Row> = query.load(conn)?;
    Ok(rows.into_iter().map(|r| displaced(r, false)).collect())
}

/// What becomes of the bookings a change leaves without a place.
#[derive(Debug, Clone)]
pub enum Displacement {
    /// Not chosen yet: a change that displaces bookings is not made.
    Undecided,
    /// They stand; staff contact the residents.
    Keep,
    /// Each is cancelled, and its resident mailed this message.
    Cancel { message: String, actor: Actor },
}

/// The administrator's decision, with the bookings (ids) listed when it was made.
#[derive(Debug, Clone)]
pub struct Decided {
    pub seen: Vec<i64>,
    pub displacement: Displacement,
}

/// Why displaced bookings were not settled.
#[derive(Debug)]
pub enum Unsettled {
    /// Other bookings are displaced now than those listed when it was decided.
    Changed,
    /// No one chose to keep or cancel them.
    Undecided,
}

/// What became of displaced bookings: the codes cancelled with a message, and kept.
#[derive(Debug, Default)]
pub struct Settled {
    pub cancelled: Vec<String>,
    pub kept: Vec<String>,
}

/// Carries out `decided` for `list`, when `list` is what the administrator saw.
pub fn settle(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    list: &[Displaced],
    decided: &Decided,
) -> Result<Result<Settled, Unsettled>, AppError> {
    if list.is_empty() {
        return Ok(Ok(Settled::default()));
    }
    let mut listed: Vec<i64> = list.iter().map(|d| d.booking_id).collect();
    listed.sort_unstable();
    let mut seen = decided.seen.clone();
    seen.sort_unstable();
    if listed != seen {
        return Ok(Err(Unsettled::Changed));
    }
    let codes = || list.iter().map(|d| d.code.clone()).collect();
    match &decided.displacement {
        Displacement::Undecided => Ok(Err(Unsettled::Undecided)),
        Displacement::Keep => Ok(Ok(Settled {
            kept: codes(),
            cancelled: Vec::new(),
        })),
        Displacement::Cancel { message, actor } => {
            for booking in list {
                super::booking::cancel_saying(
                    conn,
                    clock,
                    tenant,
                    booking.booking_id,
                    actor,
                    Some(message),
                )?;
            }
            Ok(Ok(Settled {
                cancelled: codes(),
                kept: Vec::new(),
            }))
        }
    }
}
