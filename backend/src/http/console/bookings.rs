//! Finding bookings, and exporting the filtered list as CSV (UTF-8 with BOM, or CP932 for
//! older spreadsheets), streamed page by page so a large list never sits in memory.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::i18n::{t, Lang};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use std::collections::HashMap;

use super::csv_export;
use super::list::{table, Column, RowView, Sorting};
use super::xlsx::{workbook, SheetData, XlsxCell};
use crate::db::kinds::{BookingStatus, Channel, TextEnum};
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::domain::booking_search::{search, BookingFilter, BookingLine, SortColumn};
use crate::domain::input::{BookingCode, PhoneNumber};
use crate::domain::staff::Permission;
use crate::domain::Clock;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::Outcome;
use crate::http::page::PageRequest;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/bookings", web::get().to(list));
    cfg.route("/{tenant}/staff/bookings.csv", web::get().to(export_csv));
    cfg.route("/{tenant}/staff/bookings.xlsx", web::get().to(export_xlsx));
}

const PAGE: i64 = 50;
const FILTER_FIELDS: [&str; 12] = [
    "from",
    "to",
    "booked_from",
    "booked_to",
    "location",
    "procedure",
    "status",
    "channel",
    "code",
    "kana",
    "birth_date",
    "sort",
];

/// The date fields of the filter.
const DATE_FIELDS: [&str; 5] = ["from", "to", "booked_from", "booked_to", "birth_date"];

/// The filter as typed; the date fields that cannot be read, each with its message, when
/// there are any (the list is then not shown, rather than shown as if filtered).
fn filter_of(cx: &StaffCx) -> Result<BookingFilter, Vec<FieldError>> {
    let problems = cx.unreadable_dates(&DATE_FIELDS, "staff_filter_");
    if !problems.is_empty() {
        return Err(problems);
    }
    let date = |key: &str| cx.date_param(key);
    Ok(BookingFilter {
        visit_from: date("from"),
        visit_to: date("to"),
        booked_from: date("booked_from"),
        booked_to: date("booked_to"),
        location: cx.param("location"),
        location_ids: cx.account.location_ids.clone(),
        procedure: cx.param("procedure"),
        status: cx.param("status"),
        channel: cx.param("channel"),
        code: cx.param("code"),
        kana: cx.param("kana"),
        birth_date: date("birth_date"),
        sort: cx
            .param("sort")
            .and_then(|s| SortColumn::parse(&s))
            .unwrap_or_default(),
        descending: cx.param("order").as_deref() == Some("desc"),
    })
}

/// An export asked for with a filter that cannot be read: refused, never exported whole.
fn export_filter(cx: &StaffCx) -> Result<BookingFilter, AppError> {
    filter_of(cx).map_err(|problems| {
        let first = &problems[0];
        AppError::invalid_with(
            &first.field,
            "invalid_filter_unreadable",
            &[("problem", &first.message)],
        )
    })
}

/// The filter as query text, to keep it in page, sort and export links; without `sort`
/// and `order` when `with_order` is false.
fn filter_query(cx: &StaffCx, with_order: bool) -> String {
    cx.query_text(
        FILTER_FIELDS
            .iter()
            .chain(["order"].iter())
            .copied()
            .filter(|key| with_order || !matches!(*key, "sort" | "order")),
    )
}

fn when(clock: &Clock, line: &BookingLine) -> String {
    line.starts_at
        .with_timezone(&clock.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn filter_form(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    action: String,
    problems: &[FieldError],
) -> Result<Form, AppError> {
    let text = |id: &str| {
        Input::text(
            id,
            cx.text(&format!("staff_filter_{id}")),
            cx.param(id).unwrap_or_default(),
        )
        .with_error_from(problems)
    };
    let all = (String::new(), cx.text("staff_filter_all"));
    let select = |id: &str, options: Vec<(String, String)>| Input::Select {
        id: id.into(),
        label: cx.text(&format!("staff_filter_{id}")),
        options: std::iter::once(all.clone()).chain(options).collect(),
        chosen: cx.param(id).unwrap_or_default(),
    };
    let locations = Location::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .map(|l| (l.code, cx.pick(&l.name, &l.name_en)))
        .collect();
    let procedures = Procedure::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .map(|p| (p.code, cx.pick(&p.name_ja, &p.name_en)))
        .collect();
    fn labelled<T: TextEnum>(cx: &StaffCx, prefix: &str) -> Vec<(String, String)> {
        T::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str().to_string(),
                    cx.text(&format!("{prefix}{}", v.as_str())),
                )
            })
            .collect()
    }
    let mut inputs = vec![Input::hidden("lang", cx.lang.code())];
    if let Some(sort) = cx.param("sort") {
        inputs.push(Input::hidden("sort", sort));
    }
    if let Some(order) = cx.param("order") {
        inputs.push(Input::hidden("order", order));
    }
    inputs.extend([
        text("from"),
        text("to"),
        text("booked_from"),
        text("booked_to"),
        select("location", locations),
        select("procedure", procedures),
        select("status", labelled::<BookingStatus>(cx, "staff_status_")),
        select("channel", labelled::<Channel>(cx, "channel_")),
        text("code"),
        text("kana"),
        text("birth_date"),
    ]);
    Ok(Form {
        action,
        post: false,
        csrf: None,
        inputs,
        submit: cx.text("staff_search"),
        inline: true,
    })
}

