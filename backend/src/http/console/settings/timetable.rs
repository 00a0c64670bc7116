//! A lane's timetables: the one in force and those scheduled, side by side, and a form for
//! the next version from an effective date (the same date again replaces that version).
//! Previewed as every setting is, with the bookings the new hours or places would leave
//! without a place.

use actix_web::{web, HttpResponse};
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Header, Input, Table};
use madoguchi_frontend::view_models::FieldError;

use super::file_parts::{lane_of, location_of};
use super::flow::{field_errors, form_page, preview_or_save, Decision, Shown};
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::domain::tenant_file::{LaneFile, LocationFile, TimetableFile, WEEKDAYS};
use crate::domain::timetable_input::{TimetableInput, SLOT_MINUTES};
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::{Outcome, PageRequest, Posted};

/// The versions a reader needs: the one in force today and every one scheduled after it.
fn in_force_and_scheduled<'a>(cx: &StaffCx, lane: &'a LaneFile) -> Vec<&'a TimetableFile> {
    let today = cx.clock.today();
    let mut dated: Vec<(chrono::NaiveDate, &TimetableFile)> = lane
        .timetables
        .iter()
        .filter_map(|t| t.effective_from.parse().map(|d| (d, t)))
        .collect();
    dated.sort_by_key(|(day, _)| *day);
    let current = dated
        .iter()
        .rposition(|(day, _)| *day <= today)
        .unwrap_or(0);
    dated.into_iter().skip(current).map(|(_, t)| t).collect()
}

/// The lane's timetables side by side, one column per version, with a link to add one.
pub(super) fn versions(cx: &StaffCx, location: &LocationFile, lane: &LaneFile) -> Vec<Block> {
    let today = cx.clock.today();
    let shown = in_force_and_scheduled(cx, lane);
    let mut headers = vec![Header::plain(cx.text("timetable_item"))];
    for t in &shown {
        let day = t.effective_from.parse().unwrap_or(today);
        let state = if day <= today {
            "timetable_in_force"
        } else {
            "timetable_scheduled"
        };
        headers.push(Header::plain(tf(
            cx.lang,
            state,
            &[("date", &crate::domain::calendar::date_label(cx.lang, day))],
        )));
    }
    let row = |label: String, value: &dyn Fn(&TimetableFile) -> String| {
        let mut cells = vec![Cell::Text(label)];
        cells.extend(shown.iter().map(|t| Cell::Text(value(t))));
        cells
    };
    let mut rows = vec![
        row(cx.text("timetable_field_slot_minutes"), &|t| {
            tf(
                cx.lang,
                "timetable_minutes",
                &[("n", &t.slot_minutes.to_string())],
            )
        }),
        row(cx.text("timetable_field_capacity"), &|t| {
            t.capacity.to_string()
        }),
        row(cx.text("timetable_field_web_capacity"), &|t| {
            t.web_capacity.unwrap_or(t.capacity).to_string()
        }),
    ];
    let names = cx.text("weekdays");
    for (day, name) in WEEKDAYS.iter().zip(names.split(',')) {
        rows.push(row(name.to_string(), &|t| {
            let mut ranges: Vec<String> = t.hours.get(*day).cloned().unwrap_or_default();
            if WEEKDAYS[..5].contains(day) {
                ranges.extend(t.hours.get("weekdays").cloned().unwrap_or_default());
            }
            if ranges.is_empty() {
                cx.text("timetable_closed_day")
            } else {
                ranges.join(" ")
            }
        }));
    }
    let mut blocks = vec![
        Block::Heading(cx.text("timetable_title")),
        Block::Table(Table {
            caption: tf(cx.lang, "timetable_caption", &[("lane", &lane.name)]),
            headers,
            rows,
            empty_text: String::new(),
        }),
    ];
    if shown.is_empty() {
        blocks.push(Block::Text(cx.text("timetable_none")));
    }
    if cx.may(Permission::ManageSettings) {
        blocks.push(Block::Links(vec![(
            cx.console_url(&format!(
                "settings/locations/{}/lanes/{}/timetable",
                location.code, lane.code
            )),
            cx.text("timetable_add"),
        )]));
    }
    blocks
}

/// The timetable form as sent.
#[derive(serde::Deserialize, Default, Clone)]
pub struct TimetableForm {
    #[serde(flatten)]
    input: TimetableInput,
    #[serde(flatten)]
    decision: Decision,
}

