//! A lane's timetable as typed into the console: weekly hours with breaks, slot length,
//! places and the web's share of them, from an effective date. Each mistake is named at
//! its field; what is taken becomes the tenant file's timetable, so the console and the
//! file stay one model.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};

use crate::domain::settings::Problem;
use crate::domain::tenant_file::{date_text, TimetableFile, WEEKDAYS};

/// Slot lengths a city may choose, in minutes.
pub const SLOT_MINUTES: [i32; 5] = [10, 15, 20, 30, 60];
/// Most places one slot may have.
pub const MAX_CAPACITY: i32 = 200;

/// The fields of the timetable form, each as text. Hours and breaks of a weekday are
/// periods such as `09:00-12:00 13:00-17:00`; empty hours: closed that day.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct TimetableInput {
    #[serde(default)]
    pub effective_from: String,
    #[serde(default)]
    pub slot_minutes: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub web_capacity: String,
    #[serde(default)]
    pub hours_mon: String,
    #[serde(default)]
    pub hours_tue: String,
    #[serde(default)]
    pub hours_wed: String,
    #[serde(default)]
    pub hours_thu: String,
    #[serde(default)]
    pub hours_fri: String,
    #[serde(default)]
    pub hours_sat: String,
    #[serde(default)]
    pub hours_sun: String,
    #[serde(default)]
    pub breaks_mon: String,
    #[serde(default)]
    pub breaks_tue: String,
    #[serde(default)]
    pub breaks_wed: String,
    #[serde(default)]
    pub breaks_thu: String,
    #[serde(default)]
    pub breaks_fri: String,
    #[serde(default)]
    pub breaks_sat: String,
    #[serde(default)]
    pub breaks_sun: String,
}

type Period = (NaiveTime, NaiveTime);

fn problem(field: String, message: &'static str, args: Vec<(&'static str, String)>) -> Problem {
    Problem {
        field,
        message,
        args,
    }
}

/// Periods written as `HH:MM-HH:MM`, separated by spaces, commas or line breaks; full-width
/// digits and dashes are read as their ASCII forms.
fn periods(text: &str) -> Result<Vec<Period>, String> {
    let folded = crate::domain::input::fold_width(text).replace(['〜', '~', '–', 'ー'], "-");
    let mut found = Vec::new();
    for part in folded
        .split(|c: char| c.is_whitespace() || c == ',' || c == '、')
        .filter(|p| !p.is_empty())
    {
        let parsed = part.split_once('-').and_then(|(a, b)| {
            let opens = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
            let closes = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
            (opens < closes).then_some((opens, closes))
        });
        match parsed {
            Some(period) => found.push(period),
            None => return Err(part.to_string()),
        }
    }
    found.sort();
    Ok(found)
}

fn write(periods: &[Period]) -> String {
    periods
        .iter()
        .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(" ")
}