/// The list's columns: header, sort key and cell of each.
const COLUMNS: [Column<BookingLine, SortColumn>; 8] = [
    Column {
        header: "staff_column_code",
        sort: Some(SortColumn::Code),
        cell: |view, line| {
            let shown = BookingCode::parse(&line.code)
                .map(|c| c.display())
                .unwrap_or_else(|| line.code.clone());
            Cell::Link(view.console_url(&format!("bookings/{}", line.code)), shown)
        },
    },
    Column {
        header: "staff_column_visit",
        sort: Some(SortColumn::Visit),
        cell: |view, line| Cell::Text(view.minute(line.starts_at)),
    },
    Column {
        header: "staff_column_location",
        sort: Some(SortColumn::Location),
        cell: |_, line| Cell::Text(line.location.clone()),
    },
    Column {
        header: "staff_column_procedure",
        sort: Some(SortColumn::Procedure),
        cell: |_, line| Cell::Text(line.procedure.clone()),
    },
    Column {
        header: "staff_column_party",
        sort: Some(SortColumn::Party),
        cell: |_, line| Cell::Text(line.party_size.to_string()),
    },
    Column {
        header: "staff_column_status",
        sort: Some(SortColumn::Status),
        cell: |view, line| Cell::Text(view.text(&format!("staff_status_{}", line.status))),
    },
    Column {
        header: "staff_column_channel",
        sort: Some(SortColumn::Channel),
        cell: |view, line| Cell::Text(view.text(&format!("channel_{}", line.channel))),
    },
    Column {
        header: "staff_column_booked_at",
        sort: Some(SortColumn::BookedAt),
        cell: |view, line| Cell::Text(view.second(line.created_at)),
    },
];

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewBookings, |conn, cx| {
            let base = format!("/{}/staff/bookings", cx.tenant.code);
            let filter = match filter_of(cx) {
                Ok(filter) => filter,
                Err(problems) => {
                    let blocks = vec![
                        Block::Form(filter_form(conn, cx, base, &problems)?),
                        Block::Text(cx.text("staff_filter_fix_dates")),
                    ];
                    return cx.page_with_errors("staff_bookings_title", problems, blocks);
                }
            };
            let page = cx.page_number();
            let mut lines = search(
                conn,
                &cx.clock,
                &cx.tenant,
                &filter,
                (page - 1) * PAGE,
                PAGE + 1,
            )?;
            let query = filter_query(cx, true);
            let pages = cx.page_links(&mut lines, PAGE, |n| {
                cx.url(&format!("{base}?{query}&page={n}"))
            });
            let unsorted = filter_query(cx, false);
            let sort_href = |column: SortColumn, descending: bool| {
                let order = if descending { "desc" } else { "asc" };
                cx.url(&format!(
                    "{base}?{unsorted}&sort={}&order={order}",
                    column.name()
                ))
            };
            let blocks = vec![
                Block::Form(filter_form(conn, cx, base.clone(), &[])?),
                Block::Links(vec![
                    (
                        cx.url(&format!("{base}.csv?{query}")),
                        cx.text("staff_export_csv"),
                    ),
                    (
                        cx.url(&format!("{base}.csv?{query}&encoding=cp932")),
                        cx.text("staff_export_csv_cp932"),
                    ),
                    (
                        cx.url(&format!("{base}.xlsx?{query}")),
                        cx.text("staff_export_xlsx"),
                    ),
                ]),
                Block::Table(table(
                    &RowView::of(cx),
                    cx.text("staff_bookings_title"),
                    &COLUMNS,
                    &lines,
                    Some(Sorting {
                        by: filter.sort,
                        descending: filter.descending,
                        href: &sort_href,
                    }),
                    cx.text("staff_no_bookings"),
                )),
                Block::Links(pages),
            ];
            cx.page(StatusCode::OK, "staff_bookings_title", None, blocks)
        })
        .await
}

