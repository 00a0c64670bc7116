use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::kinds::CardStatus;
use super::schema::card_records;

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = card_records)]
pub struct CardRecord {
    pub id: i64,
    pub tenant_id: i64,
    pub application_id: String,
    pub manufacture_number: String,
    pub reservation_number: Option<String>,
    pub password_hash: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub location_id: i64,
    pub shipment_number: String,
    pub manufactured_on: Option<NaiveDate>,
    pub status: CardStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = card_records)]
pub struct NewCardRecord {
    pub tenant_id: i64,
    pub application_id: String,
    pub manufacture_number: String,
    pub reservation_number: Option<String>,
    pub password_hash: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub location_id: i64,
    pub shipment_number: String,
    pub manufactured_on: Option<NaiveDate>,
}

impl CardRecord {
    pub fn by_reservation_number(
        conn: &mut PgConnection,
        tenant_id: i64,
        number: &str,
    ) -> QueryResult<Option<CardRecord>> {
        card_records::table
            .filter(card_records::tenant_id.eq(tenant_id))
            .filter(card_records::reservation_number.eq(number))
            .select(CardRecord::as_select())
            .first(conn)
            .optional()
    }

    pub fn by_manufacture_number(
        conn: &mut PgConnection,
        tenant_id: i64,
        number: &str,
    ) -> QueryResult<Option<CardRecord>> {
        card_records::table
            .filter(card_records::tenant_id.eq(tenant_id))
            .filter(card_records::manufacture_number.eq(number))
            .select(CardRecord::as_select())
            .first(conn)
            .optional()
    }

    /// The cards of the people a booking is for (pickups; none otherwise).
    pub fn of_booking(
        conn: &mut PgConnection,
        tenant_id: i64,
        booking_id: i64,
    ) -> QueryResult<Vec<CardRecord>> {
        use super::schema::booking_members;
        card_records::table
            .inner_join(
                booking_members::table.on(booking_members::card_id.eq(card_records::id.nullable())),
            )
            .filter(card_records::tenant_id.eq(tenant_id))
            .filter(booking_members::booking_id.eq(booking_id))
            .order(booking_members::position)
            .select(CardRecord::as_select())
            .load(conn)
    }

    /// The names on the cards of each of `booking_ids`, in member order: (booking id, name).
    pub fn holder_names(
        conn: &mut PgConnection,
        tenant_id: i64,
        booking_ids: &[i64],
    ) -> QueryResult<Vec<(i64, String)>> {
        use super::schema::booking_members;
        card_records::table
            .inner_join(
                booking_members::table.on(booking_members::card_id.eq(card_records::id.nullable())),
            )
            .filter(card_records::tenant_id.eq(tenant_id))
            .filter(booking_members::booking_id.eq_any(booking_ids))
            .order((booking_members::booking_id, booking_members::position))
            .select((booking_members::booking_id, card_records::name))
            .load(conn)
    }

    /// Who each of `booking_ids` is for, by the names on its cards joined with 「、」.
    pub fn names_by_booking(
        conn: &mut PgConnection,
        tenant_id: i64,
        booking_ids: &[i64],
    ) -> QueryResult<std::collections::HashMap<i64, String>> {
        let mut names: std::collections::HashMap<i64, String> = Default::default();
        for (booking_id, name) in Self::holder_names(conn, tenant_id, booking_ids)? {
            names
                .entry(booking_id)
                .and_modify(|all| {
                    all.push('、');
                    all.push_str(&name);
                })
                .or_insert(name);
        }
        Ok(names)
    }

    pub fn by_ids(
        conn: &mut PgConnection,
        tenant_id: i64,
        ids: &[i64],
    ) -> QueryResult<Vec<CardRecord>> {
        card_records::table
            .filter(card_records::tenant_id.eq(tenant_id))
            .filter(card_records::id.eq_any(ids))
            .select(CardRecord::as_select())
            .load(conn)
    }
}

/// One line of a card's history (`card_events`).
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = super::schema::card_events)]
pub struct CardEvent {
    pub created_at: DateTime<Utc>,
    pub kind: super::kinds::CardEventKind,
    pub from_status: Option<super::kinds::CardStatus>,
    pub to_status: Option<super::kinds::CardStatus>,
    pub actor: String,
    pub details: serde_json::Value,
}

/// A booking a card was part of, for the card's timeline.
#[derive(Queryable, Debug, Clone)]
pub struct CardBooking {
    pub booked_at: DateTime<Utc>,
    pub code: String,
    pub status: super::kinds::BookingStatus,
    pub starts_at: DateTime<Utc>,
}

impl CardRecord {
    /// Every event of this card, oldest first.
    pub fn events(&self, conn: &mut PgConnection) -> QueryResult<Vec<CardEvent>> {
        use super::schema::card_events;
        card_events::table
            .filter(card_events::tenant_id.eq(self.tenant_id))
            .filter(card_events::card_id.eq(self.id))
            .order(card_events::id)
            .select(CardEvent::as_select())
            .load(conn)
    }

    /// Every booking this card was part of, cancelled ones included.
    pub fn bookings(&self, conn: &mut PgConnection) -> QueryResult<Vec<CardBooking>> {
        use super::schema::{booking_members, bookings, slots};
        bookings::table
            .inner_join(booking_members::table)
            .inner_join(slots::table)
            .filter(bookings::tenant_id.eq(self.tenant_id))
            .filter(booking_members::card_id.eq(self.id))
            .select((
                bookings::created_at,
                bookings::code,
                bookings::status,
                slots::starts_at,
            ))
            .load(conn)
    }
}

/// One card import as its history lists it (`card_imports`).
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = super::schema::card_imports)]
pub struct CardImportSummary {
    pub created_at: DateTime<Utc>,
    pub actor: String,
    pub file_name: String,
    pub sha256: String,
    pub encoding: String,
    pub rows_read: i32,
    pub new_cards: i32,
    pub changed_cards: i32,
    pub unchanged_cards: i32,
}

impl CardImportSummary {
    /// A tenant's latest `limit` imports, newest first.
    pub fn latest(
        conn: &mut PgConnection,
        tenant_id: i64,
        limit: i64,
    ) -> QueryResult<Vec<CardImportSummary>> {
        use super::schema::card_imports;
        card_imports::table
            .filter(card_imports::tenant_id.eq(tenant_id))
            .order(card_imports::id.desc())
            .limit(limit)
            .select(CardImportSummary::as_select())
            .load(conn)
    }
}