impl TimetableInput {
    fn day_fields(&self) -> [(&'static str, &String, &String); 7] {
        [
            ("mon", &self.hours_mon, &self.breaks_mon),
            ("tue", &self.hours_tue, &self.breaks_tue),
            ("wed", &self.hours_wed, &self.breaks_wed),
            ("thu", &self.hours_thu, &self.breaks_thu),
            ("fri", &self.hours_fri, &self.breaks_fri),
            ("sat", &self.hours_sat, &self.breaks_sat),
            ("sun", &self.hours_sun, &self.breaks_sun),
        ]
    }

    /// The form filled from a timetable (the newest, as a start for the next version);
    /// its date left for the administrator to choose.
    pub fn of(timetable: &TimetableFile) -> TimetableInput {
        let mut hours: BTreeMap<&str, String> = BTreeMap::new();
        for (key, ranges) in &timetable.hours {
            let days: Vec<&str> = if key == "weekdays" {
                WEEKDAYS[..5].to_vec()
            } else {
                vec![key.as_str()]
            };
            for day in days {
                let entry = hours.entry(day).or_default();
                for range in ranges {
                    if !entry.is_empty() {
                        entry.push(' ');
                    }
                    entry.push_str(range);
                }
            }
        }
        let day = |d: &str| hours.get(d).cloned().unwrap_or_default();
        TimetableInput {
            effective_from: String::new(),
            slot_minutes: timetable.slot_minutes.to_string(),
            capacity: timetable.capacity.to_string(),
            web_capacity: timetable
                .web_capacity
                .unwrap_or(timetable.capacity)
                .to_string(),
            hours_mon: day("mon"),
            hours_tue: day("tue"),
            hours_wed: day("wed"),
            hours_thu: day("thu"),
            hours_fri: day("fri"),
            hours_sat: day("sat"),
            hours_sun: day("sun"),
            ..TimetableInput::default()
        }
    }

    /// The timetable these fields describe, taking effect no earlier than `today`; or
    /// every field that cannot be taken, each with why.
    pub fn into_file(&self, today: NaiveDate) -> Result<TimetableFile, Vec<Problem>> {
        let mut problems = Vec::new();
        let effective_from = match crate::domain::input::read_date(&self.effective_from) {
            Ok(day) if day < today => {
                problems.push(problem(
                    "effective_from".into(),
                    "timetable_error_past",
                    vec![],
                ));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                problems.push(problem(
                    "effective_from".into(),
                    "timetable_error_date",
                    vec![],
                ));
                None
            }
        };
        let number = |text: &str| {
            crate::domain::input::fold_width(text)
                .trim()
                .parse::<i32>()
                .ok()
        };
        let slot_minutes = number(&self.slot_minutes).filter(|m| SLOT_MINUTES.contains(m));
        if slot_minutes.is_none() {
            problems.push(problem(
                "slot_minutes".into(),
                "timetable_error_slot",
                vec![],
            ));
        }
        let capacity = number(&self.capacity).filter(|c| (1..=MAX_CAPACITY).contains(c));
        if capacity.is_none() {
            problems.push(problem(
                "capacity".into(),
                "settings_error_range",
                vec![("min", "1".into()), ("max", MAX_CAPACITY.to_string())],
            ));
        }
        let web_capacity = if self.web_capacity.trim().is_empty() {
            capacity
        } else {
            number(&self.web_capacity).filter(|w| *w >= 0)
        };
        match (web_capacity, capacity) {
            (None, _) => problems.push(problem(
                "web_capacity".into(),
                "timetable_error_web",
                vec![],
            )),
            (Some(web), Some(all)) if web > all => problems.push(problem(
                "web_capacity".into(),
                "timetable_error_web",
                vec![],
            )),
            _ => {}
        }
        let mut hours = BTreeMap::new();
        for (day, hours_text, breaks_text) in self.day_fields() {
            let hours_field = format!("hours_{day}");
            let breaks_field = format!("breaks_{day}");
            let open = match periods(hours_text) {
                Ok(open) => open,
                Err(bad) => {
                    problems.push(problem(
                        hours_field,
                        "timetable_error_period",
                        vec![("value", bad)],
                    ));
                    continue;
                }
            };
            if open.windows(2).any(|pair| pair[1].0 < pair[0].1) {
                problems.push(problem(hours_field, "timetable_error_overlap", vec![]));
                continue;
            }
            let breaks = match periods(breaks_text) {
                Ok(breaks) => breaks,
                Err(bad) => {
                    problems.push(problem(
                        breaks_field,
                        "timetable_error_period",
                        vec![("value", bad)],
                    ));
                    continue;
                }
            };
            let Some(bookable) = without_breaks(&open, &breaks) else {
                problems.push(problem(
                    breaks_field,
                    "timetable_error_break_outside",
                    vec![],
                ));
                continue;
            };
            if let Some(length) = slot_minutes {
                let uneven = bookable
                    .iter()
                    .find(|(a, b)| (*b - *a).num_minutes() % i64::from(length) != 0);
                if let Some(period) = uneven {
                    problems.push(problem(
                        hours_field,
                        "timetable_error_uneven",
                        vec![
                            ("period", write(&[*period])),
                            ("minutes", length.to_string()),
                        ],
                    ));
                    continue;
                }
            }
            if !bookable.is_empty() {
                let ranges = bookable.iter().map(|p| write(&[*p])).collect();
                hours.insert(day.to_string(), ranges);
            }
        }
        match (effective_from, slot_minutes, capacity, web_capacity) {
            (Some(day), Some(slot_minutes), Some(capacity), Some(web)) if problems.is_empty() => {
                Ok(TimetableFile {
                    effective_from: date_text(day),
                    slot_minutes,
                    capacity,
                    web_capacity: Some(web),
                    hours,
                })
            }
            _ => Err(problems),
        }
    }
}

/// The opening periods with the breaks taken out; none when a break is not wholly inside
/// one opening period.
fn without_breaks(open: &[Period], breaks: &[Period]) -> Option<Vec<Period>> {
    let mut left: Vec<Period> = open.to_vec();
    for (from, until) in breaks {
        let index = left.iter().position(|(a, b)| a <= from && until <= b)?;
        let (a, b) = left.remove(index);
        if *until < b {
            left.insert(index, (*until, b));
        }
        if a < *from {
            left.insert(index, (a, *from));
        }
    }
    Some(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_break_splits_the_period_it_falls_in() {
        let open = periods("08:30-17:15").unwrap();
        let breaks = periods("12:00-13:00").unwrap();
        assert_eq!(
            without_breaks(&open, &breaks),
            Some(vec![(t(8, 30), t(12, 0)), (t(13, 0), t(17, 15))])
        );
        assert_eq!(
            without_breaks(&open, &periods("17:00-18:00").unwrap()),
            None
        );
    }

    #[test]
    fn periods_are_read_in_any_common_writing() {
        assert_eq!(
            periods("０９:００〜１２:００、13:00-17:00").unwrap(),
            vec![(t(9, 0), t(12, 0)), (t(13, 0), t(17, 0))]
        );
        assert_eq!(periods("9時から").unwrap_err(), "9時から");
    }
}
