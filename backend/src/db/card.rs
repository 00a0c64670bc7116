use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

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
    pub status: String,
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
