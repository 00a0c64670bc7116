//! Which days are closed, and the deadlines counted back from a visit day.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use diesel::PgConnection;

use crate::db::tenant::Tenant;
use crate::db::timetable::{holidays_between, Closure};
use crate::error::AppError;

/// A tenant's closed days over a range of dates.
pub struct ClosedDays {
    on_holidays: bool,
    over_new_year: bool,
    holidays: HashMap<NaiveDate, String>,
    /// (None = every location, Some(location id), day) → the tenant's reason
    closures: HashMap<(Option<i64>, NaiveDate), String>,
}

/// Why a counter is closed on a day, in words residents understand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClosedReason {
    /// A national holiday, with its name (憲法記念日).
    Holiday(String),
    /// 12/29 – 1/3.
    NewYear,
    /// The tenant's own closure, with the reason it gave.
    Closure(String),
}

impl ClosedDays {
    pub fn load(
        conn: &mut PgConnection,
        tenant: &Tenant,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ClosedDays, AppError> {
        let holidays = holidays_between(conn, from, to)?.into_iter().collect();
        let closures = Closure::for_tenant(conn, tenant.id)?
            .into_iter()
            .filter(|c| c.day >= from && c.day <= to)
            .map(|c| ((c.location_id, c.day), c.reason))
            .collect();
        Ok(ClosedDays {
            on_holidays: tenant.closed_on_national_holidays,
            over_new_year: tenant.closed_over_new_year,
            holidays,
            closures,
        })
    }

    /// Closed for the whole tenant (holiday, New Year, tenant-wide closure).
    pub fn tenant_closed(&self, day: NaiveDate) -> bool {
        self.tenant_reason(day).is_some()
    }

    pub fn location_closed(&self, location_id: i64, day: NaiveDate) -> bool {
        self.reason(location_id, day).is_some()
    }

    fn tenant_reason(&self, day: NaiveDate) -> Option<ClosedReason> {
        if self.over_new_year && is_new_year_break(day) {
            return Some(ClosedReason::NewYear);
        }
        if let Some(name) = self.holidays.get(&day).filter(|_| self.on_holidays) {
            return Some(ClosedReason::Holiday(name.clone()));
        }
        self.closures
            .get(&(None, day))
            .map(|reason| ClosedReason::Closure(reason.clone()))
    }

    /// Why the location is closed on `day`, when it is.
    pub fn reason(&self, location_id: i64, day: NaiveDate) -> Option<ClosedReason> {
        self.tenant_reason(day).or_else(|| {
            self.closures
                .get(&(Some(location_id), day))
                .map(|reason| ClosedReason::Closure(reason.clone()))
        })
    }

    /// An office working day: Monday to Friday and not closed for the tenant.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.tenant_closed(day)
    }
}

/// 12/29 – 1/3, when municipal offices close by law.
pub fn is_new_year_break(day: NaiveDate) -> bool {
    matches!((day.month(), day.day()), (12, 29..=31) | (1, 1..=3))
}

/// The day and time by which something must be done for a visit on `visit_day`:
/// `days_before` days earlier (working days only when `working_days_only`) at `at`.
pub fn deadline_day(
    visit_day: NaiveDate,
    days_before: i32,
    working_days_only: bool,
    closed: &ClosedDays,
) -> NaiveDate {
    if !working_days_only {
        return visit_day - Duration::days(days_before.into());
    }
    let mut day = visit_day;
    let mut left = days_before;
    while left > 0 {
        day -= Duration::days(1);
        if closed.is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Widest reach back that `deadline_day` can need, for loading closed days.
pub fn deadline_lookback(days_before: i32) -> Duration {
    // Long holiday runs (New Year, Golden Week) are never longer than ten days.
    Duration::days(i64::from(days_before) * 3 + 14)
}

pub fn at(day: NaiveDate, time: NaiveTime) -> chrono::NaiveDateTime {
    day.and_time(time)
}

/// The `place`-th (from 0) of a comma-separated catalogue list (weekdays, months).
fn nth_of(lang: madoguchi_frontend::i18n::Lang, list: &str, place: u32) -> String {
    madoguchi_frontend::i18n::t(lang, list)
        .split(',')
        .nth(place as usize)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A date's parts as the catalogue's date patterns take them: year, month (number and
/// name), day, weekday (short and long).
fn date_parts(
    lang: madoguchi_frontend::i18n::Lang,
    date: NaiveDate,
) -> [(&'static str, String); 6] {
    let weekday = date.weekday().num_days_from_monday();
    [
        ("year", date.year().to_string()),
        ("month", date.month().to_string()),
        ("month_name", nth_of(lang, "months", date.month0())),
        ("day", date.day().to_string()),
        ("weekday", nth_of(lang, "weekdays", weekday)),
        ("weekday_long", nth_of(lang, "weekdays_long", weekday)),
    ]
}

/// `key`, a date pattern of the catalogue, filled with `date` and `more`.
pub fn date_in(
    lang: madoguchi_frontend::i18n::Lang,
    key: &str,
    date: NaiveDate,
    more: &[(&str, &str)],
) -> String {
    let parts = date_parts(lang, date);
    let mut args: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    args.extend_from_slice(more);
    madoguchi_frontend::i18n::tf(lang, key, &args)
}

/// A visit day as people read it: 2026年11月24日（火）, or Tuesday 24 November 2026.
pub fn date_label(lang: madoguchi_frontend::i18n::Lang, date: NaiveDate) -> String {
    date_in(lang, "date_long", date, &[])
}

/// A visit as people read it: 2026年11月24日（火） 09:00〜09:15.
pub fn visit_label(
    lang: madoguchi_frontend::i18n::Lang,
    clock: &super::Clock,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> String {
    format!(
        "{} {}{}{}",
        date_label(lang, clock.local_date(starts_at)),
        starts_at.with_timezone(&clock.tz).format("%H:%M"),
        madoguchi_frontend::i18n::t(lang, "range_separator"),
        ends_at.with_timezone(&clock.tz).format("%H:%M")
    )
}

/// A day without the year, as a link or a deadline shows it: 12月1日（火）, or
/// Tue 1 December.
pub fn short_date_label(lang: madoguchi_frontend::i18n::Lang, date: NaiveDate) -> String {
    date_in(lang, "date_short", date, &[])
}

/// A deadline as people say it: 12月2日（水）17時, 12月2日（水）17時30分, or
/// 17:00 on Wed 2 December.
pub fn deadline_label(
    lang: madoguchi_frontend::i18n::Lang,
    clock: &super::Clock,
    instant: chrono::DateTime<chrono::Utc>,
) -> String {
    use chrono::Timelike;
    let local = instant.with_timezone(&clock.tz);
    let day = short_date_label(lang, local.date_naive());
    madoguchi_frontend::i18n::tf(
        lang,
        "deadline_at",
        &[
            ("day", &day),
            ("time", &local.format("%H:%M").to_string()),
            ("hour", &local.hour().to_string()),
            ("minute", &local.minute().to_string()),
        ],
    )
}
