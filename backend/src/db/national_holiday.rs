//! Japan's national holidays (国民の祝日), loaded from the Cabinet Office's list.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::national_holidays;

/// The next `limit` national holidays from `from` on, with their names.
pub fn upcoming(
    conn: &mut PgConnection,
    from: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<(NaiveDate, String)>> {
    national_holidays::table
        .filter(national_holidays::day.ge(from))
        .order(national_holidays::day)
        .limit(limit)
        .select((national_holidays::day, national_holidays::name))
        .load(conn)
}
