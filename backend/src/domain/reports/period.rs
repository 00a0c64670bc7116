//! The span a report covers and how it is cut: days, months or fiscal years (年度, April to
//! March, named by the year it starts in: 2025年度 runs from 1 April 2025 to 31 March 2026).

use chrono::{Datelike, NaiveDate};

/// How a report's span is cut into periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    Day,
    Month,
    FiscalYear,
}

impl Grouping {
    pub const ALL: [Grouping; 3] = [Grouping::Day, Grouping::Month, Grouping::FiscalYear];

    /// The word in addresses and files (`by=day|month|fiscal_year`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Month => "month",
            Grouping::FiscalYear => "fiscal_year",
        }
    }

    pub fn parse(text: &str) -> Option<Grouping> {
        Grouping::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// The period `day` falls in, as written in reports: `2026-04-01`, `2026-04`, `FY2026`.
    pub fn label_of(self, day: NaiveDate) -> String {
        match self {
            Grouping::Day => day.format("%Y-%m-%d").to_string(),
            Grouping::Month => day.format("%Y-%m").to_string(),
            Grouping::FiscalYear => format!("FY{}", fiscal_year_of(day)),
        }
    }

    /// The first day of the period named `label` (the inverse of `label_of`).
    pub fn first_day_of(self, label: &str) -> Option<NaiveDate> {
        match self {
            Grouping::Day => NaiveDate::parse_from_str(label, "%Y-%m-%d").ok(),
            Grouping::Month => NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").ok(),
            Grouping::FiscalYear => label
                .strip_prefix("FY")
                .and_then(|year| year.parse().ok())
                .and_then(|year| NaiveDate::from_ymd_opt(year, 4, 1)),
        }
    }

    /// Every period from `from` to `to` (inclusive), in order, so a report shows the empty
    /// ones too.
    pub fn labels_between(self, from: NaiveDate, to: NaiveDate) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        let mut day = from;
        while day <= to {
            let label = self.label_of(day);
            if labels.last() != Some(&label) {
                labels.push(label);
            }
            day = match self {
                Grouping::Day => day.succ_opt(),
                // Jumping to the first of the next month (or April) keeps this loop short
                // for a span of years.
                Grouping::Month => first_of_next_month(day),
                Grouping::FiscalYear => NaiveDate::from_ymd_opt(fiscal_year_of(day) + 1, 4, 1),
            }
            .unwrap_or(NaiveDate::MAX);
        }
        labels
    }
}

/// The fiscal year (年度) a day belongs to: January to March belong to the year before.
pub fn fiscal_year_of(day: NaiveDate) -> i32 {
    if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

/// The first and last day of fiscal year `year` (1 April `year` – 31 March `year + 1`).
pub fn fiscal_year_span(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 4, 1)?,
        NaiveDate::from_ymd_opt(year + 1, 3, 31)?,
    ))
}

/// The first and last day of the month `label` (`2026-02`).
pub fn month_span(label: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", label.trim()), "%Y-%m-%d").ok()?;
    Some((first, first_of_next_month(first)?.pred_opt()?))
}

fn first_of_next_month(day: NaiveDate) -> Option<NaiveDate> {
    if day.month() == 12 {
        NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
    }
}

/// The Japanese era name of a fiscal year, as city documents write it (令和8年度); the
/// Reiwa era began on 1 May 2019, so 2019年度 is written 令和元年度.
pub fn fiscal_year_name(year: i32) -> String {
    match year - 2018 {
        1 => format!("{year}年度（令和元年度）"),
        reiwa if reiwa > 1 => format!("{year}年度（令和{reiwa}年度）"),
        _ => format!("{year}年度"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn fiscal_years_turn_on_the_first_of_april() {
        assert_eq!(fiscal_year_of(day(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year_of(day(2026, 4, 1)), 2026);
        assert_eq!(fiscal_year_of(day(2027, 1, 1)), 2026);
        assert_eq!(
            fiscal_year_span(2023),
            Some((day(2023, 4, 1), day(2024, 3, 31)))
        );
        assert_eq!(fiscal_year_name(2026), "2026年度（令和8年度）");
        assert_eq!(fiscal_year_name(2019), "2019年度（令和元年度）");
    }

    #[test]
    fn periods_cover_month_ends_and_leap_days() {
        assert_eq!(
            month_span("2028-02"),
            Some((day(2028, 2, 1), day(2028, 2, 29)))
        );
        assert_eq!(
            month_span("2026-12"),
            Some((day(2026, 12, 1), day(2026, 12, 31)))
        );
        assert_eq!(month_span("2026-13"), None);
        assert_eq!(
            Grouping::Month.labels_between(day(2026, 1, 31), day(2026, 4, 1)),
            ["2026-01", "2026-02", "2026-03", "2026-04"]
        );
        assert_eq!(
            Grouping::FiscalYear.labels_between(day(2026, 3, 31), day(2026, 4, 1)),
            ["FY2025", "FY2026"]
        );
        assert_eq!(
            Grouping::Day.labels_between(day(2028, 2, 28), day(2028, 3, 1)),
            ["2028-02-28", "2028-02-29", "2028-03-01"]
        );
        for grouping in Grouping::ALL {
            let label = grouping.label_of(day(2027, 3, 31));
            let first = grouping.first_day_of(&label).unwrap();
            assert_eq!(grouping.label_of(first), label);
        }
    }
}
