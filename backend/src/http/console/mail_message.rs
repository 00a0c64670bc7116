//! One message as it was written under `var/mail/` by the embedded default's transport:
//! its headers decoded, its plain text, its attachments, and the file itself.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use madoguchi_frontend::pages::console::kit::Block;
use mailparse::MailHeaderMap;
use serde_json::json;

use crate::db::mail_outbox::OutboxLine;
use crate::domain::staff::Permission;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::page::Outcome;
use crate::http::page::PageRequest;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/mail/{id}/message", web::get().to(show));
    cfg.route(
        "/{tenant}/staff/mail/{id}/message.eml",
        web::get().to(download),
    );
}

/// The file of message `id` of this tenant, if it was written to files and is still there.
fn message_file(
    conn: &mut PgConnection,
    cx: &StaffCx,
    mail_dir: &std::path::Path,
    id: i64,
) -> Result<Option<std::path::PathBuf>, AppError> {
    let kind =
        OutboxLine::sent_kind(conn, cx.tenant.id, id)?.ok_or(AppError::NotFound(Resource::Page))?;
    let path = mail_dir.join(format!(
        "{}.eml",
        crate::domain::mail::transport::file_stem(id, kind.as_str())
    ));
    Ok(path.is_file().then_some(path))
}

fn read_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("reading a sent message: {e}"))
}

/// The blocks showing a message: headers, plain text, attachments.
fn message_blocks(cx: &StaffCx, raw: &[u8]) -> Result<Vec<Block>, AppError> {
    let mail = mailparse::parse_mail(raw).map_err(read_error)?;
    let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
    let mut blocks = vec![Block::Facts(vec![
        (cx.text("mail_subject"), header("Subject")),
        (cx.text("mail_from"), header("From")),
        (cx.text("mail_recipient"), header("To")),
        (cx.text("mail_date"), header("Date")),
        ("Message-ID".into(), header("Message-ID")),
    ])];
    let parts: Vec<&mailparse::ParsedMail> = mail.parts().collect();
    if let Some(text) = parts.iter().find(|p| p.ctype.mimetype == "text/plain") {
        blocks.push(Block::Heading(cx.text("mail_text_part")));
        blocks.push(Block::Preformatted(text.get_body().map_err(read_error)?));
    }
    let attached: Vec<(String, String)> = parts
        .iter()
        .filter(|p| p.subparts.is_empty() && !p.ctype.mimetype.starts_with("text/plain"))
        .map(|p| {
            let size = p.get_body_raw().map(|b| b.len()).unwrap_or(0);
            let name = p
                .get_content_disposition()
                .params
                .get("filename")
                .cloned()
                .unwrap_or_default();
            (
                p.ctype.mimetype.clone(),
                format!("{name} {size} bytes").trim().to_string(),
            )
        })
        .collect();
    if !attached.is_empty() {
        blocks.push(Block::Heading(cx.text("mail_parts")));
        blocks.push(Block::Facts(attached));
    }
    Ok(blocks)
}

pub async fn show(request: PageRequest, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let mail_dir = request.state.config.var_dir.join("mail");
    request
        .staff_step(Permission::ManageMail, move |conn, cx| {
            let file = message_file(conn, cx, &mail_dir, id)?;
            // A message holds a resident's address and booking: opening it is logged.
            cx.audit(conn, "mail.view", &id.to_string(), json!({}))?;
            let mut blocks = vec![Block::Links(vec![(
                cx.console_url("mail"),
                cx.text("mail_title"),
            )])];
            match file {
                Some(path) => {
                    let raw = std::fs::read(&path).map_err(read_error)?;
                    blocks.extend(message_blocks(cx, &raw)?);
                    blocks.push(Block::Links(vec![(
                        cx.console_url(&format!("mail/{id}/message.eml")),
                        cx.text("mail_download_eml"),
                    )]));
                }
                None => blocks.push(Block::Text(cx.text("mail_not_kept"))),
            }
            cx.page(StatusCode::OK, "mail_message_title", None, blocks)
        })
        .await
}

/// The message file as written, for a mail program.
pub async fn download(request: PageRequest, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let mail_dir = request.state.config.var_dir.join("mail");
    request
        .staff_step(Permission::ManageMail, move |conn, cx| {
            let path =
                message_file(conn, cx, &mail_dir, id)?.ok_or(AppError::NotFound(Resource::Page))?;
            cx.audit(conn, "mail.download", &id.to_string(), json!({}))?;
            Ok(Outcome::File {
                content_type: "message/rfc822",
                body: std::fs::read(&path).map_err(read_error)?.into(),
            })
        })
        .await
}
