//! A tenant as its tenant file: what the database holds, written so that applying the file
//! changes nothing. The console's settings and the file are one model; exporting before
//! editing the file by hand keeps what was set on screen (closed days, notices, hours).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveTime};
use diesel::PgConnection;

use super::file::{
    ClosureFile, ContactFile, DateText, DeadlineFile, LaneFile, LocationFile, ProcedureFile,
    RulesFile, TenantFile, TextsFile, TimetableFile,
};
use crate::db::lane::Lane;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::tenant::{card_column_names, Tenant};
use crate::db::timetable::{Closure, Timetable};
use crate::domain::mail::settings::MailRules;

/// The weekday keys of a timetable's hours, Monday (1) to Sunday (7).
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The tenant as a tenant file.
pub fn export(conn: &mut PgConnection, tenant: &Tenant) -> anyhow::Result<TenantFile> {
    let settings = &tenant.settings;
    let mail = MailRules::of_tenant(conn, tenant.id)?;
    let mut translated = super::translations::export(conn, tenant.id)?;
    let procedures: Vec<Procedure> = Procedure::for_tenant(conn, tenant.id)?
        .into_iter()
        .filter(|p| p.active)
        .collect();
    let procedure_codes: HashMap<i64, String> =
        procedures.iter().map(|p| (p.id, p.code.clone())).collect();
    let locations: Vec<Location> = Location::for_tenant(conn, tenant.id)?
        .into_iter()
        .filter(|l| l.active)
        .collect();
    let location_codes: HashMap<i64, String> = Location::for_tenant(conn, tenant.id)?
        .into_iter()
        .map(|l| (l.id, l.code))
        .collect();
    let lanes = Lane::for_tenant(conn, tenant.id)?;
    let timetables = Timetable::for_tenant(conn, tenant.id)?;
    let timetable_ids: Vec<i64> = timetables.iter().map(|t| t.id).collect();
    let periods = Timetable::periods_of(conn, &timetable_ids)?;
    let mut location_files = Vec::new();
    for location in &locations {
        let mut lane_files = Vec::new();
        for lane in lanes
            .iter()
            .filter(|l| l.location_id == location.id && l.active)
        {
            let procedures = Lane::procedure_ids(conn, lane.id)?
                .iter()
                .filter_map(|id| procedure_codes.get(id).cloned())
                .collect();
            let mut own: Vec<&Timetable> =
                timetables.iter().filter(|t| t.lane_id == lane.id).collect();
            own.sort_by_key(|t| t.effective_from);
            let timetables = own
                .into_iter()
                .map(|t| {
                    let hours = hours_of(
                        periods
                            .iter()
                            .filter(|p| p.timetable_id == t.id)
                            .map(|p| (p.weekday, p.opens, p.closes)),
                    );
                    TimetableFile {
                        effective_from: date_text(t.effective_from),
                        slot_minutes: t.slot_minutes,
                        capacity: t.capacity,
                        web_capacity: Some(t.web_capacity),
                        hours,
                    }
                })
                .collect();
            lane_files.push(LaneFile {
                code: lane.code.clone(),
                name: lane.name.clone(),
                procedures,
                timetables,
            });
        }
        location_files.push(LocationFile {
            code: location.code.clone(),
            name: location.name.clone(),
            name_en: location.name_en.clone(),
            address: location.address.clone(),
            issues_cards: location.issues_cards,
            access_ja: location.access_ja.clone(),
            access_en: location.access_en.clone(),
            map_url: location.map_url.clone(),
            lanes: lane_files,
            translations: translated
                .locations
                .remove(&location.id)
                .unwrap_or_default(),
        });
    }
    let mut closures: Vec<ClosureFile> = Closure::for_tenant(conn, tenant.id)?
        .into_iter()
        .map(|c| ClosureFile {
            date: date_text(c.day),
            location: c
                .location_id
                .and_then(|id| location_codes.get(&id).cloned()),
            reason: c.reason,
        })
        .collect();
    closures.sort_by(|a, b| (a.date.parse(), &a.location).cmp(&(b.date.parse(), &b.location)));
    Ok(TenantFile {
        code: settings.code.clone(),
        name: settings.name.clone(),
        name_en: settings.name_en.clone(),
        rules: RulesFile {
            hold_minutes: settings.hold_minutes,
            booking_opens_days: settings.booking_opens_days,
            cutoff: deadline(settings.cutoff_days_before, settings.cutoff_time),
            change_deadline: deadline(
                settings.change_deadline_days_before,
                settings.change_deadline_time,
            ),
            deadlines_skip_closed_days: settings.deadlines_skip_closed_days,
            max_party_size: settings.max_party_size,
            pickup_number: settings.pickup_number_kind.as_str().into(),
            pickup_proof: settings.pickup_proof_kind.as_str().into(),
            allow_transfers: settings.allow_transfers,
            closed_on_national_holidays: settings.closed_on_national_holidays,
            closed_over_new_year: settings.closed_over_new_year,
            slot_horizon_days: settings.slot_horizon_days,
            inquiry_phone: settings.inquiry_phone.clone(),
            staff_idle_minutes: settings.staff_idle_minutes,
            staff_password_min_length: settings.staff_password_min_length,
            staff_password_mixed: settings.staff_password_mixed,
            staff_networks: settings.staff_networks.clone(),
            reminder_hour: mail.reminder_hour,
            confirm_email: mail.confirm_email,
        },
        contact: ContactFile {
            email: settings.contact_email.as_str().into(),
            phone: settings.contact_phone.as_str().into(),
            name: settings.contact_name.as_str().into(),
        },
        texts: TextsFile {
            notice_ja: settings.notice_ja.clone(),
            notice_en: settings.notice_en.clone(),
            maintenance_ja: settings.maintenance_ja.clone(),
            maintenance_en: settings.maintenance_en.clone(),
            translations: translated.city,
        },
        procedures: procedures
            .into_iter()
            .map(|p| ProcedureFile {
                code: p.code,
                name_ja: p.name_ja,
                name_en: p.name_en,
                needs_card: p.needs_card,
                notes_ja: p.notes_ja,
                notes_en: p.notes_en,
                phone_only: p.phone_only,
                change_deadline: p.change_days_before.zip(p.change_at).map(|(days, at)| {
                    DeadlineFile {
                        days_before: days,
                        at: at.format("%H:%M").to_string(),
                    }
                }),
                translations: translated.procedures.remove(&p.id).unwrap_or_default(),
            })
            .collect(),
        locations: location_files,
        closures,
        card_columns: card_column_names(conn, tenant.id)?,
        fallbacks: translated.fallbacks,
    })
}

