//! The card pipeline per counter over a span, and the lists behind its numbers: the cards
//! to hand out on a day and those handed out in a span, on screen and as CSV. The lists
//! carry names only for the roles that may see them.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Datelike, NaiveDate};
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use super::filter::{report_links, span_words, Choices};
use crate::domain::input::BookingCode;
use crate::domain::reports::cards::{card_list, pipeline, CardLine, CardList};
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::csv_export;
use crate::http::console::cx::StaffCx;
use crate::http::page::PageRequest;

/// The span asked for (`from`, `to`), this month by default.
fn span_of(cx: &StaffCx) -> Result<(NaiveDate, NaiveDate), Vec<FieldError>> {
    let mut problems = cx.unreadable_dates(&["from", "to"], "report_span_");
    let today = cx.clock.today();
    let first = today.with_day(1).unwrap_or(today);
    let from = cx.date_param("from").unwrap_or(first);
    let to = cx.date_param("to").unwrap_or(today);
    if problems.is_empty() && to < from {
        problems.push(FieldError {
            field: "to".into(),
            message: cx.text("report_error_order"),
        });
    }
    if problems.is_empty() {
        Ok((from, to))
    } else {
        Err(problems)
    }
}

fn span_form(cx: &StaffCx, action: &str, problems: &[FieldError], extra: Vec<Input>) -> Form {
    let mut inputs = vec![Input::hidden("lang", cx.lang.code())];
    inputs.extend(extra);
    for id in ["from", "to"] {
        inputs.push(
            Input::text(
                id,
                cx.text(&format!("report_span_{id}")),
                cx.param(id).unwrap_or_default(),
            )
            .with_error_from(problems),
        );
    }
    Form {
        action: cx.console_url(action),
        post: false,
        csrf: None,
        inputs,
        submit: cx.text("report_run"),
        inline: true,
    }
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewReports, |conn, cx| {
            let span = span_of(cx);
            let problems = span.as_ref().err().cloned().unwrap_or_default();
            let mut blocks = vec![
                Block::Links(report_links(cx)),
                Block::Form(span_form(cx, "reports/cards", &problems, Vec::new())),
            ];
            let (from, to) = match span {
                Ok(span) => span,
                Err(problems) => return cx.page_with_errors("report_cards_title", problems, blocks),
            };
            let lines = pipeline(conn, &cx.clock, cx.tenant.id, from, to, &cx.account.location_ids)?;
            let today = cx.clock.today();
            let list_href = |which: &str, code: &str| {
                cx.url(&format!(
                    "/{}/staff/reports/cards/list?which={which}&location={code}&from={from}&to={to}",
                    cx.tenant.code
                ))
            };
            let rows = lines
                .iter()
                .map(|line| {
                    let mut cells = vec![Cell::Text(line.location.clone())];
                    cells.extend(
                        [
                            line.imported,
                            line.notified,
                            line.booked,
                            line.transferred,
                        ]
                        .iter()
                        .map(|n| Cell::Text(n.to_string())),
                    );
                    cells.push(Cell::Link(
                        list_href("handed", &line.location_code),
                        line.handed_over.to_string(),
                    ));
                    cells.push(Cell::Text(line.returned.to_string()));
                    cells.push(Cell::Text(line.waiting.to_string()));
                    cells.push(Cell::Link(
                        list_href("today", &line.location_code),
                        cx.text("report_cards_today_list"),
                    ));
                    cells
                })
                .collect();
            let headers = [
                "staff_location",
                "report_cards_imported",
                "report_cards_notified",
                "report_cards_booked",
                "report_cards_transferred",
                "report_cards_handed_over",
                "report_cards_returned",
                "report_cards_waiting",
                "report_cards_today",
            ]
            .iter()
            .map(|key| Header::plain(cx.text(key)))
            .collect();
            blocks.push(Block::Heading(span_words(cx, from, to)));
            blocks.push(Block::Text(tf(
                cx.lang,
                "report_cards_explained",
                &[("today", &super::filter::day_words(cx, today))],
            )));
            blocks.push(Block::Table(Table {
                caption: cx.text("report_cards_title"),
                headers,
                rows,
                empty_text: cx.text("report_empty"),
            }));
            cx.page(StatusCode::OK, "report_cards_title", None, blocks)
        })
        .await
}

/// The list asked for: `which=today` (to hand out on `day`, today by default) or
/// `which=handed` (handed out from–to, this month by default), at `location`.
fn list_of(cx: &StaffCx, choices: &Choices) -> Result<(CardList, Option<String>), AppError> {
    let location = cx.param("location");
    if location
        .as_ref()
        .is_some_and(|code| !choices.locations.iter().any(|(c, _)| c == code))
    {
        return Err(AppError::invalid("location", "report_error_location"));
    }
    let span = span_of(cx).map_err(|problems| {
        AppError::invalid_with(
            &problems[0].field,
            "invalid_filter_unreadable",
            &[("problem", &problems[0].message)],
        )
    })?;
    let list = match cx.param("which").as_deref() {
        Some("handed") => CardList::HandedOut(span.0, span.1),
        _ => CardList::ToHandOut(cx.date_param("day").unwrap_or(cx.clock.today())),
    };
    Ok((list, location))
}

