//! Messages to residents as staff see them: the latest, and those that failed past the retry
//! limit, each with a button to send it again.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Table};
use serde_json::json;

use super::{staff_step, StaffCx};
use crate::db::schema::{bookings, mail_outbox};
use crate::domain::input::BookingCode;
use crate::domain::mail::outbox;
use crate::domain::staff::Permission;
use crate::http::resident::Outcome;
use crate::http::AppState;

type Line = (
    i64,
    DateTime<Utc>,
    String,
    String,
    String,
    i32,
    Option<String>,
    Option<String>,
);

fn lines(conn: &mut PgConnection, cx: &StaffCx, failed: bool) -> QueryResult<Vec<Line>> {
    let mut query = mail_outbox::table
        .left_join(bookings::table.on(bookings::id.nullable().eq(mail_outbox::booking_id)))
        .filter(mail_outbox::tenant_id.eq(cx.tenant.id))
        .select((
            mail_outbox::id,
            mail_outbox::created_at,
            mail_outbox::kind,
            mail_outbox::recipient,
            mail_outbox::status,
            mail_outbox::attempts,
            mail_outbox::last_error,
            bookings::code.nullable(),
        ))
        .order(mail_outbox::id.desc())
        .limit(50)
        .into_boxed();
    if failed {
        query = query.filter(mail_outbox::status.eq("failed"));
    }
    query.load(conn)
}

fn table(cx: &StaffCx, lines: Vec<Line>, with_resend: bool, empty: &str) -> Table {
    let mut headers: Vec<Header> = [
        "staff_when",
        "mail_kind",
        "mail_recipient",
        "staff_status",
        "mail_attempts",
        "mail_error",
        "manage_code",
        "mail_message",
    ]
    .iter()
    .map(|k| Header::plain(cx.text(k)))
    .collect();
    if with_resend {
        headers.push(Header::plain(cx.text("staff_actions")));
    }
    Table {
        caption: cx.text("mail_title"),
        headers,
        rows: lines
            .into_iter()
            .map(|(id, at, kind, to, status, attempts, error, code)| {
                let code_cell = match code {
                    Some(code) => Cell::Link(
                        cx.console_url(&format!("bookings/{code}")),
                        BookingCode::parse(&code)
                            .map(|c| c.display())
                            .unwrap_or(code),
                    ),
                    None => Cell::Text(String::new()),
                };
                let mut row = vec![
                    Cell::Text(
                        at.with_timezone(&cx.clock.tz)
                            .format("%Y-%m-%d %H:%M:%S")
                            .to_string(),
                    ),
                    Cell::Text(cx.text(&format!("mail_kind_{kind}"))),
                    Cell::Code(to),
                    Cell::Text(cx.text(&format!("mail_status_{status}"))),
                    Cell::Text(attempts.to_string()),
                    Cell::Text(match error.as_deref() {
                        Some(reason @ outbox::UNDELIVERABLE_ADDRESS) => {
                            cx.text(&format!("mail_error_{reason}"))
                        }
                        other => other.unwrap_or_default().to_string(),
                    }),
                    code_cell,
                    if status == "sent" {
                        Cell::Link(
                            cx.console_url(&format!("mail/{id}/message")),
                            cx.text("mail_open"),
                        )
                    } else {
                        Cell::Text(String::new())
                    },
                ];
                if with_resend {
                    row.push(Cell::Button(Form {
                        action: cx.console_url(&format!("mail/{id}/resend")),
                        post: true,
                        csrf: Some(cx.session.csrf_token.clone()),
                        inputs: Vec::new(),
                        submit: cx.text("mail_resend"),
                        inline: true,
                    }));
                }
                row
            })
            .collect(),
        empty_text: cx.text(empty),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ManageMail,
        None,
        |conn, cx, _| {
            let failed = lines(conn, cx, true)?;
            let recent = lines(conn, cx, false)?;
            let notice = cx.param("resent").map(|_| (true, cx.text("mail_resent")));
            let blocks = vec![
                Block::Links(vec![(
                    cx.console_url("mail/templates"),
                    cx.text("mail_templates_title"),
                )]),
                Block::Heading(cx.text("mail_failed")),
                Block::Table(table(cx, failed, true, "mail_no_failed")),
                Block::Heading(cx.text("mail_recent")),
                Block::Table(table(cx, recent, false, "mail_none")),
            ];
            cx.page(StatusCode::OK, "mail_title", notice, blocks)
        },
    )
    .await
}

pub async fn resend(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (tenant, id) = path.into_inner();
    staff_step(
        &state,
        &req,
        tenant,
        Permission::ManageMail,
        Some(form.into_inner()),
        move |conn, cx, _| {
            let changed = outbox::resend(conn, cx.tenant.id, id, cx.clock.now)?;
            cx.audit(
                conn,
                "mail.resend",
                &id.to_string(),
                json!({ "queued": changed }),
            )?;
            Ok(Outcome::Redirect(format!(
                "{}&resent=1",
                cx.console_url("mail")
            )))
        },
    )
    .await
}
