//! Announcing a stop of the service: a banner with a start and an end, shown on every
//! resident page and in the console from the start and gone after the end.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use crate::db::maintenance::{self, MaintenanceWindow, NewMaintenanceWindow};
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::console::notice::Notice;
use crate::http::extract::NoFields;
use crate::http::page::{field_error, Outcome, PageRequest, Posted};

/// A window as typed: local date and time of its start and end, and its texts.
#[derive(serde::Deserialize, Default, Clone)]
pub struct WindowForm {
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    text_ja: String,
    #[serde(default)]
    text_en: String,
    /// The stop itself, when the banner announces one (optional): counted as planned in
    /// the availability figure.
    #[serde(default)]
    stop_starts: String,
    #[serde(default)]
    stop_ends: String,
}

const TEXT_MAX_CHARS: usize = 200;

const COLUMNS: [Column<MaintenanceWindow, ()>; 5] = [
    Column {
        header: "maintenance_starts",
        sort: None,
        cell: |view, w| Cell::Text(view.minute(w.starts_at)),
    },
    Column {
        header: "maintenance_ends",
        sort: None,
        cell: |view, w| Cell::Text(view.minute(w.ends_at)),
    },
    Column {
        header: "maintenance_stop",
        sort: None,
        cell: |view, w| match (w.stop_starts_at, w.stop_ends_at) {
            (Some(start), Some(end)) => {
                Cell::Text(format!("{} – {}", view.minute(start), view.minute(end)))
            }
            _ => Cell::Text(String::new()),
        },
    },
    Column {
        header: "maintenance_text_ja",
        sort: None,
        cell: |_, w| Cell::Text(w.text_ja.clone()),
    },
    Column {
        header: "staff_actions",
        sort: None,
        cell: |view, w| {
            Cell::Button(Form {
                action: view.console_url(&format!("settings/maintenance/{}/remove", w.id)),
                post: true,
                csrf: Some(view.csrf.clone()),
                inputs: Vec::new(),
                submit: view.text("maintenance_remove"),
                inline: true,
            })
        },
    },
];

fn page(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
    typed: &WindowForm,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let windows: Vec<MaintenanceWindow> = MaintenanceWindow::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .filter(|w| w.ends_at > cx.clock.now)
        .collect();
    let text = |id: &str, value: &str| {
        Input::text(id, cx.text(&format!("maintenance_{id}")), value.to_string())
            .with_error_from(&errors)
    };
    let mut starts = text("starts", &typed.starts);
    if let Input::Text { hint, .. } = &mut starts {
        *hint = Some(cx.text("maintenance_time_hint"));
    }
    let blocks = vec![
        Block::Text(cx.text("maintenance_lead")),
        Block::Table(table(
            &RowView::of(cx),
            cx.text("maintenance_scheduled"),
            &COLUMNS,
            &windows,
            None,
            cx.text("maintenance_none"),
        )),
        Block::Heading(cx.text("maintenance_add")),
        Block::Form(Form {
            action: cx.console_url("settings/maintenance"),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs: vec![
                starts,
                text("ends", &typed.ends),
                text("text_ja", &typed.text_ja),
                text("text_en", &typed.text_en),
                text("stop_starts", &typed.stop_starts),
                text("stop_ends", &typed.stop_ends),
            ],
            submit: cx.text("maintenance_add_button"),
            inline: false,
        }),
    ];
    if errors.is_empty() {
        cx.page(status, "maintenance_title", notice, blocks)
    } else {
        cx.page_with_errors("maintenance_title", errors, blocks)
    }
}

