//! Messages to residents as staff see them: the latest, and those that failed past the retry
//! limit, each with a button to send it again.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Table};
use serde_json::json;

use crate::db::kinds::MailStatus;
use crate::db::mail_outbox::OutboxLine;
use crate::domain::input::BookingCode;
use crate::domain::mail::outbox;
use crate::domain::staff::Permission;
use crate::http::console::cx::StaffCx;
use crate::http::extract::NoFields;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/mail", web::get().to(show));
    cfg.route("/{tenant}/staff/mail/{id}/resend", web::post().to(resend));
}

fn table(cx: &StaffCx, lines: Vec<OutboxLine>, with_resend: bool, empty: &str) -> Table {
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
            .map(|line| {
                let OutboxLine {
                    id,
                    created_at: at,
                    kind,
                    recipient: to,
                    status,
                    attempts,
                    last_error: error,
                    booking_code: code,
                } = line;
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
                    if status == MailStatus::Sent {
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

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageMail, |conn, cx| {
            let failed = OutboxLine::latest(conn, cx.tenant.id, true, 50)?;
            let recent = OutboxLine::latest(conn, cx.tenant.id, false, 50)?;
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
        })
        .await
}

pub async fn resend(request: Posted<NoFields>, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    request
        .staff_step(Permission::ManageMail, move |conn, cx, _| {
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
        })
        .await
}
