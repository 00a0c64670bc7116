//! A city's counters: added, edited (names, address, directions, map link) and closed for
//! bookings, each change previewed as every setting is. Closing a counter takes it out of
//! the city's tenant file; its bookings are listed and kept or cancelled like any other
//! change's.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Input};
use madoguchi_frontend::view_models::FieldError;

use super::file_parts::{check_new_code, location_mut};
use super::flow::{form_page, preview_or_save, Decision, Shown, TextRule};
use crate::db::location::Location;
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::domain::tenant_file::LocationFile;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::page::{field_error, Outcome, PageRequest, Posted};

const NAME_MAX_CHARS: usize = 100;
const ADDRESS_MAX_CHARS: usize = 200;
const ACCESS_MAX_CHARS: usize = 1000;
const URL_MAX_CHARS: usize = 500;

const COLUMNS: [Column<LocationFile, ()>; 4] = [
    Column {
        header: "locations_name",
        sort: None,
        cell: |view, l| {
            Cell::Link(
                view.console_url(&format!("settings/locations/{}", l.code)),
                l.name.clone(),
            )
        },
    },
    Column {
        header: "locations_code",
        sort: None,
        cell: |_, l| Cell::Code(l.code.clone()),
    },
    Column {
        header: "locations_address",
        sort: None,
        cell: |_, l| Cell::Text(l.address.clone()),
    },
    Column {
        header: "locations_lanes",
        sort: None,
        cell: |_, l| {
            Cell::Text(
                l.lanes
                    .iter()
                    .map(|lane| lane.name.clone())
                    .collect::<Vec<_>>()
                    .join("、"),
            )
        },
    },
];

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewSettings, |conn, cx| {
            let (file, _) = settings::current(conn, &cx.tenant)?;
            let mut blocks = Vec::new();
            if cx.may(Permission::ManageSettings) {
                blocks.push(Block::Links(vec![(
                    cx.console_url("settings/locations/new"),
                    cx.text("locations_add"),
                )]));
            }
            blocks.push(Block::Table(table(
                &RowView::of(cx),
                cx.text("locations_title"),
                &COLUMNS,
                &file.locations,
                None,
                cx.text("locations_none"),
            )));
            let closed: Vec<String> = Location::for_tenant(conn, cx.tenant.id)?
                .into_iter()
                .filter(|l| !l.active)
                .map(|l| format!("{}（{}）", l.name, l.code))
                .collect();
            if !closed.is_empty() {
                blocks.push(Block::Heading(cx.text("locations_closed")));
                blocks.push(Block::Text(closed.join("、")));
                blocks.push(Block::Text(cx.text("locations_closed_hint")));
            }
            cx.page(StatusCode::OK, "locations_title", None, blocks)
        })
        .await
}

/// A counter as typed.
#[derive(serde::Deserialize, Default, Clone)]
pub struct LocationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    access_ja: String,
    #[serde(default)]
    access_en: String,
    #[serde(default)]
    map_url: String,
    #[serde(default)]
    issues_cards: Option<String>,
    /// Close this counter for bookings (it leaves the city's file).
    #[serde(default)]
    close: Option<String>,
    #[serde(flatten)]
    decision: Decision,
}

impl LocationForm {
    fn of(l: &LocationFile) -> LocationForm {
        LocationForm {
            code: l.code.clone(),
            name: l.name.clone(),
            name_en: l.name_en.clone(),
            address: l.address.clone(),
            access_ja: l.access_ja.clone(),
            access_en: l.access_en.clone(),
            map_url: l.map_url.clone(),
            issues_cards: l.issues_cards.then(|| "1".into()),
            ..LocationForm::default()
        }
    }

