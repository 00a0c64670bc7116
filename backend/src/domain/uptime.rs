//! The service's availability (稼働率) by the specification's formula:
//! (提供時間 − (停止時間 − 計画停止 − 市起因)) ÷ 提供時間.
//!
//! Every server writes the current minute into `service_minutes` several times a minute
//! (`beat`); a minute of the provided time with no row was a stop. Planned stops are the
//! platform operator's recorded windows and the stops a city's maintenance banners announce;
//! stops a city caused are recorded for that city. Both only excuse minutes that were down.

use chrono::{DateTime, Datelike, Duration, DurationRound, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::{availability_exclusions as exclusions, service_minutes};
use crate::error::AppError;

/// A span of time, start included, end excluded.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The month's figures, in minutes.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// 提供時間: the month's minutes from the first the service recorded up to now.
    pub provided: i64,
    /// 停止時間: minutes of the provided time in which no server wrote its beat.
    pub down: i64,
    /// 計画停止: down minutes inside a planned stop.
    pub planned: i64,
    /// 市起因: down minutes inside a stop the city caused (and not planned).
    pub city_caused: i64,
    /// The stops, consecutive down minutes joined, with what excused each minute.
    pub stops: Vec<Stop>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    pub span: Span,
    pub cause: Cause,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    Unplanned,
    Planned,
    City,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Unplanned => "unplanned",
            Cause::Planned => "planned",
            Cause::City => "city",
        }
    }
}

impl Figures {
    /// 稼働率 in percent; `None` before the service recorded any minute of the month.
    pub fn rate(&self) -> Option<f64> {
        (self.provided > 0).then(|| {
            let counted_down = self.down - self.planned - self.city_caused;
            100.0 * (self.provided - counted_down) as f64 / self.provided as f64
        })
    }
}

/// The figures from the down minutes of `provided` minutes and the excusing spans.
pub fn figures(
    provided: i64,
    down_minutes: &[DateTime<Utc>],
    planned: &[Span],
    city: &[Span],
) -> Figures {
    let within = |spans: &[Span], minute: DateTime<Utc>| {
        spans
            .iter()
            .any(|(start, end)| *start <= minute && minute < *end)
    };
    let mut figures = Figures {
        provided,
        down: down_minutes.len() as i64,
        planned: 0,
        city_caused: 0,
        stops: Vec::new(),
    };
    for &minute in down_minutes {
        let cause = if within(planned, minute) {
            figures.planned += 1;
            Cause::Planned
        } else if within(city, minute) {
            figures.city_caused += 1;
            Cause::City
        } else {
            Cause::Unplanned
        };
        let next = minute + Duration::minutes(1);
        match figures.stops.last_mut() {
            Some(stop) if stop.span.1 == minute && stop.cause == cause => stop.span.1 = next,
            _ => figures.stops.push(Stop {
                span: (minute, next),
                cause,
            }),
        }
    }
    figures
}

/// The first instant of the local month holding `day`, and of the month after.
pub fn month_span(tz: Tz, year: i32, month: u32) -> Option<Span> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let at = |day: NaiveDate| {
        tz.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((at(first)?, at(next)?))
}

/// Reads "2026-11" as a year and month.
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (year, month) = text.trim().split_once('-')?;
    let (year, month) = (year.parse().ok()?, month.parse().ok()?);
    NaiveDate::from_ymd_opt(year, month, 1).map(|d| (d.year(), d.month()))
}

