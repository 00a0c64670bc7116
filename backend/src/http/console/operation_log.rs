//! The operation log for administrators and auditors: filter, page through, export.
//! Exporting it is itself logged.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::i18n::{t, tf, Lang};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use super::csv_export;
use super::list::{table, Column, RowView};
use crate::domain::input::BookingCode;
use crate::domain::operation_log::{actions, search, LogFilter, LogLine};
use crate::domain::staff::Permission;
use crate::domain::Clock;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::PageRequest;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/log", web::get().to(list));
    cfg.route("/{tenant}/staff/log.csv", web::get().to(export_csv));
}

const PAGE: i64 = 100;
const FIELDS: [&str; 5] = ["from", "to", "actor", "action", "target"];
const CSV_HEADER: [&str; 6] = ["日時", "操作者", "操作", "対象", "端末のアドレス", "詳細"];

const DATE_FIELDS: [&str; 2] = ["from", "to"];

/// The filter as typed, or the date fields that cannot be read with their messages.
fn filter_of(cx: &StaffCx) -> Result<LogFilter, Vec<FieldError>> {
    let problems = cx.unreadable_dates(&DATE_FIELDS, "log_filter_");
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(LogFilter {
        from: cx.date_param("from"),
        to: cx.date_param("to"),
        actor: cx.param("actor"),
        action: cx.param("action"),
        // A booking code is stored without its hyphens, however it is typed.
        target: cx
            .param("target")
            .map(|target| match BookingCode::parse(&target) {
                Some(code) => code.as_str().to_string(),
                None => target,
            }),
    })
}

fn filter_query(cx: &StaffCx) -> String {
    cx.query_text(FIELDS)
}

/// An action as people say it (予約の取消), or its code when the catalogue has no words.
fn action_words(lang: Lang, action: &str) -> String {
    let key = format!("log_action_{}", action.replace('.', "_"));
    let words = t(lang, &key);
    if words == key {
        action.to_string()
    } else {
        words
    }
}

/// A booking code as staff read it aloud (ABC-DEF-GHJ); other text unchanged.
fn readable_code(text: &str) -> String {
    match BookingCode::parse(text) {
        Some(code) if text.len() == 9 => code.display(),
        _ => text.to_string(),
    }
}

/// The details of an entry as `name: value` pairs, booking codes with their hyphens and
/// instants in the tenant's time zone.
fn details_text(clock: &Clock, details: &serde_json::Value) -> String {
    let value_text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(at) => at
                .with_timezone(&clock.tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            Err(_) => readable_code(text),
        },
        other => other.to_string(),
    };
    match details {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(name, value)| format!("{name}: {}", value_text(value)))
            .collect::<Vec<_>>()
            .join(", "),
        other => value_text(other),
    }
}

/// One entry's columns: when (Japan time), who, what (in words on the page; its stable
/// code in the export, for an auditor's own tools), on what, from where, details.
fn values(clock: &Clock, lang: Lang, line: &LogLine, as_code: bool) -> [String; 6] {
    let action = if as_code {
        line.action.clone()
    } else {
        action_words(lang, &line.action)
    };
    [
        line.created_at
            .with_timezone(&clock.tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        line.actor.clone(),
        action,
        readable_code(&line.target),
        line.client_addr.clone().unwrap_or_default(),
        details_text(clock, &line.details),
    ]
}

/// The list's columns over a line's shown values (the CSV export's, without the raw
/// details).
const COLUMNS: [Column<[String; 6], ()>; 6] = [
    Column {
        header: "staff_when",
        sort: None,
        cell: |_, values| Cell::Text(values[0].clone()),
    },
    Column {
        header: "staff_actor",
        sort: None,
        cell: |_, values| Cell::Text(values[1].clone()),
    },
    Column {
        header: "log_action",
        sort: None,
        cell: |_, values| Cell::Text(values[2].clone()),
    },
    Column {
        header: "log_target",
        sort: None,
        cell: |_, values| Cell::Text(values[3].clone()),
    },
    Column {
        header: "staff_client_addr",
        sort: None,
        cell: |_, values| Cell::Code(values[4].clone()),
    },
    Column {
        header: "staff_event_detail",
        sort: None,
        cell: |_, values| Cell::Text(values[5].clone()),
    },
];

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewOperationLog, |conn, cx| {
            let base = format!("/{}/staff/log", cx.tenant.code);
            let (filter, problems) = match filter_of(cx) {
                Ok(filter) => (Some(filter), Vec::new()),
                Err(problems) => (None, problems),
            };
            let form = filter_form(conn, cx, &base, &problems)?;
            let Some(filter) = filter else {
                let blocks = vec![
                    Block::Form(form),
                    Block::Text(cx.text("staff_filter_fix_dates")),
                ];
                return cx.page_with_errors("staff_log_title", problems, blocks);
            };
            let page = cx.page_number();
            let mut lines = search(
                conn,
                &cx.clock,
                cx.tenant.id,
                &filter,
                (page - 1) * PAGE,
                PAGE + 1,
            )?;
            let query = filter_query(cx);
            let pages = cx.page_links(&mut lines, PAGE, |n| {
                cx.url(&format!("{base}?{query}&page={n}"))
            });
            let shown: Vec<[String; 6]> = lines
                .iter()
                .map(|line| values(&cx.clock, cx.lang, line, false))
                .collect();
            let (chain_text, chain_notice) = chain_status(conn, cx)?;
            let blocks = vec![
                Block::Text(chain_text),
                Block::Form(form),
                Block::Links(vec![
                    (
                        cx.url(&format!("{base}.csv?{query}")),
                        cx.text("staff_export_csv"),
                    ),
                    (
                        cx.url(&format!("{base}.csv?{query}&encoding=cp932")),
                        cx.text("staff_export_csv_cp932"),
                    ),
                ]),
                Block::Table(table(
                    &RowView::of(cx),
                    cx.text("staff_log_title"),
                    &COLUMNS,
                    &shown,
                    None,
                    cx.text("log_empty"),
                )),
                Block::Links(pages),
            ];
            cx.page(StatusCode::OK, "staff_log_title", chain_notice, blocks)
        })
        .await
}