/// A local date and time as staff type it: `2026-12-20 02:00` (or with a `T`).
pub(super) fn local_time(cx: &StaffCx, text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim().replace('T', " ");
    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M").ok()?;
    cx.clock
        .tz
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The window typed, or every field that cannot be taken.
fn read(cx: &StaffCx, form: &WindowForm) -> Result<NewMaintenanceWindow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut time = |field: &str, text: &str| {
        let read = local_time(cx, text);
        if read.is_none() {
            errors.push(field_error(field, cx.text("maintenance_error_time")));
        }
        read
    };
    let starts = time("starts", &form.starts);
    let ends = time("ends", &form.ends);
    if let (Some(starts), Some(ends)) = (starts, ends) {
        if ends <= starts {
            errors.push(field_error("ends", cx.text("maintenance_error_order")));
        } else if ends <= cx.clock.now {
            errors.push(field_error("ends", cx.text("maintenance_error_past")));
        }
    }
    for (field, value, required) in [
        ("text_ja", &form.text_ja, true),
        ("text_en", &form.text_en, false),
    ] {
        let value = value.trim();
        if (required && value.is_empty())
            || value.chars().count() > TEXT_MAX_CHARS
            || value.chars().any(char::is_control)
        {
            let message = tf(
                cx.lang,
                "maintenance_error_text",
                &[("n", &TEXT_MAX_CHARS.to_string())],
            );
            errors.push(field_error(field, message));
        }
    }
    let stop = read_stop(cx, form, &mut errors);
    match (starts, ends) {
        (Some(starts_at), Some(ends_at)) if errors.is_empty() => Ok(NewMaintenanceWindow {
            tenant_id: cx.tenant.id,
            starts_at,
            ends_at,
            text_ja: form.text_ja.trim().to_string(),
            text_en: form.text_en.trim().to_string(),
            stop_starts_at: stop.map(|(start, _)| start),
            stop_ends_at: stop.map(|(_, end)| end),
        }),
        _ => Err(errors),
    }
}

/// The stop the banner announces: both ends or neither.
fn read_stop(
    cx: &StaffCx,
    form: &WindowForm,
    errors: &mut Vec<FieldError>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (start, end) = (form.stop_starts.trim(), form.stop_ends.trim());
    if start.is_empty() && end.is_empty() {
        return None;
    }
    let start_at = local_time(cx, start);
    let end_at = local_time(cx, end);
    for (field, read) in [("stop_starts", start_at), ("stop_ends", end_at)] {
        if read.is_none() {
            errors.push(field_error(field, cx.text("maintenance_error_time")));
        }
    }
    let (start_at, end_at) = (start_at?, end_at?);
    if end_at <= start_at {
        errors.push(field_error(
            "stop_ends",
            cx.text("maintenance_error_stop_order"),
        ));
        return None;
    }
    Some((start_at, end_at))
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let notice = cx.notice_among(&[Notice::MaintenanceAdded, Notice::MaintenanceRemoved]);
            page(
                conn,
                cx,
                StatusCode::OK,
                notice,
                &WindowForm::default(),
                Vec::new(),
            )
        })
        .await
}

pub async fn add(request: Posted<WindowForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let window = match read(cx, &form) {
                Ok(window) => window.insert(conn)?,
                Err(errors) => {
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    return page(conn, cx, status, None, &form, errors);
                }
            };
            let details = json!({
                "starts_at": window.starts_at,
                "ends_at": window.ends_at,
                "text_ja": window.text_ja,
                "text_en": window.text_en,
                "stop_starts_at": window.stop_starts_at,
                "stop_ends_at": window.stop_ends_at,
            });
            cx.audit(
                conn,
                "settings.maintenance_added",
                &window.id.to_string(),
                details,
            )?;
            Ok(cx.back_with("settings/maintenance", Notice::MaintenanceAdded))
        })
        .await
}

pub async fn remove(request: Posted<NoFields>, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, _| {
            let removed = MaintenanceWindow::for_tenant(conn, cx.tenant.id)?
                .into_iter()
                .find(|w| w.id == id)
                .ok_or(AppError::NotFound(crate::error::Resource::Page))?;
            maintenance::remove(conn, cx.tenant.id, id)?;
            let details = json!({ "before": {
                "starts_at": removed.starts_at,
                "ends_at": removed.ends_at,
                "text_ja": removed.text_ja,
            }});
            cx.audit(
                conn,
                "settings.maintenance_removed",
                &id.to_string(),
                details,
            )?;
            Ok(cx.back_with("settings/maintenance", Notice::MaintenanceRemoved))
        })
        .await
}