fn page(
    cx: &StaffCx,
    location: &LocationFile,
    lane: &LaneFile,
    shown: Shown,
    input: &TimetableInput,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let label = |id: &str| cx.text(&format!("timetable_field_{id}"));
    let text = |id: &str, value: &str, hint: Option<String>| {
        let mut input = Input::text(id, label(id), value.to_string());
        if let Input::Text { hint: h, .. } = &mut input {
            *h = hint;
        }
        input.with_error_from(&errors)
    };
    let mut fields = vec![
        text(
            "effective_from",
            &input.effective_from,
            Some(cx.text("timetable_effective_from_hint")),
        ),
        Input::Select {
            id: "slot_minutes".into(),
            label: label("slot_minutes"),
            options: SLOT_MINUTES
                .iter()
                .map(|m| {
                    let n = m.to_string();
                    (n.clone(), tf(cx.lang, "timetable_minutes", &[("n", &n)]))
                })
                .collect(),
            chosen: input.slot_minutes.clone(),
        },
        text("capacity", &input.capacity, None),
        text(
            "web_capacity",
            &input.web_capacity,
            Some(cx.text("timetable_web_capacity_hint")),
        ),
    ];
    let names = cx.text("weekdays");
    let days = [
        (&input.hours_mon, &input.breaks_mon),
        (&input.hours_tue, &input.breaks_tue),
        (&input.hours_wed, &input.breaks_wed),
        (&input.hours_thu, &input.breaks_thu),
        (&input.hours_fri, &input.breaks_fri),
        (&input.hours_sat, &input.breaks_sat),
        (&input.hours_sun, &input.breaks_sun),
    ];
    for ((day, name), (hours, breaks)) in WEEKDAYS.iter().zip(names.split(',')).zip(days) {
        let hours_label = tf(cx.lang, "timetable_hours_of", &[("day", name)]);
        let breaks_label = tf(cx.lang, "timetable_breaks_of", &[("day", name)]);
        let mut hours_input = Input::text(&format!("hours_{day}"), hours_label, hours.clone());
        if let Input::Text { hint, .. } = &mut hours_input {
            *hint = (*day == "mon").then(|| cx.text("timetable_hours_hint"));
        }
        fields.push(hours_input.with_error_from(&errors));
        fields.push(
            Input::text(&format!("breaks_{day}"), breaks_label, breaks.clone())
                .with_error_from(&errors),
        );
    }
    let base = format!("settings/locations/{}/lanes/{}", location.code, lane.code);
    let mut lead = vec![Block::Links(vec![
        (
            cx.console_url("settings/locations"),
            cx.text("locations_title"),
        ),
        (
            cx.console_url(&format!("settings/locations/{}", location.code)),
            location.name.clone(),
        ),
        (cx.console_url(&base), lane.name.clone()),
    ])];
    let mut current = versions(cx, location, lane);
    current.pop();
    lead.extend(current);
    lead.push(Block::Heading(cx.text("timetable_add")));
    lead.push(Block::Text(cx.text("timetable_add_lead")));
    form_page(
        cx,
        "timetable_title",
        &format!("{base}/timetable"),
        lead,
        shown,
        fields,
        errors,
    )
}

pub async fn form(request: PageRequest, path: web::Path<(String, String, String)>) -> HttpResponse {
    let (_, location, lane) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let location = location_of(&file, &location)?;
            let lane = lane_of(location, &lane)?;
            // The newest version is where the next one starts from.
            let input = lane
                .timetables
                .iter()
                .max_by_key(|t| t.effective_from.parse())
                .map(TimetableInput::of)
                .unwrap_or_else(|| TimetableInput {
                    slot_minutes: "15".into(),
                    ..TimetableInput::default()
                });
            page(
                cx,
                location,
                lane,
                Shown::reading(&version),
                &input,
                Vec::new(),
            )
        })
        .await
}

pub async fn submit(
    request: Posted<TimetableForm>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (_, location_code, lane_code) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, form| {
            let (file, now) = settings::current(conn, &cx.tenant)?;
            let location = location_of(&file, &location_code)?;
            let lane = lane_of(location, &lane_code)?;
            let timetable = match form.input.into_file(cx.clock.today()) {
                Ok(timetable) => timetable,
                Err(problems) => {
                    let errors = field_errors(cx, problems, "timetable_field_");
                    let shown = Shown::refused(&form.decision.version);
                    return page(cx, location, lane, shown, &form.input, errors);
                }
            };
            let mut wanted = file.clone();
            let day = timetable.effective_from.parse();
            for l in wanted
                .locations
                .iter_mut()
                .filter(|l| l.code == location_code)
            {
                for lane in l.lanes.iter_mut().filter(|lane| lane.code == lane_code) {
                    lane.timetables.retain(|t| t.effective_from.parse() != day);
                    lane.timetables.push(TimetableFile {
                        effective_from: crate::domain::tenant_file::date_text(
                            day.unwrap_or_default(),
                        ),
                        slot_minutes: timetable.slot_minutes,
                        capacity: timetable.capacity,
                        web_capacity: timetable.web_capacity,
                        hours: timetable.hours.clone(),
                    });
                }
            }
            let show = |cx: &StaffCx, shown: Shown| {
                page(cx, location, lane, shown, &form.input, Vec::new())
            };
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &wanted,
                "settings.timetable",
                show,
            )
        })
        .await
}
