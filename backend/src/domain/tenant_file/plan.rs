//! Checking a tenant file and turning it into the rows it stands for, before any of it
//! touches the database. Every mistake is reported with its place in the file.

use crate::db::kinds::TextEnum;
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};

use super::file::{TenantFile, TimetableFile};
use crate::db::location::LocationFields;
use crate::db::procedure::ProcedureFields;
use crate::db::tenant::TenantSettings;

/// The file checked and turned into rows-to-be, before touching the database.
pub(super) struct Plan {
    pub(super) settings: TenantSettings,
    pub(super) procedures: Vec<ProcedureFields>,
    pub(super) locations: Vec<(LocationFields, Vec<LanePlan>)>,
    pub(super) closures: Vec<(Option<String>, NaiveDate, String)>,
    /// Header names of this tenant's card files, standard → file.
    pub(super) card_columns: std::collections::BTreeMap<String, String>,
    pub(super) mail: crate::domain::mail::settings::MailRules,
    pub(super) translations: super::translations::TranslationPlan,
}

pub(super) struct LanePlan {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) procedures: Vec<String>,
    pub(super) timetables: Vec<TimetablePlan>,
}

#[derive(PartialEq, Debug)]
pub(super) struct TimetablePlan {
    pub(super) effective_from: NaiveDate,
    pub(super) slot_minutes: i32,
    pub(super) capacity: i32,
    pub(super) web_capacity: i32,
    /// (weekday, opens, closes), sorted
    pub(super) periods: Vec<(i16, NaiveTime, NaiveTime)>,
}

/// The value a text field names, or (with a message listing what may be written) the
/// first value, so that the plan goes on to find every other problem too.
fn choice<T: TextEnum>(path: &str, value: &str, errors: &mut Vec<String>) -> T {
    T::parse(value).unwrap_or_else(|| {
        errors.push(format!(
            "{path}: \"{value}\" is not one of {}",
            T::words().join(", ")
        ));
        T::ALL[0]
    })
}

