//! The call center's day: bookings made, changed and cancelled by phone, per operator and
//! per hour, from the bookings' history (so a booking cancelled later still counts as made).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz};
use diesel::PgConnection;

use crate::domain::Clock;

/// What one operator did by phone in one hour of the day.
#[derive(Clone, Debug, PartialEq, Eq, QueryableByName)]
pub struct CallHour {
    /// The operator's login (`staff:` taken off), or the event's actor as recorded.
    #[diesel(sql_type = Text)]
    pub operator: String,
    /// The operator's name as the console shows it; the login for a removed account.
    #[diesel(sql_type = Text)]
    pub operator_name: String,
    /// The hour of the day, local time (9 for 09:00–09:59).
    #[diesel(sql_type = Integer)]
    pub hour: i32,
    #[diesel(sql_type = BigInt)]
    pub booked: i64,
    #[diesel(sql_type = BigInt)]
    pub changed: i64,
    #[diesel(sql_type = BigInt)]
    pub cancelled: i64,
}

/// Each operator's phone work on `day`, hour by hour, in order of operator and hour.
pub fn call_day(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant_id: i64,
    day: NaiveDate,
) -> QueryResult<Vec<CallHour>> {
    use crate::db::kinds::BookingEventKind;
    let (created, moved, cancelled) = (
        BookingEventKind::Created.as_str(),
        BookingEventKind::Moved.as_str(),
        BookingEventKind::Cancelled.as_str(),
    );
    diesel::sql_query(format!(
        "SELECT regexp_replace(e.actor, '^staff:', '') AS operator,
                coalesce(max(a.display_name), regexp_replace(e.actor, '^staff:', ''))
                  AS operator_name,
                extract(hour FROM e.created_at AT TIME ZONE $4)::int AS hour,
                count(*) FILTER (WHERE e.kind = '{created}') AS booked,
                count(*) FILTER (WHERE e.kind = '{moved}') AS changed,
                count(*) FILTER (WHERE e.kind = '{cancelled}') AS cancelled
           FROM booking_events e
           LEFT JOIN staff_accounts a
             ON a.tenant_id = e.tenant_id AND 'staff:' || a.login = e.actor
          WHERE e.tenant_id = $1 AND e.channel = 'phone'
            AND e.kind IN ('{created}', '{moved}', '{cancelled}')
            AND e.created_at >= $2 AND e.created_at < $3
          GROUP BY 1, 3
          ORDER BY 1, 3"
    ))
    .bind::<BigInt, _>(tenant_id)
    .bind::<Timestamptz, _>(clock.start_of(day))
    .bind::<Timestamptz, _>(clock.start_of(day + chrono::Duration::days(1)))
    .bind::<Text, _>(clock.tz.name())
    .load(conn)
}
