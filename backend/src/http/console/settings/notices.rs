//! The staff notice board: notices administrators post for the city's staff, each with an
//! optional display period, shown at the top of every console page while in it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use super::flow::TextRule;
use super::maintenance::local_time;
use crate::db::staff_notice::{self, NewStaffNotice, StaffNotice};
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::console::notice::Notice;
use crate::http::extract::NoFields;
use crate::http::page::{field_error, Outcome, PageRequest, Posted};

const BODY_MAX_CHARS: usize = 1000;

/// A notice as typed: its text and the local times it shows from and until (optional).
#[derive(serde::Deserialize, Default, Clone)]
pub struct NoticeForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    shows_from: String,
    #[serde(default)]
    shows_until: String,
}

const COLUMNS: [Column<StaffNotice, ()>; 4] = [
    Column {
        header: "staff_notices_body",
        sort: None,
        cell: |_, n| Cell::Text(n.body.clone()),
    },
    Column {
        header: "staff_notices_from",
        sort: None,
        cell: |view, n| Cell::Text(n.shows_from.map(|t| view.minute(t)).unwrap_or_default()),
    },
    Column {
        header: "staff_notices_until",
        sort: None,
        cell: |view, n| Cell::Text(n.shows_until.map(|t| view.minute(t)).unwrap_or_default()),
    },
    Column {
        header: "staff_actions",
        sort: None,
        cell: |view, n| {
            Cell::Button(Form {
                action: view.console_url(&format!("settings/notices/{}/remove", n.id)),
                post: true,
                csrf: Some(view.csrf.clone()),
                inputs: Vec::new(),
                submit: view.text("staff_notices_remove"),
                inline: true,
            })
        },
    },
];

fn page(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    notice: Option<(bool, String)>,
    typed: &NoticeForm,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let posted = StaffNotice::current_and_coming(conn, cx.tenant.id, cx.clock.now)?;
    let time = |id: &str, value: &str| {
        let mut input = Input::text(
            id,
            cx.text(&format!("staff_notices_{id}")),
            value.to_string(),
        );
        if let Input::Text { hint, .. } = &mut input {
            *hint = Some(cx.text("staff_notices_time_hint"));
        }
        input.with_error_from(&errors)
    };
    let blocks = vec![
        Block::Text(cx.text("staff_notices_lead")),
        Block::Table(table(
            &RowView::of(cx),
            cx.text("staff_notices_posted"),
            &COLUMNS,
            &posted,
            None,
            cx.text("staff_notices_none"),
        )),
        Block::Heading(cx.text("staff_notices_add")),
        Block::Form(Form {
            action: cx.console_url("settings/notices"),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs: vec![
                Input::area("body", cx.text("staff_notices_body"), typed.body.clone())
                    .with_error_from(&errors),
                time("shows_from", &typed.shows_from),
                time("shows_until", &typed.shows_until),
            ],
            submit: cx.text("staff_notices_add_button"),
            inline: false,
        }),
    ];
    if errors.is_empty() {
        cx.page(StatusCode::OK, "staff_notices_title", notice, blocks)
    } else {
        cx.page_with_errors("staff_notices_title", errors, blocks)
    }
}

/// The notice typed, or every field that cannot be taken.
fn read(cx: &StaffCx, form: &NoticeForm) -> Result<NewStaffNotice, Vec<FieldError>> {
    let mut errors = Vec::new();
    let rule = TextRule {
        max: BODY_MAX_CHARS,
        required: true,
        lines: true,
        message: "staff_notices_error_body",
    };
    let body = rule.read(cx, "body", &form.body, &mut errors);
    let mut time = |field: &str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        let read = local_time(cx, text);
        if read.is_none() {
            errors.push(field_error(field, cx.text("maintenance_error_time")));
        }
        read
    };
    let shows_from = time("shows_from", &form.shows_from);
    let shows_until = time("shows_until", &form.shows_until);
    if let Some(until) = shows_until {
        if shows_from.is_some_and(|from| until <= from) {
            errors.push(field_error(
                "shows_until",
                cx.text("maintenance_error_order"),
            ));
        } else if until <= cx.clock.now {
            errors.push(field_error(
                "shows_until",
                cx.text("maintenance_error_past"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewStaffNotice {
        tenant_id: cx.tenant.id,
        body,
        shows_from,
        shows_until,
        created_by: format!("staff:{}", cx.account.login),
        created_at: cx.clock.now,
    })
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let notice = cx.notice_among(&[Notice::StaffNoticePosted, Notice::StaffNoticeRemoved]);
            page(conn, cx, notice, &NoticeForm::default(), Vec::new())
        })
        .await
}

pub async fn add(request: Posted<NoticeForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let posted = match read(cx, &form) {
                Ok(notice) => notice.insert(conn)?,
                Err(errors) => return page(conn, cx, None, &form, errors),
            };
            let details = json!({
                "before": null,
                "after": {
                    "body": posted.body,
                    "shows_from": posted.shows_from,
                    "shows_until": posted.shows_until,
                },
            });
            cx.audit(
                conn,
                "settings.staff_notice_added",
                &posted.id.to_string(),
                details,
            )?;
            Ok(cx.back_with("settings/notices", Notice::StaffNoticePosted))
        })
        .await
}

pub async fn remove(request: Posted<NoFields>, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, _| {
            let removed = staff_notice::remove(conn, cx.tenant.id, id)?
                .ok_or(AppError::NotFound(crate::error::Resource::Page))?;
            let details = json!({
                "before": {
                    "body": removed.body,
                    "shows_from": removed.shows_from,
                    "shows_until": removed.shows_until,
                },
                "after": null,
            });
            cx.audit(
                conn,
                "settings.staff_notice_removed",
                &id.to_string(),
                details,
            )?;
            Ok(cx.back_with("settings/notices", Notice::StaffNoticeRemoved))
        })
        .await
}