pub(super) fn plan(file: &TenantFile) -> Result<Plan, Vec<String>> {
    let mut errors = Vec::new();
    let rules = &file.rules;
    let time = |path: &str, text: &str, errors: &mut Vec<String>| {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap_or_else(|_| {
            errors.push(format!(
                "{path}: \"{text}\" is not a time of day such as 17:00"
            ));
            NaiveTime::MIN
        })
    };
    let cutoff_time = time("rules.cutoff.at", &rules.cutoff.at, &mut errors);
    let change_time = time(
        "rules.change_deadline.at",
        &rules.change_deadline.at,
        &mut errors,
    );
    let pickup_number_kind = choice("rules.pickup_number", &rules.pickup_number, &mut errors);
    let pickup_proof_kind = choice("rules.pickup_proof", &rules.pickup_proof, &mut errors);
    let contact_email = choice("contact.email", &file.contact.email, &mut errors);
    let contact_phone = choice("contact.phone", &file.contact.phone, &mut errors);
    let contact_name = choice("contact.name", &file.contact.name, &mut errors);
    let settings = TenantSettings {
        code: file.code.clone(),
        name: file.name.clone(),
        name_en: file.name_en.clone(),
        hold_minutes: rules.hold_minutes,
        booking_opens_days: rules.booking_opens_days,
        cutoff_days_before: rules.cutoff.days_before,
        cutoff_time,
        change_deadline_days_before: rules.change_deadline.days_before,
        change_deadline_time: change_time,
        deadlines_skip_closed_days: rules.deadlines_skip_closed_days,
        max_party_size: rules.max_party_size,
        pickup_number_kind,
        pickup_proof_kind,
        allow_transfers: rules.allow_transfers,
        closed_on_national_holidays: rules.closed_on_national_holidays,
        closed_over_new_year: rules.closed_over_new_year,
        slot_horizon_days: rules.slot_horizon_days,
        contact_email,
        contact_phone,
        contact_name,
        inquiry_phone: rules.inquiry_phone.clone(),
        notice_ja: file.texts.notice_ja.clone(),
        notice_en: file.texts.notice_en.clone(),
        maintenance_ja: file.texts.maintenance_ja.clone(),
        maintenance_en: file.texts.maintenance_en.clone(),
        staff_idle_minutes: rules.staff_idle_minutes,
        staff_password_min_length: rules.staff_password_min_length,
        staff_password_mixed: rules.staff_password_mixed,
        staff_networks: rules.staff_networks.clone(),
    };
    for standard in file.card_columns.keys() {
        if !crate::domain::card_import::rows::COLUMNS.contains(&standard.as_str()) {
            errors.push(format!(
                "card_columns: \"{standard}\" is not a column of the J-LIS file ({})",
                crate::domain::card_import::rows::COLUMNS.join(", ")
            ));
        }
    }
    if !(0..=23).contains(&rules.reminder_hour) {
        errors.push("rules.reminder_hour: must be an hour from 0 to 23".into());
    }
    if !(8..=128).contains(&rules.staff_password_min_length) {
        errors.push("rules.staff_password_min_length: must be between 8 and 128".into());
    }
    for network in &rules.staff_networks {
        if network.parse::<ipnet::IpNet>().is_err() {
            errors.push(format!(
                "rules.staff_networks: \"{network}\" is not an address range such as 192.0.2.0/24"
            ));
        }
    }
    let procedure_codes: BTreeSet<&str> = file.procedures.iter().map(|p| p.code.as_str()).collect();
    if procedure_codes.len() != file.procedures.len() {
        errors.push("procedures: a procedure code appears twice".into());
    }
    let mut procedure_deadlines = Vec::new();
    for (i, p) in file.procedures.iter().enumerate() {
        let deadline = p.change_deadline.as_ref().map(|d| {
            let path = format!("procedures[{i}].change_deadline");
            if !(0..=30).contains(&d.days_before) {
                errors.push(format!("{path}.days_before: must be between 0 and 30"));
            }
            (
                d.days_before,
                time(&format!("{path}.at"), &d.at, &mut errors),
            )
        });
        procedure_deadlines.push(deadline);
    }
    let procedures = file
        .procedures
        .iter()
        .enumerate()
        .map(|(i, p)| ProcedureFields {
            code: p.code.clone(),
            name_ja: p.name_ja.clone(),
            name_en: p.name_en.clone(),
            needs_card: p.needs_card,
            notes_ja: p.notes_ja.clone(),
            notes_en: p.notes_en.clone(),
            sort_order: i as i32,
            active: true,
            phone_only: p.phone_only,
            change_days_before: procedure_deadlines[i].map(|(days, _)| days),
            change_at: procedure_deadlines[i].map(|(_, at)| at),
        })
        .collect();
    let mut locations = Vec::new();
    for (li, location) in file.locations.iter().enumerate() {
        let mut lanes = Vec::new();
        for (ni, lane) in location.lanes.iter().enumerate() {
            let path = format!("locations[{li}].lanes[{ni}]");
            for code in &lane.procedures {
                if !procedure_codes.contains(code.as_str()) {
                    errors.push(format!("{path}.procedures: unknown procedure \"{code}\""));
                }
            }
            let mut timetables = Vec::new();
            for (ti, timetable) in lane.timetables.iter().enumerate() {
                let path = format!("{path}.timetables[{ti}]");
                if let Some(plan) = plan_timetable(&path, timetable, &mut errors) {
                    timetables.push(plan);
                }
            }
            timetables.sort_by_key(|t| t.effective_from);
            lanes.push(LanePlan {
                code: lane.code.clone(),
                name: lane.name.clone(),
                procedures: lane.procedures.clone(),
                timetables,
            });
        }
        locations.push((
            LocationFields {
                code: location.code.clone(),
                name: location.name.clone(),
                name_en: location.name_en.clone(),
                address: location.address.clone(),
                issues_cards: location.issues_cards,
                active: true,
                access_ja: location.access_ja.clone(),
                access_en: location.access_en.clone(),
                map_url: location.map_url.clone(),
            },
            lanes,
        ));
    }
    let location_codes: BTreeSet<&str> = file.locations.iter().map(|l| l.code.as_str()).collect();
    if location_codes.len() != file.locations.len() {
        errors.push("locations: a location code appears twice".into());
    }
    for (li, location) in file.locations.iter().enumerate() {
        let url = &location.map_url;
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            errors.push(format!(
                "locations[{li}].map_url: \"{url}\" is not a web address"
            ));
        }
        let lane_codes: BTreeSet<&str> = location.lanes.iter().map(|l| l.code.as_str()).collect();
        if lane_codes.len() != location.lanes.len() {
            errors.push(format!("locations[{li}].lanes: a lane code appears twice"));
        }
    }
    let mut closures = Vec::new();
    for (ci, closure) in file.closures.iter().enumerate() {
        let Some(day) = closure.date.parse() else {
            errors.push(format!("closures[{ci}].date: not a real date"));
            continue;
        };
        if let Some(code) = &closure.location {
            if !location_codes.contains(code.as_str()) {
                errors.push(format!(
                    "closures[{ci}].location: unknown location \"{code}\""
                ));
            }
        }
        closures.push((closure.location.clone(), day, closure.reason.clone()));
    }
    let translations = super::translations::plan(file, &mut errors);
    if errors.is_empty() {
        Ok(Plan {
            settings,
            procedures,
            locations,
            closures,
            card_columns: file.card_columns.clone(),
            mail: crate::domain::mail::settings::MailRules {
                reminder_hour: rules.reminder_hour,
                confirm_email: rules.confirm_email,
            },
            translations,
        })
    } else {
        Err(errors)
    }
}