/// The id of the counter `code` among those the account may report on.
fn location_id(choices: &Choices, code: Option<&str>) -> Option<i64> {
    let code = code?;
    choices
        .location_ids
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, id)| *id)
}

/// A card's line as shown and exported: when, booking, counter, (name, kana), status.
fn values(cx: &StaffCx, line: &CardLine, names: bool) -> Vec<String> {
    let mut values = vec![
        line.at
            .map(|at| {
                at.with_timezone(&cx.clock.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        line.booking_code
            .as_deref()
            .and_then(BookingCode::parse)
            .map(|code| code.display())
            .unwrap_or_default(),
        line.location.clone(),
    ];
    if names {
        values.push(line.name.clone());
        values.push(line.name_kana.clone());
    }
    values.push(cx.text(&format!("card_status_{}", line.status)));
    values
}

fn headers(cx: &StaffCx, names: bool) -> Vec<String> {
    let mut keys = vec!["report_cards_at", "staff_column_code", "staff_location"];
    if names {
        keys.extend(["report_cards_name", "report_cards_kana"]);
    }
    keys.push("staff_status");
    keys.iter().map(|key| cx.text(key)).collect()
}

/// The list the query asks for, its cards, and whether this account may see their names.
fn asked_list(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
) -> Result<(CardList, Vec<CardLine>, bool), AppError> {
    let choices = Choices::of(conn, cx)?;
    let (list, location) = list_of(cx, &choices)?;
    let id = location_id(&choices, location.as_deref());
    let lines = card_list(
        conn,
        &cx.clock,
        cx.tenant.id,
        list,
        id,
        &cx.account.location_ids,
    )?;
    Ok((list, lines, cx.may(Permission::SeeNames)))
}

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewReports, |conn, cx| {
            let (list, lines, names) = asked_list(conn, cx)?;
            let title = match list {
                CardList::ToHandOut(day) => tf(
                    cx.lang,
                    "report_cards_to_hand_out",
                    &[("day", &super::filter::day_words(cx, day))],
                ),
                CardList::HandedOut(from, to) => tf(
                    cx.lang,
                    "report_cards_handed_out",
                    &[("span", &span_words(cx, from, to))],
                ),
            };
            let query = cx.query_text(["which", "location", "from", "to", "day"]);
            let rows = lines
                .iter()
                .map(|line| {
                    values(cx, line, names)
                        .into_iter()
                        .map(Cell::Text)
                        .collect()
                })
                .collect();
            let blocks = vec![
                Block::Links(report_links(cx)),
                Block::Heading(title.clone()),
                Block::Text(tf(
                    cx.lang,
                    "report_cards_count",
                    &[("count", &lines.len().to_string())],
                )),
                Block::Links(vec![
                    (
                        cx.url(&format!(
                            "/{}/staff/reports/cards/list.csv?{query}",
                            cx.tenant.code
                        )),
                        cx.text("staff_export_csv"),
                    ),
                    (
                        cx.url(&format!(
                            "/{}/staff/reports/cards/list.csv?{query}&encoding=cp932",
                            cx.tenant.code
                        )),
                        cx.text("staff_export_csv_cp932"),
                    ),
                ]),
                Block::Table(Table {
                    caption: title,
                    headers: headers(cx, names).into_iter().map(Header::plain).collect(),
                    rows,
                    empty_text: cx.text("report_cards_none"),
                }),
            ];
            cx.page(StatusCode::OK, "report_cards_title", None, blocks)
        })
        .await
}

pub async fn list_csv(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ViewReports, move |conn, cx| {
            let (_, lines, names) = asked_list(conn, cx)?;
            let details = json!({
                "filter": cx.query_text(["which", "location", "from", "to", "day"]),
                "names": names,
                "encoding": csv_export::encoding_of(cx),
            });
            cx.audit(conn, "card_list.export", "card-list.csv", details)?;
            let mut rows = Some(lines.iter().map(|line| values(cx, line, names)).collect());
            let fetch: csv_export::FetchRows =
                Box::new(move |_, _, _| Ok(rows.take().unwrap_or_default()));
            let header: &'static [&'static str] = if names {
                &["日時", "予約番号", "窓口", "氏名", "氏名（カナ）", "状態"]
            } else {
                &["日時", "予約番号", "窓口", "状態"]
            };
            Ok(csv_export::stream(
                pool.clone(),
                cx,
                "card-list",
                header,
                fetch,
            ))
        })
        .await
}
