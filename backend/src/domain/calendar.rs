//! Which days are closed, and the deadlines counted back from a visit day.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use diesel::PgConnection;

use crate::db::tenant::Tenant;
use crate::db::timetable::{holidays_between, Closure};
use crate::error::AppError;

/// A tenant's closed days over a range of dates.
pub struct ClosedDays {
    on_holidays: bool,
    over_new_year: bool,
    holidays: HashSet<NaiveDate>,
    /// (None = every location, Some(location id), day)
    closures: HashSet<(Option<i64>, NaiveDate)>,
}

impl ClosedDays {
    pub fn load(
        conn: &mut PgConnection,
        tenant: &Tenant,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ClosedDays, AppError> {
        let holidays = holidays_between(conn, from, to)?
            .into_iter()
            .map(|(day, _)| day)
            .collect();
        let closures = Closure::for_tenant(conn, tenant.id)?
            .into_iter()
            .filter(|c| c.day >= from && c.day <= to)
            .map(|c| (c.location_id, c.day))
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
        (self.on_holidays && self.holidays.contains(&day))
            || (self.over_new_year && is_new_year_break(day))
            || self.closures.contains(&(None, day))
    }

    pub fn location_closed(&self, location_id: i64, day: NaiveDate) -> bool {
        self.tenant_closed(day) || self.closures.contains(&(Some(location_id), day))
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

/// A visit day as people read it: 2026年11月24日（火）, or Tuesday 24 November 2026.
pub fn date_label(lang: madoguchi_frontend::i18n::Lang, date: NaiveDate) -> String {
    use madoguchi_frontend::i18n::Lang;
    match lang {
        Lang::Ja => {
            let weekdays = madoguchi_frontend::i18n::t(lang, "weekdays");
            let weekday = weekdays
                .split(',')
                .nth(date.weekday().num_days_from_monday() as usize)
                .unwrap_or_default();
            format!(
                "{}年{}月{}日（{weekday}）",
                date.year(),
                date.month(),
                date.day()
            )
        }
        Lang::En => date.format("%A %-d %B %Y").to_string(),
    }
}

/// A visit as people read it: 2026年11月24日（火） 09:00〜09:15.
pub fn visit_label(
    lang: madoguchi_frontend::i18n::Lang,
    clock: &super::Clock,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> String {
    format!(
        "{} {}〜{}",
        date_label(lang, clock.local_date(starts_at)),
        starts_at.with_timezone(&clock.tz).format("%H:%M"),
        ends_at.with_timezone(&clock.tz).format("%H:%M")
    )
}
