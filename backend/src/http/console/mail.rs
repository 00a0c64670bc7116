//! Messages to residents as staff see them: the latest, and those that failed past the retry
//! limit, each with a button to send it again.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Table};
use serde_json::json;

use crate::db::kinds::MailStatus;
use crate::db::mail_outbox::OutboxLine;
use crate::domain::input::BookingCode;
use crate::domain::mail::outbox;
use crate::domain::staff::Permission;
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::console::notice::Notice;
use crate::http::extract::NoFields;
use crate::http::page::{PageRequest, Posted};

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/mail", web::get().to(show));
    cfg.route("/{tenant}/staff/mail/{id}/resend", web::post().to(resend));
}

/// The columns of the outbox lists; the failed list adds `RESEND`.
const COLUMNS: [Column<OutboxLine, ()>; 8] = [
    Column {
        header: "staff_when",
        sort: None,
        cell: |view, line| Cell::Text(view.second(line.created_at)),
    },
    Column {
        header: "mail_kind",
        sort: None,
        cell: |view, line| Cell::Text(view.text(&format!("mail_kind_{}", line.kind))),
    },
    Column {
        header: "mail_recipient",
        sort: None,
        cell: |_, line| Cell::Code(line.recipient.clone()),
    },
    Column {
        header: "staff_status",
        sort: None,
        cell: |view, line| Cell::Text(view.text(&format!("mail_status_{}", line.status))),
    },
    Column {
        header: "mail_attempts",
        sort: None,
        cell: |_, line| Cell::Text(line.attempts.to_string()),
    },
    Column {
        header: "mail_error",
        sort: None,
        cell: |view, line| {
            Cell::Text(match line.last_error.as_deref() {
                Some(reason @ outbox::UNDELIVERABLE_ADDRESS) => {
                    view.text(&format!("mail_error_{reason}"))
                }
                other => other.unwrap_or_default().to_string(),
            })
        },
    },
    Column {
        header: "manage_code",
        sort: None,
        cell: |view, line| match &line.booking_code {
            Some(code) => Cell::Link(
                view.console_url(&format!("bookings/{code}")),
                BookingCode::parse(code)
                    .map(|c| c.display())
                    .unwrap_or_else(|| code.clone()),
            ),
            None => Cell::Text(String::new()),
        },
    },
    Column {
        header: "mail_message",
        sort: None,
        cell: |view, line| {
            if line.status == MailStatus::Sent {
                Cell::Link(
                    view.console_url(&format!("mail/{}/message", line.id)),
                    view.text("mail_open"),
                )
            } else {
                Cell::Text(String::new())
            }
        },
    },
];

const RESEND: Column<OutboxLine, ()> = Column {
    header: "staff_actions",
    sort: None,
    cell: |view, line| {
        Cell::Button(Form {
            action: view.console_url(&format!("mail/{}/resend", line.id)),
            post: true,
            csrf: Some(view.csrf.clone()),
            inputs: Vec::new(),
            submit: view.text("mail_resend"),
            inline: true,
        })
    },
};

fn mail_table(cx: &StaffCx, lines: &[OutboxLine], with_resend: bool, empty: &str) -> Table {
    let mut columns = COLUMNS.to_vec();
    if with_resend {
        columns.push(RESEND);
    }
    table(
        &RowView::of(cx),
        cx.text("mail_title"),
        &columns,
        lines,
        None,
        cx.text(empty),
    )
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageMail, |conn, cx| {
            let failed = OutboxLine::latest(conn, cx.tenant.id, true, 50)?;
            let recent = OutboxLine::latest(conn, cx.tenant.id, false, 50)?;
            let notice = cx.notice_among(&[Notice::MailResent]);
            let blocks = vec![
                Block::Links(vec![(
                    cx.console_url("mail/templates"),
                    cx.text("mail_templates_title"),
                )]),
                Block::Heading(cx.text("mail_failed")),
                Block::Table(mail_table(cx, &failed, true, "mail_no_failed")),
                Block::Heading(cx.text("mail_recent")),
                Block::Table(mail_table(cx, &recent, false, "mail_none")),
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
            Ok(cx.back_with("mail", Notice::MailResent))
        })
        .await
}
