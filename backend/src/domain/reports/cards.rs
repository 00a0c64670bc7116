//! The card pipeline per counter: how many cards came in with the J-LIS files, were
//! notified, booked, transferred, handed over and returned in a span, how many wait now,
//! and the lists behind the numbers a counter works from.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz};
use diesel::PgConnection;

use crate::domain::Clock;

/// One counter's line of the pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq, QueryableByName)]
pub struct PipelineLine {
    #[diesel(sql_type = BigInt)]
    pub location_id: i64,
    #[diesel(sql_type = Text)]
    pub location: String,
    #[diesel(sql_type = Text)]
    pub location_code: String,
    #[diesel(sql_type = BigInt)]
    pub imported: i64,
    #[diesel(sql_type = BigInt)]
    pub notified: i64,
    #[diesel(sql_type = BigInt)]
    pub booked: i64,
    #[diesel(sql_type = BigInt)]
    pub transferred: i64,
    #[diesel(sql_type = BigInt)]
    pub handed_over: i64,
    #[diesel(sql_type = BigInt)]
    pub returned: i64,
    /// Cards at this counter not yet handed over nor on their way back, now.
    #[diesel(sql_type = BigInt)]
    pub waiting: i64,
}

/// Each counter that issues cards, with what happened to its cards from `from` to `to`
/// (inclusive). A card counts once per step however often it went through it, and a
/// hand-over undone at the counter does not count.
pub fn pipeline(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    location_ids: &[i64],
) -> QueryResult<Vec<PipelineLine>> {
    use crate::db::kinds::CardStatus::*;
    let [notified, booked, transferred, issued, returned, received, in_transfer] = [
        Notified,
        Booked,
        Transferred,
        Issued,
        Returned,
        Received,
        InTransfer,
    ]
    .map(|s| s.as_str());
    diesel::sql_query(format!(
        "WITH steps AS (
           SELECT c.location_id,
                  count(DISTINCT e.card_id) FILTER (WHERE e.kind = 'imported') AS imported,
                  count(DISTINCT e.card_id) FILTER (WHERE e.to_status = '{notified}') AS notified,
                  count(DISTINCT e.card_id) FILTER (WHERE e.to_status = '{booked}') AS booked,
                  count(DISTINCT e.card_id) FILTER (WHERE e.to_status = '{transferred}')
                    AS transferred,
                  count(DISTINCT e.card_id)
                    FILTER (WHERE e.to_status = '{issued}' AND c.status = '{issued}') AS handed_over,
                  count(DISTINCT e.card_id) FILTER (WHERE e.to_status = '{returned}') AS returned
             FROM card_events e JOIN card_records c ON c.id = e.card_id
            WHERE e.tenant_id = $1 AND e.created_at >= $2 AND e.created_at < $3
            GROUP BY c.location_id
         ), waiting AS (
           SELECT location_id, count(*) AS waiting FROM card_records
            WHERE tenant_id = $1
              AND status IN ('{received}', '{notified}', '{booked}', '{in_transfer}', '{transferred}')
            GROUP BY location_id
         )
         SELECT l.id AS location_id, l.name AS location, l.code AS location_code,
                coalesce(s.imported, 0) AS imported, coalesce(s.notified, 0) AS notified,
                coalesce(s.booked, 0) AS booked, coalesce(s.transferred, 0) AS transferred,
                coalesce(s.handed_over, 0) AS handed_over, coalesce(s.returned, 0) AS returned,
                coalesce(w.waiting, 0) AS waiting
           FROM locations l
           LEFT JOIN steps s ON s.location_id = l.id
           LEFT JOIN waiting w ON w.location_id = l.id
          WHERE l.tenant_id = $1 AND (l.issues_cards OR s.location_id IS NOT NULL)
            AND (cardinality($4::bigint[]) = 0 OR l.id = ANY($4))
          ORDER BY l.id"
    ))
    .bind::<BigInt, _>(tenant_id)
    .bind::<Timestamptz, _>(clock.start_of(from))
    .bind::<Timestamptz, _>(clock.start_of(to + chrono::Duration::days(1)))
    .bind::<Array<BigInt>, _>(location_ids)
    .load(conn)
}

/// Which list behind the pipeline's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardList {
    /// Cards of bookings to visit on the day, not yet handed over.
    ToHandOut(NaiveDate),
    /// Cards handed over in a span (inclusive), still issued.
    HandedOut(NaiveDate, NaiveDate),
}

/// One card of a list.
#[derive(Clone, Debug, QueryableByName)]
pub struct CardLine {
    /// The visit (to hand out) or the hand-over (handed out).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub booking_code: Option<String>,
    #[diesel(sql_type = Text)]
    pub location: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub name_kana: String,
    #[diesel(sql_type = Text)]
    pub status: String,
}

/// The cards of `list` at the location `location_id` (none: every allowed location).
pub fn card_list(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant_id: i64,
    list: CardList,
    location_id: Option<i64>,
    location_ids: &[i64],
) -> QueryResult<Vec<CardLine>> {
    use crate::db::kinds::{BookingStatus, CardStatus};
    let (booked, checked_in, issued) = (
        BookingStatus::Booked.as_str(),
        BookingStatus::CheckedIn.as_str(),
        CardStatus::Issued.as_str(),
    );
    let (sql, from, to) = match list {
        CardList::ToHandOut(day) => (
            format!(
                "SELECT s.starts_at AS at, b.code AS booking_code, l.name AS location,
                    c.name, c.name_kana, c.status
               FROM booking_members m
               JOIN bookings b ON b.id = m.booking_id
               JOIN slots s ON s.id = b.slot_id
               JOIN card_records c ON c.id = m.card_id
               JOIN locations l ON l.id = s.location_id
              WHERE m.tenant_id = $1 AND m.active
                AND b.status IN ('{booked}', '{checked_in}') AND c.status <> '{issued}'
                AND s.starts_at >= $2 AND s.starts_at < $3
                AND ($4::bigint IS NULL OR s.location_id = $4)
                AND (cardinality($5::bigint[]) = 0 OR s.location_id = ANY($5))
              ORDER BY s.starts_at, b.code, m.position"
            ),
            day,
            day,
        ),
        CardList::HandedOut(from, to) => (
            format!(
                "SELECT c.status_changed_at AS at,
                    (SELECT e.details->>'booking' FROM card_events e
                      WHERE e.card_id = c.id AND e.to_status = '{issued}'
                      ORDER BY e.id DESC LIMIT 1) AS booking_code,
                    l.name AS location, c.name, c.name_kana, c.status
               FROM card_records c JOIN locations l ON l.id = c.location_id
              WHERE c.tenant_id = $1 AND c.status = '{issued}'
                AND c.status_changed_at >= $2 AND c.status_changed_at < $3
                AND ($4::bigint IS NULL OR c.location_id = $4)
                AND (cardinality($5::bigint[]) = 0 OR c.location_id = ANY($5))
              ORDER BY c.status_changed_at, c.id"
            ),
            from,
            to,
        ),
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(tenant_id)
        .bind::<Timestamptz, _>(clock.start_of(from))
        .bind::<Timestamptz, _>(clock.start_of(to + chrono::Duration::days(1)))
        .bind::<Nullable<BigInt>, _>(location_id)
        .bind::<Array<BigInt>, _>(location_ids)
        .load(conn)
}
