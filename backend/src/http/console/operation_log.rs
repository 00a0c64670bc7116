//! The operation log for administrators and auditors: filter, page through, export.
//! Exporting it is itself logged.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

use super::{csv_export, staff_step, StaffCx};
use crate::domain::input::parse_date;
use crate::domain::operation_log::{actions, search, LogFilter, LogLine};
use crate::domain::staff::Permission;
use crate::domain::Clock;
use crate::http::AppState;

const PAGE: i64 = 100;
const FIELDS: [&str; 5] = ["from", "to", "actor", "action", "target"];
const CSV_HEADER: [&str; 6] = ["日時", "操作者", "操作", "対象", "端末のアドレス", "詳細"];

fn filter_of(cx: &StaffCx) -> LogFilter {
    LogFilter {
        from: cx.param("from").and_then(|d| parse_date(&d)),
        to: cx.param("to").and_then(|d| parse_date(&d)),
        actor: cx.param("actor"),
        action: cx.param("action"),
        target: cx.param("target"),
    }
}

fn filter_query(cx: &StaffCx) -> String {
    cx.query_text(FIELDS)
}

fn values(clock: &Clock, line: &LogLine) -> [String; 6] {
    let details = match &line.details {
        serde_json::Value::Object(map) if map.is_empty() => String::new(),
        other => other.to_string(),
    };
    [
        line.created_at
            .with_timezone(&clock.tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        line.actor.clone(),
        line.action.clone(),
        line.target.clone(),
        line.client_addr.clone().unwrap_or_default(),
        details,
    ]
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ViewOperationLog,
        None,
        |conn, cx, _| {
            let page = cx.page_number();
            let mut lines = search(
                conn,
                &cx.clock,
                cx.tenant.id,
                &filter_of(cx),
                (page - 1) * PAGE,
                PAGE + 1,
            )?;
            let base = format!("/{}/staff/log", cx.tenant.code);
            let query = filter_query(cx);
            let pages = cx.page_links(&mut lines, PAGE, |n| {
                cx.url(&format!("{base}?{query}&page={n}"))
            });
            let text = |id: &str| {
                Input::text(
                    id,
                    cx.text(&format!("log_filter_{id}")),
                    cx.param(id).unwrap_or_default(),
                )
            };
            let mut choices = vec![(String::new(), cx.text("staff_filter_all"))];
            choices.extend(
                actions(conn, cx.tenant.id)?
                    .into_iter()
                    .map(|a| (a.clone(), a)),
            );
            let form = Form {
                action: base.clone(),
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
            };
            let headers = [
                "staff_when",
                "staff_actor",
                "log_action",
                "log_target",
                "staff_client_addr",
                "staff_event_detail",
            ]
            .iter()
            .map(|key| Header::plain(cx.text(key)))
            .collect();
            let rows = lines
                .iter()
                .map(|line| {
                    let [when, actor, action, target, addr, details] = values(&cx.clock, line);
                    vec![
                        Cell::Text(when),
                        Cell::Text(actor),
                        Cell::Code(action),
                        Cell::Text(target),
                        Cell::Code(addr),
                        Cell::Text(details),
                    ]
                })
                .collect();
            let blocks = vec![
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
                Block::Table(Table {
                    caption: cx.text("staff_log_title"),
                    headers,
                    rows,
                    empty_text: cx.text("log_empty"),
                }),
                Block::Links(pages),
            ];
            cx.page(StatusCode::OK, "staff_log_title", None, blocks)
        },
    )
    .await
}

pub async fn export_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let pool = state.pool.clone();
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ViewOperationLog,
        None,
        move |conn, cx, _| {
            let details =
                json!({ "filter": filter_query(cx), "encoding": csv_export::encoding_of(cx) });
            cx.audit(conn, "log.export", "operation-log.csv", details)?;
            let (filter, clock, tenant_id) = (filter_of(cx), cx.clock, cx.tenant.id);
            let fetch: csv_export::FetchRows = Box::new(move |conn, offset, limit| {
                Ok(search(conn, &clock, tenant_id, &filter, offset, limit)?
                    .iter()
                    .map(|line| values(&clock, line).to_vec())
                    .collect())
            });
            Ok(csv_export::stream(
                pool,
                cx,
                "operation-log",
                &CSV_HEADER,
                fetch,
            ))
        },
    )
    .await
}