/// The tenant file as TOML text, headed by where it came from.
pub fn to_toml(file: &TenantFile, exported_at: &str) -> anyhow::Result<String> {
    let body = toml::to_string(file)?;
    Ok(format!(
        "# Tenant file of \"{}\", exported {exported_at}. Apply with\n\
         # `madoguchi tenant apply FILE --dry-run` first: it lists what would change.\n\n{body}",
        file.code
    ))
}

fn deadline(days_before: i32, at: NaiveTime) -> DeadlineFile {
    DeadlineFile {
        days_before,
        at: at.format("%H:%M").to_string(),
    }
}

pub fn date_text(day: NaiveDate) -> DateText {
    match day.to_string().parse::<toml::value::Datetime>() {
        Ok(date) => DateText::Toml(date),
        Err(_) => DateText::Text(day.to_string()),
    }
}

/// A timetable's periods as the file writes them: per weekday, "HH:MM-HH:MM" in order.
fn hours_of(
    periods: impl Iterator<Item = (i16, NaiveTime, NaiveTime)>,
) -> BTreeMap<String, Vec<String>> {
    let mut sorted: Vec<(i16, NaiveTime, NaiveTime)> = periods.collect();
    sorted.sort();
    let mut hours: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (weekday, opens, closes) in sorted {
        let Some(key) = usize::try_from(weekday - 1)
            .ok()
            .and_then(|i| WEEKDAYS.get(i))
        else {
            continue;
        };
        hours.entry(key.to_string()).or_default().push(format!(
            "{}-{}",
            opens.format("%H:%M"),
            closes.format("%H:%M")
        ));
    }
    hours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_written_per_weekday_in_order() {
        let t = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let hours = hours_of(
            [
                (2, t(13, 0), t(17, 0)),
                (2, t(9, 0), t(12, 0)),
                (7, t(10, 0), t(12, 30)),
            ]
            .into_iter(),
        );
        assert_eq!(hours["tue"], vec!["09:00-12:00", "13:00-17:00"]);
        assert_eq!(hours["sun"], vec!["10:00-12:30"]);
        assert_eq!(hours.len(), 2);
    }
}