/// A month's figures for the whole service (`tenant_id` None) or for one city, whose own
/// planned and city-caused stops then count too.
pub fn month(
    conn: &mut PgConnection,
    tz: Tz,
    (year, month): (i32, u32),
    tenant_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Figures, AppError> {
    let (start, end) =
        month_span(tz, year, month).ok_or_else(|| AppError::invalid("month", "invalid_month"))?;
    let first_recorded: Option<DateTime<Utc>> = service_minutes::table
        .select(diesel::dsl::min(service_minutes::minute))
        .first(conn)?;
    // The minute now running is not over yet, so not yet up or down.
    let until = end.min(minute_of(now));
    let from = match first_recorded {
        Some(first) => start.max(first),
        None => return Ok(figures(0, &[], &[], &[])),
    };
    if until <= from {
        return Ok(figures(0, &[], &[], &[]));
    }
    let provided = (until - from).num_minutes();
    let down = down_minutes(conn, from, until)?;
    let mut planned = excluded(conn, "planned", None, from, until)?;
    let mut city = Vec::new();
    if let Some(tenant_id) = tenant_id {
        planned.extend(excluded(conn, "planned", Some(tenant_id), from, until)?);
        planned.extend(crate::db::maintenance::planned_stops(
            conn, tenant_id, from, until,
        )?);
        city = excluded(conn, "city", Some(tenant_id), from, until)?;
    }
    Ok(figures(provided, &down, &planned, &city))
}

#[derive(QueryableByName)]
struct Minute {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    minute: DateTime<Utc>,
}

fn down_minutes(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<Vec<DateTime<Utc>>> {
    let rows: Vec<Minute> = diesel::sql_query(
        "SELECT m AS minute FROM generate_series($1, $2 - interval '1 minute', interval '1 minute') m \
         WHERE NOT EXISTS (SELECT 1 FROM service_minutes s WHERE s.minute = m) ORDER BY m",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(from)
    .bind::<diesel::sql_types::Timestamptz, _>(until)
    .load(conn)?;
    Ok(rows.into_iter().map(|row| row.minute).collect())
}

fn excluded(
    conn: &mut PgConnection,
    cause: &str,
    tenant_id: Option<i64>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<Vec<Span>> {
    let overlapping = exclusions::table
        .filter(exclusions::cause.eq(cause))
        .filter(exclusions::starts_at.lt(until))
        .filter(exclusions::ends_at.gt(from))
        .select((exclusions::starts_at, exclusions::ends_at));
    match tenant_id {
        Some(id) => overlapping.filter(exclusions::tenant_id.eq(id)).load(conn),
        None => overlapping
            .filter(exclusions::tenant_id.is_null())
            .load(conn),
    }
}

/// The start of the minute `at` falls in.
fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::minutes(1)).unwrap_or(at)
}

/// Records that a server is up and reaches the database in the minute of `now`.
pub fn beat(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::insert_into(service_minutes::table)
        .values(service_minutes::minute.eq(minute_of(now)))
        .on_conflict(service_minutes::minute)
        .do_update()
        .set(service_minutes::beats.eq(service_minutes::beats + 1))
        .execute(conn)
        .map(|_| ())
}

/// A stop the platform operator records: planned for every city (`tenant_id` None) or one,
/// or caused by a city.
pub struct NewExclusion<'a> {
    pub tenant_id: Option<i64>,
    pub cause: Cause,
    pub span: Span,
    pub reason: &'a str,
}

pub fn record_exclusion(
    conn: &mut PgConnection,
    exclusion: &NewExclusion,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if exclusion.cause == Cause::Unplanned {
        return Err(AppError::invalid("cause", "invalid_exclusion_cause"));
    }
    if exclusion.cause == Cause::City && exclusion.tenant_id.is_none() {
        return Err(AppError::invalid("tenant", "invalid_exclusion_city"));
    }
    if exclusion.span.1 <= exclusion.span.0 {
        return Err(AppError::invalid("to", "invalid_exclusion_order"));
    }
    if exclusion.reason.trim().is_empty() || exclusion.reason.chars().any(char::is_control) {
        return Err(AppError::invalid("reason", "invalid_exclusion_reason"));
    }
    Ok(diesel::insert_into(exclusions::table)
        .values((
            exclusions::tenant_id.eq(exclusion.tenant_id),
            exclusions::cause.eq(exclusion.cause.as_str()),
            exclusions::starts_at.eq(exclusion.span.0),
            exclusions::ends_at.eq(exclusion.span.1),
            exclusions::reason.eq(exclusion.reason.trim()),
            exclusions::created_at.eq(now),
        ))
        .returning(exclusions::id)
        .get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    fn minutes(from: DateTime<Utc>, count: i64) -> Vec<DateTime<Utc>> {
        (0..count).map(|i| from + Duration::minutes(i)).collect()
    }

    #[test]
    fn a_month_without_stops_is_fully_available() {
        let f = figures(43_200, &[], &[], &[]);
        assert_eq!(f.rate(), Some(100.0));
        assert!(f.stops.is_empty());
    }

    #[test]
    fn the_formula_excuses_planned_and_city_caused_minutes_only_when_down() {
        // November: 30 days = 43,200 minutes. 300 minutes down: 120 in a planned window,
        // 60 in a stop the city caused, 120 unplanned. A planned window when the service
        // stayed up excuses nothing.
        let mut down = minutes(at(3, 2, 0), 120);
        down.extend(minutes(at(10, 9, 0), 60));
        down.extend(minutes(at(20, 13, 0), 120));
        let planned = [(at(3, 1, 0), at(3, 5, 0)), (at(25, 1, 0), at(25, 3, 0))];
        let city = [(at(10, 8, 0), at(10, 12, 0))];
        let f = figures(43_200, &down, &planned, &city);
        assert_eq!((f.down, f.planned, f.city_caused), (300, 120, 60));
        // (43,200 − (300 − 120 − 60)) ÷ 43,200 = 99.7222… %
        let rate = f.rate().unwrap();
        assert!((rate - 100.0 * 43_080.0 / 43_200.0).abs() < 1e-9, "{rate}");
        let causes: Vec<_> = f.stops.iter().map(|s| (s.span, s.cause)).collect();
        assert_eq!(
            causes,
            vec![
                ((at(3, 2, 0), at(3, 4, 0)), Cause::Planned),
                ((at(10, 9, 0), at(10, 10, 0)), Cause::City),
                ((at(20, 13, 0), at(20, 15, 0)), Cause::Unplanned),
            ]
        );
    }

    #[test]
    fn a_stop_running_past_its_planned_window_counts_the_overrun() {
        // Planned 02:00–03:00, down 02:00–03:30: 30 minutes count against the service.
        let down = minutes(at(5, 2, 0), 90);
        let f = figures(1_440, &down, &[(at(5, 2, 0), at(5, 3, 0))], &[]);
        assert_eq!((f.down, f.planned, f.city_caused), (90, 60, 0));
        assert_eq!(f.stops.len(), 2);
        assert!((f.rate().unwrap() - 100.0 * 1_410.0 / 1_440.0).abs() < 1e-9);
        // 216 unplanned minutes in a 30-day month is exactly the 99.5 % the contract asks.
        let f = figures(43_200, &minutes(at(1, 0, 0), 216), &[], &[]);
        assert!((f.rate().unwrap() - 99.5).abs() < 1e-9);
    }

    #[test]
    fn months_are_local_and_february_knows_leap_years() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let (start, end) = month_span(tokyo, 2028, 2).unwrap();
        assert_eq!(start, Utc.with_ymd_and_hms(2028, 1, 31, 15, 0, 0).unwrap());
        assert_eq!((end - start).num_days(), 29);
        let (start, end) = month_span(tokyo, 2026, 12).unwrap();
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap());
        assert_eq!((end - start).num_minutes(), 31 * 1_440);
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("november"), None);
    }
}