    /// Writes the typed fields into `l`, or names each field that cannot be taken.
    fn apply_to(&self, cx: &StaffCx, l: &mut LocationFile) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let rule = |max: usize, required: bool, lines: bool| TextRule {
            max,
            required,
            lines,
            message: "settings_error_text",
        };
        l.name = rule(NAME_MAX_CHARS, true, false).read(cx, "name", &self.name, &mut errors);
        l.name_en =
            rule(NAME_MAX_CHARS, false, false).read(cx, "name_en", &self.name_en, &mut errors);
        l.address =
            rule(ADDRESS_MAX_CHARS, false, false).read(cx, "address", &self.address, &mut errors);
        let access = rule(ACCESS_MAX_CHARS, false, true);
        l.access_ja = access.read(cx, "access_ja", &self.access_ja, &mut errors);
        l.access_en = access.read(cx, "access_en", &self.access_en, &mut errors);
        let url = rule(URL_MAX_CHARS, false, false).read(cx, "map_url", &self.map_url, &mut errors);
        let web_address = url.starts_with("https://") || url.starts_with("http://");
        if !url.is_empty() && (!web_address || url.contains(char::is_whitespace)) {
            errors.push(field_error("map_url", cx.text("locations_error_map_url")));
        }
        l.map_url = url;
        l.issues_cards = self.issues_cards.is_some();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The counter form: a new counter when `code` is none.
fn page(
    cx: &StaffCx,
    code: Option<&str>,
    lanes: Option<Block>,
    shown: Shown,
    form: &LocationForm,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let text = |id: &str, value: &str| {
        Input::text(id, cx.text(&format!("locations_{id}")), value.to_string())
            .with_error_from(&errors)
    };
    let area = |id: &str, value: &str| {
        Input::area(id, cx.text(&format!("locations_{id}")), value.to_string())
            .with_error_from(&errors)
    };
    let mut fields = Vec::new();
    if code.is_none() {
        fields.push(text("code", &form.code));
    }
    fields.extend([
        text("name", &form.name),
        text("name_en", &form.name_en),
        text("address", &form.address),
        area("access_ja", &form.access_ja),
        area("access_en", &form.access_en),
        text("map_url", &form.map_url),
        Input::Check {
            id: "issues_cards".into(),
            label: cx.text("locations_issues_cards"),
            checked: form.issues_cards.is_some(),
        },
    ]);
    let mut lead = vec![Block::Links(vec![(
        cx.console_url("settings/locations"),
        cx.text("locations_title"),
    )])];
    let (title, action) = match code {
        Some(code) => {
            fields.push(Input::Check {
                id: "close".into(),
                label: cx.text("locations_close"),
                checked: form.close.is_some(),
            });
            lead.push(Block::Heading(cx.text("lanes_title")));
            lead.extend(lanes);
            lead.push(Block::Links(vec![(
                cx.console_url(&format!("settings/locations/{code}/lanes/new")),
                cx.text("lanes_add"),
            )]));
            lead.push(Block::Heading(cx.text("locations_details")));
            ("locations_edit_title", format!("settings/locations/{code}"))
        }
        None => ("locations_add", "settings/locations/new".to_string()),
    };
    form_page(cx, title, &action, lead, shown, fields, errors)
}

/// The lanes of a counter as links to their pages, for the counter's page.
fn lane_links(cx: &StaffCx, location: &LocationFile) -> Block {
    Block::Links(
        location
            .lanes
            .iter()
            .map(|lane| {
                (
                    cx.console_url(&format!(
                        "settings/locations/{}/lanes/{}",
                        location.code, lane.code
                    )),
                    format!("{}（{}）", lane.name, lane.code),
                )
            })
            .collect(),
    )
}

pub async fn new_form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let (_, version) = settings::current(conn, &cx.tenant)?;
            let form = LocationForm {
                issues_cards: Some("1".into()),
                ..LocationForm::default()
            };
            page(cx, None, None, Shown::reading(&version), &form, Vec::new())
        })
        .await
}

pub async fn create(request: Posted<LocationForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let (mut file, now) = settings::current(conn, &cx.tenant)?;
            let code = form.code.trim().to_string();
            let mut location = LocationFile {
                code: code.clone(),
                name: String::new(),
                name_en: String::new(),
                address: String::new(),
                issues_cards: true,
                access_ja: String::new(),
                access_en: String::new(),
                map_url: String::new(),
                lanes: Vec::new(),
                translations: Default::default(),
            };
            let mut errors = form.apply_to(cx, &mut location).err().unwrap_or_default();
            check_new_code(
                cx,
                &code,
                |c| file.locations.iter().any(|l| l.code == c),
                &mut errors,
            );
            if !errors.is_empty() {
                return page(
                    cx,
                    None,
                    None,
                    Shown::refused(&form.decision.version),
                    &form,
                    errors,
                );
            }
            file.locations.push(location);
            let show = |cx: &StaffCx, shown: Shown| page(cx, None, None, shown, &form, Vec::new());
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &file,
                "settings.location",
                show,
            )
        })
        .await
}

pub async fn show(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .staff_step(Permission::ViewSettings, move |conn, cx| {
            let (mut file, version) = settings::current(conn, &cx.tenant)?;
            let location = location_mut(&mut file, &code)?;
            if !cx.may(Permission::ManageSettings) {
                let blocks = vec![
                    Block::Facts(vec![
                        (cx.text("locations_address"), location.address.clone()),
                        (cx.text("locations_access_ja"), location.access_ja.clone()),
                    ]),
                    Block::Heading(cx.text("lanes_title")),
                    lane_links(cx, location),
                ];
                return cx.page(StatusCode::OK, "locations_edit_title", None, blocks);
            }
            let form = LocationForm::of(location);
            let lanes = Some(lane_links(cx, location));
            page(
                cx,
                Some(&code),
                lanes,
                Shown::reading(&version),
                &form,
                Vec::new(),
            )
        })
        .await
}

pub async fn update(
    request: Posted<LocationForm>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, form| {
            let (mut file, now) = settings::current(conn, &cx.tenant)?;
            let location = location_mut(&mut file, &code)?;
            let lanes = lane_links(cx, location);
            if let Err(errors) = form.apply_to(cx, location) {
                let shown = Shown::refused(&form.decision.version);
                return page(cx, Some(&code), Some(lanes), shown, &form, errors);
            }
            if form.close.is_some() {
                file.locations.retain(|l| l.code != code);
                file.closures
                    .retain(|c| c.location.as_deref() != Some(code.as_str()));
            }
            let show = |cx: &StaffCx, shown: Shown| {
                page(
                    cx,
                    Some(&code),
                    Some(lanes.clone()),
                    shown,
                    &form,
                    Vec::new(),
                )
            };
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &file,
                "settings.location",
                show,
            )
        })
        .await
}
