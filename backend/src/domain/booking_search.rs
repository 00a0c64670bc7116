//! Finding bookings for staff: filters, sorting, pages, and rows for exports.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use diesel::dsl::sql;
use diesel::sql_types::{Bool, Text};

use super::card_search::{kana_prefix, KANA_LIKE};
use super::Clock;
use crate::db::schema::{booking_members, bookings, card_records, locations, procedures, slots};
use crate::db::tenant::Tenant;

/// The columns a list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortColumn {
    Code,
    #[default]
    Visit,
    Location,
    Procedure,
    Party,
    Status,
    Channel,
    BookedAt,
}

impl SortColumn {
    pub const ALL: [SortColumn; 8] = [
        SortColumn::Code,
        SortColumn::Visit,
        SortColumn::Location,
        SortColumn::Procedure,
        SortColumn::Party,
        SortColumn::Status,
        SortColumn::Channel,
        SortColumn::BookedAt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortColumn::Code => "code",
            SortColumn::Visit => "visit",
            SortColumn::Location => "location",
            SortColumn::Procedure => "procedure",
            SortColumn::Party => "party",
            SortColumn::Status => "status",
            SortColumn::Channel => "channel",
            SortColumn::BookedAt => "booked_at",
        }
    }

    pub fn parse(name: &str) -> Option<SortColumn> {
        SortColumn::ALL.into_iter().find(|c| c.name() == name)
    }
}

#[derive(Clone, Debug, Default)]
pub struct BookingFilter {
    pub visit_from: Option<NaiveDate>,
    pub visit_to: Option<NaiveDate>,
    pub booked_from: Option<NaiveDate>,
    pub booked_to: Option<NaiveDate>,
    pub location: Option<String>,
    /// Only these locations (an account limited to some); empty: all.
    pub location_ids: Vec<i64>,
    pub procedure: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    /// Part of the booking code, as typed.
    pub code: Option<String>,
    /// Start of the name in katakana of a card of the booking.
    pub kana: Option<String>,
    /// Birth date of a card holder of the booking.
    pub birth_date: Option<NaiveDate>,
    pub sort: SortColumn,
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
    pub contact_name: Option<String>,
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
            bookings::contact_name,
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
    if !filter.location_ids.is_empty() {
        query = query.filter(locations::id.eq_any(filter.location_ids.clone()));
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
        let compact = super::input::letters_and_digits(code);
        query = query.filter(bookings::code.like(format!("%{compact}%")));
    }
    if let Some(from) = filter.booked_from {
        query = query.filter(bookings::created_at.ge(clock.start_of(from)));
    }
    if let Some(to) = filter.booked_to {
        query =
            query.filter(bookings::created_at.lt(clock.start_of(to + chrono::Duration::days(1))));
    }
    if filter.kana.is_some() || filter.birth_date.is_some() {
        let mut with_card = booking_members::table
            .inner_join(
                card_records::table.on(card_records::id.nullable().eq(booking_members::card_id)),
            )
            .select(booking_members::booking_id)
            .into_boxed();
        if let Some(kana) = &filter.kana {
            with_card = with_card.filter(sql::<Bool>(KANA_LIKE).bind::<Text, _>(kana_prefix(kana)));
        }
        if let Some(born) = filter.birth_date {
            with_card = with_card.filter(card_records::birth_date.eq(born));
        }
        query = query.filter(bookings::id.eq_any(with_card));
    }
    macro_rules! by {
        ($column:expr) => {
            if filter.descending {
                query.order($column.desc())
            } else {
                query.order($column.asc())
            }
        };
    }
    query = match filter.sort {
        SortColumn::Code => by!(bookings::code),
        SortColumn::Visit => by!(slots::starts_at),
        SortColumn::Location => by!(locations::code),
        SortColumn::Procedure => by!(procedures::sort_order),
        SortColumn::Party => by!(bookings::party_size),
        SortColumn::Status => by!(bookings::status),
        SortColumn::Channel => by!(bookings::channel),
        SortColumn::BookedAt => by!(bookings::created_at),
    };
    // Equal values keep a fixed order, so that pages neither repeat nor skip rows.
    query = if filter.descending {
        query.then_order_by(bookings::id.desc())
    } else {
        query.then_order_by(bookings::id.asc())
    };
    query.offset(offset).limit(limit).load(conn)
}
