//! The service's availability (稼働率) for a month, as the contract computes it, with the
//! stops behind the figure: when, how long, and whether planned, caused by the city or not.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{DateTime, Datelike, Utc};
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};

use super::filter::report_links;
use crate::domain::staff::Permission;
use crate::domain::uptime::{self, Cause};
use crate::http::page::{field_error, PageRequest};

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewReports, |conn, cx| {
            let typed = cx.param("month").unwrap_or_default();
            let month = if typed.trim().is_empty() {
                let today = cx.clock.today();
                Some((today.year(), today.month()))
            } else {
                uptime::parse_month(&typed)
            };
            let problems = match month {
                Some(_) => Vec::new(),
                None => vec![field_error("month", cx.text("invalid_month"))],
            };
            let form = Form {
                action: cx.console_url("reports/availability"),
                post: false,
                csrf: None,
                inputs: vec![
                    Input::hidden("lang", cx.lang.code()),
                    Input::text("month", cx.text("uptime_month"), typed).with_error_from(&problems),
                ],
                submit: cx.text("report_run"),
                inline: true,
            };
            let mut blocks = vec![
                Block::Links(report_links(cx)),
                Block::Text(cx.text("uptime_lead")),
                Block::Form(form),
            ];
            let Some(month) = month else {
                return cx.page_with_errors("uptime_title", problems, blocks);
            };
            let figures =
                uptime::month(conn, cx.clock.tz, month, Some(cx.tenant.id), cx.clock.now)?;
            let heading = tf(
                cx.lang,
                "uptime_heading",
                &[
                    ("year", &month.0.to_string()),
                    ("month", &month.1.to_string()),
                ],
            );
            let minutes = |n: i64| tf(cx.lang, "uptime_minutes", &[("n", &n.to_string())]);
            let rate = figures
                .rate()
                .map_or(cx.text("uptime_no_record"), |rate| format!("{rate:.3} %"));
            blocks.push(Block::Table(Table {
                caption: heading,
                headers: vec![
                    Header::plain(cx.text("uptime_figure")),
                    Header::plain(cx.text("uptime_value")),
                ],
                rows: [
                    ("uptime_provided", minutes(figures.provided)),
                    ("uptime_down", minutes(figures.down)),
                    ("uptime_planned", minutes(figures.planned)),
                    ("uptime_city", minutes(figures.city_caused)),
                    ("uptime_rate", rate),
                ]
                .into_iter()
                .map(|(key, value)| vec![Cell::Text(cx.text(key)), Cell::Text(value)])
                .collect(),
                empty_text: String::new(),
            }));
            let local = |t: DateTime<Utc>| {
                t.with_timezone(&cx.clock.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            };
            blocks.push(Block::Table(Table {
                caption: cx.text("uptime_stops"),
                headers: [
                    "uptime_stop_from",
                    "uptime_stop_to",
                    "uptime_stop_minutes",
                    "uptime_stop_cause",
                ]
                .iter()
                .map(|k| Header::plain(cx.text(k)))
                .collect(),
                rows: figures
                    .stops
                    .iter()
                    .map(|stop| {
                        let cause = match stop.cause {
                            Cause::Unplanned => "uptime_cause_unplanned",
                            Cause::Planned => "uptime_cause_planned",
                            Cause::City => "uptime_cause_city",
                        };
                        vec![
                            Cell::Text(local(stop.span.0)),
                            Cell::Text(local(stop.span.1)),
                            Cell::Text((stop.span.1 - stop.span.0).num_minutes().to_string()),
                            Cell::Text(cx.text(cause)),
                        ]
                    })
                    .collect(),
                empty_text: cx.text("uptime_no_stops"),
            }));
            cx.page(StatusCode::OK, "uptime_title", None, blocks)
        })
        .await
}
