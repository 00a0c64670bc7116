//! Finding bookings for staff: filters, sorting, pages, and rows for exports.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use super::Clock;
use crate::db::schema::{booking_members, bookings, card_records, locations, procedures, slots};
use crate::db::tenant::Tenant;

#[derive(Clone, Debug, Default)]
pub struct BookingFilter {
    pub visit_from: Option<NaiveDate>,
    pub visit_to: Option<NaiveDate>,
    pub location: Option<String>,
    pub procedure: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    /// Part of the booking code, as typed.
    pub code: Option<String>,
    /// Start of the name in katakana of a card of the booking.
    pub kana: Option<String>,
    /// Sort by booking time instead of visit time.
    pub by_booked_at: bool,
    pub descending: bool,
}

/// One line of the list and of the exports.
#[derive(Clone, Debug, Queryable)]
pub struct BookingLine {
    pub id: i64,
    pub code: String,
    pub starts_at: DateTime<Utc>,
    pub location: String,
    pub procedure: String,
    pub party_size: i32,
    pub status: String,
    pub channel: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Up to `limit` bookings matching `filter`, after skipping `offset`.
pub fn search(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    filter: &BookingFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<BookingLine>> {
    let mut query = bookings::table
        .inner_join(slots::table.inner_join(locations::table))
        .inner_join(procedures::table)
        .filter(bookings::tenant_id.eq(tenant.id))
        .select((
            bookings::id,
            bookings::code,
            slots::starts_at,
            locations::name,
            procedures::name_ja,
            bookings::party_size,
            bookings::status,
            bookings::channel,
            bookings::contact_email,
            bookings::contact_phone,
            bookings::created_at,
        ))
        .into_boxed();
    if let Some(from) = filter.visit_from {
        query = query.filter(slots::starts_at.ge(clock.start_of(from)));
    }
    if let Some(to) = filter.visit_to {
        query = query.filter(slots::starts_at.lt(clock.start_of(to + chrono::Duration::days(1))));
    }
    if let Some(location) = &filter.location {
        query = query.filter(locations::code.eq(location.clone()));
    }
    if let Some(procedure) = &filter.procedure {
        query = query.filter(procedures::code.eq(procedure.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(bookings::status.eq(status.clone()));
    }
    if let Some(channel) = &filter.channel {
        query = query.filter(bookings::channel.eq(channel.clone()));
    }
    if let Some(code) = &filter.code {
        let compact: String = super::input::fold_width(code)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        query = query.filter(bookings::code.like(format!("%{compact}%")));
    }
    if let Some(kana) = &filter.kana {
        let with_card = booking_members::table
            .inner_join(
                card_records::table.on(card_records::id.nullable().eq(booking_members::card_id)),
            )
            .filter(card_records::name_kana.like(format!("{}%", kana.replace(['%', '_'], ""))))
            .select(booking_members::booking_id);
        query = query.filter(bookings::id.eq_any(with_card));
    }
    query = match (filter.by_booked_at, filter.descending) {
        (false, false) => query.order((slots::starts_at.asc(), bookings::id.asc())),
        (false, true) => query.order((slots::starts_at.desc(), bookings::id.desc())),
        (true, false) => query.order((bookings::created_at.asc(), bookings::id.asc())),
        (true, true) => query.order((bookings::created_at.desc(), bookings::id.desc())),
    };
    query.offset(offset).limit(limit).load(conn)
}
