use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::kinds::{BookingEventKind, BookingStatus, Channel};
use super::procedure::Procedure;
use super::schema::{booking_events, booking_members, bookings, procedures, slots};
use super::slot::Slot;

/// Statuses in which a booking is still ahead or under way: it blocks another booking
/// for the same card or person.
pub const ONGOING_STATUSES: [BookingStatus; 2] = [BookingStatus::Booked, BookingStatus::CheckedIn];

/// Who holds a booking: a card, or a person (by contact key) for a procedure.
#[derive(Clone, Copy, Debug)]
pub enum Holder<'a> {
    Card(i64),
    Person {
        procedure_id: i64,
        person_key: &'a str,
    },
}

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = bookings)]
pub struct Booking {
    pub id: i64,
    pub tenant_id: i64,
    pub code: String,
    pub slot_id: i64,
    pub procedure_id: i64,
    pub status: BookingStatus,
    pub channel: Channel,
    pub party_size: i32,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_name: Option<String>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The language the booking was made in (`ja`, `en`): its e-mail links open in it.
    pub lang: String,
}

#[derive(Insertable, Debug, Clone, Copy)]
#[diesel(table_name = bookings)]
pub struct NewBooking<'a> {
    pub tenant_id: i64,
    pub code: &'a str,
    pub slot_id: i64,
    pub procedure_id: i64,
    pub channel: Channel,
    pub party_size: i32,
    pub contact_email: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub note: &'a str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lang: &'a str,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = booking_members)]
pub struct BookingMember {
    pub id: i64,
    pub booking_id: i64,
    pub position: i32,
    pub card_id: Option<i64>,
    pub person_key: Option<String>,
    pub active: bool,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = booking_members)]
pub struct NewBookingMember<'a> {
    pub tenant_id: i64,
    pub booking_id: i64,
    pub position: i32,
    pub procedure_id: i64,
    pub card_id: Option<i64>,
    pub person_key: Option<&'a str>,
    pub active: bool,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = booking_events)]
pub struct BookingEvent {
    pub id: i64,
    pub booking_id: i64,
    pub kind: BookingEventKind,
    pub actor: String,
    pub channel: Channel,
    pub from_slot_id: Option<i64>,
    pub to_slot_id: Option<i64>,
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub client_addr: Option<String>,
}

impl Booking {
    /// The bookings (cancelled ones aside) of a location between two instants, with their
    /// slots and procedures, in the order of the day.
    pub fn at_location_between(
        conn: &mut PgConnection,
        tenant_id: i64,
        location_id: i64,
        (from, until): (DateTime<Utc>, DateTime<Utc>),
    ) -> QueryResult<Vec<(Booking, Slot, Procedure)>> {
        bookings::table
            .inner_join(slots::table)
            .inner_join(procedures::table)
            .filter(bookings::tenant_id.eq(tenant_id))
            .filter(slots::location_id.eq(location_id))
            .filter(slots::starts_at.ge(from))
            .filter(slots::starts_at.lt(until))
            .filter(bookings::status.ne(BookingStatus::Cancelled))
            .order((slots::starts_at, bookings::id))
            .select((
                Booking::as_select(),
                Slot::as_select(),
                Procedure::as_select(),
            ))
            .load(conn)
    }

    pub fn by_id(conn: &mut PgConnection, tenant_id: i64, id: i64) -> QueryResult<Booking> {
        bookings::table
            .filter(bookings::tenant_id.eq(tenant_id))
            .find(id)
            .select(Booking::as_select())
            .first(conn)
    }

    pub fn by_code(
        conn: &mut PgConnection,
        tenant_id: i64,
        code: &str,
    ) -> QueryResult<Option<Booking>> {
        bookings::table
            .filter(bookings::tenant_id.eq(tenant_id))
            .filter(bookings::code.eq(code))
            .select(Booking::as_select())
            .first(conn)
            .optional()
    }

    /// The upcoming (or in progress) booking that holds a card, or that a person holds
    /// for a procedure, if any: what "one active booking per card and per person" counts.
    pub fn active_for(
        conn: &mut PgConnection,
        tenant_id: i64,
        holder: Holder<'_>,
    ) -> QueryResult<Option<Booking>> {
        let query = bookings::table
            .inner_join(
                booking_members::table.on(booking_members::booking_id
                    .eq(bookings::id)
                    .and(booking_members::tenant_id.eq(bookings::tenant_id))),
            )
            .filter(bookings::tenant_id.eq(tenant_id))
            .filter(booking_members::active)
            .select(Booking::as_select())
            .into_boxed();
        let query = match holder {
            Holder::Card(card_id) => query.filter(booking_members::card_id.eq(card_id)),
            Holder::Person {
                procedure_id,
                person_key,
            } => query
                .filter(booking_members::procedure_id.eq(procedure_id))
                .filter(booking_members::person_key.eq(person_key)),
        };
        query.first(conn).optional()
    }

    pub fn members(&self, conn: &mut PgConnection) -> QueryResult<Vec<BookingMember>> {
        booking_members::table
            .filter(booking_members::booking_id.eq(self.id))
            .order(booking_members::position)
            .select(BookingMember::as_select())
            .load(conn)
    }

    pub fn events(&self, conn: &mut PgConnection) -> QueryResult<Vec<BookingEvent>> {
        booking_events::table
            .filter(booking_events::booking_id.eq(self.id))
            .order(booking_events::id)
            .select(BookingEvent::as_select())
            .load(conn)
    }

    pub fn set_members_active(
        conn: &mut PgConnection,
        booking_id: i64,
        active: bool,
    ) -> QueryResult<usize> {
        diesel::update(booking_members::table.filter(booking_members::booking_id.eq(booking_id)))
            .set(booking_members::active.eq(active))
            .execute(conn)
    }
}
