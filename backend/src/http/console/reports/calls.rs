//! The call center's day report: per operator and hour, the bookings made, changed and
//! cancelled by phone, with each operator's totals and the day's.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::NaiveDate;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

use super::filter::{day_words, report_links};
use crate::domain::reports::calls::{call_day, CallHour};
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::csv_export;
use crate::http::console::cx::StaffCx;
use crate::http::page::PageRequest;

/// The day asked for (`day`), today by default.
fn day_of(cx: &StaffCx) -> Result<NaiveDate, Vec<madoguchi_frontend::view_models::FieldError>> {
    let problems = cx.unreadable_dates(&["day"], "report_filter_");
    if problems.is_empty() {
        Ok(cx.date_param("day").unwrap_or(cx.clock.today()))
    } else {
        Err(problems)
    }
}

/// The rows of the report: each operator's hours, then the operator's total; the day's
/// total last.
fn rows_of(cx: &StaffCx, hours: &[CallHour]) -> Vec<[String; 5]> {
    let mut rows = Vec::new();
    let mut day = (0, 0, 0);
    let mut operators: Vec<&str> = hours.iter().map(|h| h.operator.as_str()).collect();
    operators.dedup();
    for operator in operators {
        let mine: Vec<&CallHour> = hours.iter().filter(|h| h.operator == operator).collect();
        let name = mine
            .first()
            .map(|h| h.operator_name.clone())
            .unwrap_or_default();
        let mut sum = (0, 0, 0);
        for hour in &mine {
            rows.push([
                name.clone(),
                format!("{:02}:00–{:02}:59", hour.hour, hour.hour),
                hour.booked.to_string(),
                hour.changed.to_string(),
                hour.cancelled.to_string(),
            ]);
            sum = (
                sum.0 + hour.booked,
                sum.1 + hour.changed,
                sum.2 + hour.cancelled,
            );
        }
        rows.push([
            name,
            cx.text("report_calls_operator_total"),
            sum.0.to_string(),
            sum.1.to_string(),
            sum.2.to_string(),
        ]);
        day = (day.0 + sum.0, day.1 + sum.1, day.2 + sum.2);
    }
    if !hours.is_empty() {
        rows.push([
            cx.text("report_calls_everyone"),
            cx.text("report_calls_day_total"),
            day.0.to_string(),
            day.1.to_string(),
            day.2.to_string(),
        ]);
    }
    rows
}

const HEADER_KEYS: [&str; 5] = [
    "report_calls_operator",
    "report_calls_hour",
    "report_calls_booked",
    "report_calls_changed",
    "report_calls_cancelled",
];

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewReports, |conn, cx| {
            let day = day_of(cx);
            let problems = day.as_ref().err().cloned().unwrap_or_default();
            let form = Form {
                action: cx.console_url("reports/calls"),
                post: false,
                csrf: None,
                inputs: vec![
                    Input::hidden("lang", cx.lang.code()),
                    Input::text(
                        "day",
                        cx.text("report_filter_day"),
                        cx.param("day").unwrap_or_default(),
                    )
                    .with_error_from(&problems),
                ],
                submit: cx.text("report_run"),
                inline: true,
            };
            let mut blocks = vec![Block::Links(report_links(cx)), Block::Form(form)];
            let day = match day {
                Ok(day) => day,
                Err(problems) => {
                    return cx.page_with_errors("report_calls_title", problems, blocks)
                }
            };
            let hours = call_day(conn, &cx.clock, cx.tenant.id, day)?;
            let title = tf(
                cx.lang,
                "report_calls_heading",
                &[("day", &day_words(cx, day))],
            );
            blocks.push(Block::Heading(title.clone()));
            blocks.push(Block::Links(vec![(
                cx.url(&format!(
                    "/{}/staff/reports/calls.csv?day={day}",
                    cx.tenant.code
                )),
                cx.text("staff_export_csv"),
            )]));
            blocks.push(Block::Table(Table {
                caption: title,
                headers: HEADER_KEYS
                    .iter()
                    .map(|k| Header::plain(cx.text(k)))
                    .collect(),
                rows: rows_of(cx, &hours)
                    .into_iter()
                    .map(|row| row.into_iter().map(Cell::Text).collect())
                    .collect(),
                empty_text: cx.text("report_calls_none"),
            }));
            cx.page(StatusCode::OK, "report_calls_title", None, blocks)
        })
        .await
}

pub async fn csv(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ViewReports, move |conn, cx| {
            let day = day_of(cx).map_err(|problems| {
                AppError::invalid_with(
                    "day",
                    "invalid_filter_unreadable",
                    &[("problem", &problems[0].message)],
                )
            })?;
            cx.audit(
                conn,
                "report.export",
                "calls.csv",
                json!({ "day": day.to_string() }),
            )?;
            let hours = call_day(conn, &cx.clock, cx.tenant.id, day)?;
            let mut rows = Some(
                rows_of(cx, &hours)
                    .into_iter()
                    .map(|r| r.to_vec())
                    .collect(),
            );
            let fetch: csv_export::FetchRows =
                Box::new(move |_, _, _| Ok(rows.take().unwrap_or_default()));
            Ok(csv_export::stream(
                pool.clone(),
                cx,
                "calls",
                &["オペレーター", "時間帯", "予約", "変更", "取消"],
                fetch,
            ))
        })
        .await
}