fn plan_timetable(
    path: &str,
    file: &TimetableFile,
    errors: &mut Vec<String>,
) -> Option<TimetablePlan> {
    let effective_from = file.effective_from.parse();
    if effective_from.is_none() {
        errors.push(format!("{path}.effective_from: not a real date"));
    }
    if ![10, 15, 20, 30, 60].contains(&file.slot_minutes) {
        errors.push(format!(
            "{path}.slot_minutes: must be 10, 15, 20, 30 or 60, not {}",
            file.slot_minutes
        ));
    }
    let web_capacity = file.web_capacity.unwrap_or(file.capacity);
    if file.capacity < 1 || web_capacity < 0 || web_capacity > file.capacity {
        errors.push(format!(
            "{path}: capacity must be at least 1 and web_capacity between 0 and capacity"
        ));
    }
    let mut periods = Vec::new();
    for (key, ranges) in &file.hours {
        let days: Vec<i16> = match key.as_str() {
            "mon" => vec![1],
            "tue" => vec![2],
            "wed" => vec![3],
            "thu" => vec![4],
            "fri" => vec![5],
            "sat" => vec![6],
            "sun" => vec![7],
            "weekdays" => vec![1, 2, 3, 4, 5],
            other => {
                errors.push(format!(
                    "{path}.hours: \"{other}\" is not mon … sun or weekdays"
                ));
                continue;
            }
        };
        for (ri, range) in ranges.iter().enumerate() {
            let parsed = range.split_once('-').and_then(|(a, b)| {
                let opens = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
                let closes = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
                (opens < closes).then_some((opens, closes))
            });
            match parsed {
                Some((opens, closes)) => {
                    for day in &days {
                        periods.push((*day, opens, closes));
                    }
                }
                None => errors.push(format!(
                    "{path}.hours.{key}[{ri}]: \"{range}\" is not a period such as 09:00-12:00"
                )),
            }
        }
    }
    periods.sort();
    for pair in periods.windows(2) {
        if pair[0].0 == pair[1].0 && pair[1].1 < pair[0].2 {
            errors.push(format!(
                "{path}.hours: periods overlap on weekday {}",
                pair[0].0
            ));
        }
    }
    Some(TimetablePlan {
        effective_from: effective_from?,
        slot_minutes: file.slot_minutes,
        capacity: file.capacity,
        web_capacity,
        periods,
    })
}
