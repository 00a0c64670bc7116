//! The lanes of a counter (a desk or a group of desks with one timetable): added, renamed,
//! given the procedures they serve, or closed; previewed as every setting is.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Input};
use madoguchi_frontend::view_models::FieldError;

use super::file_parts::{check_new_code, lane_of, location_of};
use super::flow::{form_page, preview_or_save, Decision, Shown, TextRule};
use super::timetable;
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::domain::tenant_file::{LaneFile, LocationFile, TenantFile};
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::page::{field_error, Outcome, PageRequest, Posted};

const NAME_MAX_CHARS: usize = 100;
/// The check box of procedure `code` is named `offers_{code}`.
const OFFERS: &str = "offers_";

/// A lane as typed; the procedures it serves are check boxes named by `OFFERS`.
#[derive(serde::Deserialize, Default, Clone)]
pub struct LaneForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    /// Close this lane (it leaves the city's file).
    #[serde(default)]
    close: Option<String>,
    #[serde(flatten)]
    decision: Decision,
    /// The procedures' check boxes, and nothing else the form sends.
    #[serde(flatten)]
    offers: BTreeMap<String, String>,
}

impl LaneForm {
    fn of(lane: &LaneFile) -> LaneForm {
        LaneForm {
            code: lane.code.clone(),
            name: lane.name.clone(),
            offers: lane
                .procedures
                .iter()
                .map(|p| (format!("{OFFERS}{p}"), "1".into()))
                .collect(),
            ..LaneForm::default()
        }
    }

    fn offers(&self, file: &TenantFile) -> Vec<String> {
        file.procedures
            .iter()
            .filter(|p| self.offers.contains_key(&format!("{OFFERS}{}", p.code)))
            .map(|p| p.code.clone())
            .collect()
    }

    fn apply_to(
        &self,
        cx: &StaffCx,
        file: &TenantFile,
        lane: &mut LaneFile,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let rule = TextRule {
            max: NAME_MAX_CHARS,
            required: true,
            lines: false,
            message: "settings_error_text",
        };
        lane.name = rule.read(cx, "name", &self.name, &mut errors);
        lane.procedures = self.offers(file);
        if lane.procedures.is_empty() && self.close.is_none() {
            errors.push(field_error("offers", cx.text("lanes_error_no_procedure")));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The lane form (a new lane when `lane` is none) with, for a lane, its timetables.
fn page(
    cx: &StaffCx,
    file: &TenantFile,
    location: &LocationFile,
    lane: Option<&LaneFile>,
    shown: Shown,
    form: &LaneForm,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let mut fields = Vec::new();
    if lane.is_none() {
        fields.push(
            Input::text("code", cx.text("lanes_code"), form.code.clone()).with_error_from(&errors),
        );
    }
    fields.push(
        Input::text("name", cx.text("lanes_name"), form.name.clone()).with_error_from(&errors),
    );
    for p in &file.procedures {
        let id = format!("{OFFERS}{}", p.code);
        fields.push(Input::Check {
            checked: form.offers.contains_key(&id),
            id,
            label: madoguchi_frontend::i18n::tf(
                cx.lang,
                "lanes_offers",
                &[("procedure", &cx.pick(&p.name_ja, &p.name_en))],
            ),
        });
    }
    let base = format!("settings/locations/{}", location.code);
    let mut lead = vec![Block::Links(vec![
        (
            cx.console_url("settings/locations"),
            cx.text("locations_title"),
        ),
        (cx.console_url(&base), location.name.clone()),
    ])];
    let action = match lane {
        Some(lane) => {
            fields.push(Input::Check {
                id: "close".into(),
                label: cx.text("lanes_close"),
                checked: form.close.is_some(),
            });
            lead.extend(timetable::versions(cx, location, lane));
            lead.push(Block::Heading(cx.text("lanes_details")));
            format!("{base}/lanes/{}", lane.code)
        }
        None => format!("{base}/lanes/new"),
    };
    let title = if lane.is_some() {
        "lanes_edit_title"
    } else {
        "lanes_add"
    };
    form_page(cx, title, &action, lead, shown, fields, errors)
}

pub async fn new_form(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, location) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let location = location_of(&file, &location)?;
            let shown = Shown::reading(&version);
            page(
                cx,
                &file,
                location,
                None,
                shown,
                &LaneForm::default(),
                Vec::new(),
            )
        })
        .await
}

pub async fn create(request: Posted<LaneForm>, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, location_code) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, form| {
            let (file, now) = settings::current(conn, &cx.tenant)?;
            let location = location_of(&file, &location_code)?;
            let code = form.code.trim().to_string();
            let mut lane = LaneFile {
                code: code.clone(),
                name: String::new(),
                procedures: Vec::new(),
                timetables: Vec::new(),
            };
            let mut errors = form
                .apply_to(cx, &file, &mut lane)
                .err()
                .unwrap_or_default();
            check_new_code(
                cx,
                &code,
                |c| location.lanes.iter().any(|l| l.code == c),
                &mut errors,
            );
            if !errors.is_empty() {
                let shown = Shown::refused(&form.decision.version);
                return page(cx, &file, location, None, shown, &form, errors);
            }
            let mut wanted = file.clone();
            let index = wanted
                .locations
                .iter()
                .position(|l| l.code == location_code)
                .ok_or(AppError::NotFound(Resource::Location))?;
            wanted.locations[index].lanes.push(lane);
            let show = |cx: &StaffCx, shown: Shown| {
                page(cx, &file, location, None, shown, &form, Vec::new())
            };
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &wanted,
                "settings.lane",
                show,
            )
        })
        .await
}

pub async fn show(request: PageRequest, path: web::Path<(String, String, String)>) -> HttpResponse {
    let (_, location, lane) = path.into_inner();
    request
        .staff_step(Permission::ViewSettings, move |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let location = location_of(&file, &location)?;
            let lane = lane_of(location, &lane)?;
            if !cx.may(Permission::ManageSettings) {
                let blocks = timetable::versions(cx, location, lane);
                return cx.page(
                    actix_web::http::StatusCode::OK,
                    "lanes_edit_title",
                    None,
                    blocks,
                );
            }
            let shown = Shown::reading(&version);
            page(
                cx,
                &file,
                location,
                Some(lane),
                shown,
                &LaneForm::of(lane),
                Vec::new(),
            )
        })
        .await
}

pub async fn update(
    request: Posted<LaneForm>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (_, location_code, lane_code) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, form| {
            let (file, now) = settings::current(conn, &cx.tenant)?;
            let location = location_of(&file, &location_code)?;
            let lane = lane_of(location, &lane_code)?;
            let mut changed = LaneFile {
                code: lane.code.clone(),
                name: lane.name.clone(),
                procedures: lane.procedures.clone(),
                timetables: Vec::new(),
            };
            if let Err(errors) = form.apply_to(cx, &file, &mut changed) {
                let shown = Shown::refused(&form.decision.version);
                return page(cx, &file, location, Some(lane), shown, &form, errors);
            }
            let mut wanted = file.clone();
            for l in wanted
                .locations
                .iter_mut()
                .filter(|l| l.code == location_code)
            {
                if form.close.is_some() {
                    l.lanes.retain(|lane| lane.code != lane_code);
                }
                for lane in l.lanes.iter_mut().filter(|lane| lane.code == lane_code) {
                    lane.name = changed.name.clone();
                    lane.procedures = changed.procedures.clone();
                }
            }
            let show = |cx: &StaffCx, shown: Shown| {
                page(cx, &file, location, Some(lane), shown, &form, Vec::new())
            };
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &wanted,
                "settings.lane",
                show,
            )
        })
        .await
}