/// The filter form, with the problem of each date field that could not be read.
/// Whether the city's log is still the chain the database wrote, in words; a broken chain
/// is also the page's warning.
fn chain_status(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
) -> Result<(String, Option<(bool, String)>), AppError> {
    let report = crate::domain::audit_chain::verify(conn, Some(cx.tenant.id))?;
    // Strand 0's head, or the lowest strand's when strand 0 has no rows.
    let head = report.heads.first().map(|h| (h.position, h.hash.clone()));
    Ok(match (report.first_break, head) {
        (Some(at), _) => {
            let text = tf(
                cx.lang,
                "log_chain_broken",
                &[
                    ("position", &at.position.to_string()),
                    ("strand", &at.strand.to_string()),
                    ("id", &at.id.to_string()),
                    (
                        "problem",
                        &cx.text(&format!("log_chain_{}", at.problem.code())),
                    ),
                ],
            );
            (text.clone(), Some((false, text)))
        }
        (None, Some((position, hash))) => (
            tf(
                cx.lang,
                "log_chain_intact",
                &[
                    ("rows", &report.rows.to_string()),
                    ("position", &position.to_string()),
                    ("hash", &hash.chars().take(16).collect::<String>()),
                ],
            ) + &match report.heads.len() {
                0 | 1 => String::new(),
                strands => {
                    " ".to_string()
                        + &tf(
                            cx.lang,
                            "log_chain_strands",
                            &[("others", &(strands - 1).to_string())],
                        )
                }
            },
            None,
        ),
        (None, None) => (cx.text("log_chain_empty"), None),
    })
}

fn filter_form(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    base: &str,
    problems: &[FieldError],
) -> Result<Form, AppError> {
    let text = |id: &str| {
        Input::text(
            id,
            cx.text(&format!("log_filter_{id}")),
            cx.param(id).unwrap_or_default(),
        )
        .with_error_from(problems)
    };
    let mut choices = vec![(String::new(), cx.text("staff_filter_all"))];
    choices.extend(
        actions(conn, cx.tenant.id)?
            .into_iter()
            .map(|a| (a.clone(), action_words(cx.lang, &a))),
    );
    Ok(Form {
        action: base.to_string(),
        post: false,
        csrf: None,
        inputs: vec![
            Input::hidden("lang", cx.lang.code()),
            text("from"),
            text("to"),
            text("actor"),
            Input::Select {
                id: "action".into(),
                label: cx.text("log_filter_action"),
                options: choices,
                chosen: cx.param("action").unwrap_or_default(),
            },
            text("target"),
        ],
        submit: cx.text("staff_search"),
        inline: true,
    })
}

pub async fn export_csv(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ViewOperationLog, move |conn, cx| {
            let filter = filter_of(cx).map_err(|problems| {
                let first = &problems[0];
                AppError::invalid_with(
                    &first.field,
                    "invalid_filter_unreadable",
                    &[("problem", &first.message)],
                )
            })?;
            let details =
                json!({ "filter": filter_query(cx), "encoding": csv_export::encoding_of(cx) });
            cx.audit(conn, "log.export", "operation-log.csv", details)?;
            let (clock, tenant_id, lang) = (cx.clock, cx.tenant.id, cx.lang);
            let fetch: csv_export::FetchRows = Box::new(move |conn, offset, limit| {
                Ok(search(conn, &clock, tenant_id, &filter, offset, limit)?
                    .iter()
                    .map(|line| values(&clock, lang, line, true).to_vec())
                    .collect())
            });
            Ok(csv_export::stream(
                pool.clone(),
                cx,
                "operation-log",
                &CSV_HEADER,
                fetch,
            ))
        })
        .await
}