fn booked_at(clock: &Clock, line: &BookingLine) -> String {
    line.created_at
        .with_timezone(&clock.tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub async fn export_csv(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request.staff_step(Permission::ViewBookings,
        move |conn, cx| {
            let filter = export_filter(cx)?;
            let details =
                json!({ "filter": filter_query(cx, true), "encoding": csv_export::encoding_of(cx) });
            cx.audit(conn, "booking.export", "bookings.csv", details)?;
            let (tenant, clock, lang) = (cx.tenant.clone(), cx.clock, cx.lang);
            let fetch: csv_export::FetchRows = Box::new(move |conn, offset, limit| {
                Ok(search(conn, &clock, &tenant, &filter, offset, limit)?
                    .iter()
                    .map(|line| row_values(&clock, lang, line))
                    .collect())
            });
            Ok(csv_export::stream(pool.clone(), cx, "bookings", &CSV_HEADER, fetch))
        },
    )
    .await
}

/// The columns of both exports.
const CSV_HEADER: [&str; 10] = [
    "予約番号",
    "来庁日時",
    "窓口",
    "手続き",
    "人数",
    "状態",
    "受付経路",
    "メール",
    "電話",
    "予約日時",
];

fn row_values(clock: &Clock, lang: Lang, line: &BookingLine) -> Vec<String> {
    vec![
        BookingCode::parse(&line.code)
            .map(|c| c.display())
            .unwrap_or_else(|| line.code.clone()),
        when(clock, line),
        line.location.clone(),
        line.procedure.clone(),
        line.party_size.to_string(),
        t(lang, &format!("staff_status_{}", line.status)),
        t(lang, &format!("channel_{}", line.channel)),
        line.contact_email.clone().unwrap_or_default(),
        phone_display(line.contact_phone.as_deref()),
        booked_at(clock, line),
    ]
}

/// A stored phone number grouped for reading aloud (090-1234-5678).
fn phone_display(stored: Option<&str>) -> String {
    let stored = stored.unwrap_or_default();
    PhoneNumber::parse(stored)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| stored.to_string())
}

const SHEET: &str = "予約受付一覧表";

/// The filtered list as an Excel workbook (予約受付一覧表) with typed cells: visit and
/// booking times as dates, party sizes as numbers, and the names of the people booked for
/// as a last column for staff who may see them. Built in memory: workbooks are for lists a
/// person reads, up to 100,000 rows; CSV is the export for anything larger.
pub async fn export_xlsx(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewBookings, |conn, cx| {
            const MAX_ROWS: i64 = 100_000;
            let filter = export_filter(cx)?;
            let names = cx.may(Permission::SeeNames);
            let details = json!({ "filter": filter_query(cx, true), "names": names });
            cx.audit(conn, "booking.export", "bookings.xlsx", details)?;
            let lines = search(conn, &cx.clock, &cx.tenant, &filter, 0, MAX_ROWS)?;
            let who = if names {
                booked_for(conn, cx, &lines)?
            } else {
                HashMap::new()
            };
            let local = |at: chrono::DateTime<chrono::Utc>| {
                XlsxCell::DateTime(at.with_timezone(&cx.clock.tz).naive_local())
            };
            let rows = lines
                .iter()
                .map(|line| {
                    let text = row_values(&cx.clock, cx.lang, line);
                    let mut cells = vec![
                        XlsxCell::Text(text[0].clone()),
                        local(line.starts_at),
                        XlsxCell::Text(text[2].clone()),
                        XlsxCell::Text(text[3].clone()),
                        XlsxCell::Count(line.party_size.into()),
                        XlsxCell::Text(text[5].clone()),
                        XlsxCell::Text(text[6].clone()),
                        XlsxCell::Text(text[7].clone()),
                        XlsxCell::Text(text[8].clone()),
                        local(line.created_at),
                    ];
                    if names {
                        cells.push(XlsxCell::Text(
                            who.get(&line.id).cloned().unwrap_or_default(),
                        ));
                    }
                    cells
                })
                .collect();
            let mut headers: Vec<String> = CSV_HEADER.iter().map(|h| h.to_string()).collect();
            if names {
                headers.push("氏名".into());
            }
            let body = workbook(&[SheetData {
                name: SHEET,
                headers,
                rows,
            }])?;
            Ok(Outcome::File {
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body: body.into(),
            })
        })
        .await
}

/// Who each booking is for: the names on its cards, else the contact name given.
fn booked_for(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    lines: &[BookingLine],
) -> Result<HashMap<i64, String>, AppError> {
    use crate::db::card::CardRecord;
    let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in ids.chunks(10_000) {
        names.extend(CardRecord::names_by_booking(conn, cx.tenant.id, chunk)?);
    }
    for line in lines {
        if let Some(name) = line.contact_name.as_ref().filter(|n| !n.is_empty()) {
            names.entry(line.id).or_insert_with(|| name.clone());
        }
    }
    Ok(names)
}
