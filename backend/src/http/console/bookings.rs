//! Finding bookings, and exporting the filtered list as CSV (UTF-8 with BOM, or CP932 for
//! older spreadsheets), streamed page by page so a large list never sits in memory.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use madoguchi_frontend::i18n::{t, Lang};
use madoguchi_frontend::pages::console::bookings;
use madoguchi_frontend::view_models::{BookingListRow, BookingListVm};
use serde_json::json;

use super::{staff_step, StaffCx};
use crate::db::audit::NewAuditEntry;
use crate::db::location::Location;
use crate::db::tenant::Tenant;
use crate::db::PgPool;
use crate::domain::booking_search::{search, BookingFilter, BookingLine};
use crate::domain::input::{parse_date, BookingCode};
use crate::domain::staff::Permission;
use crate::domain::Clock;
use crate::error::AppError;
use crate::http::resident::Outcome;
use crate::http::AppState;

const PAGE: i64 = 50;
const EXPORT_BATCH: i64 = 1000;
const FILTER_FIELDS: [&str; 8] = [
    "from",
    "to",
    "location",
    "procedure",
    "status",
    "channel",
    "code",
    "kana",
];

fn filter_of(cx: &StaffCx) -> BookingFilter {
    let get = |key: &str| {
        cx.query
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    BookingFilter {
        visit_from: get("from").and_then(|d| parse_date(&d)),
        visit_to: get("to").and_then(|d| parse_date(&d)),
        location: get("location"),
        procedure: get("procedure"),
        status: get("status"),
        channel: get("channel"),
        code: get("code"),
        kana: get("kana"),
        by_booked_at: get("sort").as_deref() == Some("booked_at"),
        descending: get("order").as_deref() == Some("desc"),
    }
}

/// The filter as query text, to keep it in page and export links.
fn filter_query(cx: &StaffCx) -> String {
    FILTER_FIELDS
        .iter()
        .chain(["sort", "order"].iter())
        .filter_map(|key| {
            cx.query
                .get(*key)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key}={}", crate::http::extract::url_encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn when(clock: &Clock, line: &BookingLine) -> String {
    line.starts_at
        .with_timezone(&clock.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
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
        Permission::ViewBookings,
        None,
        |conn, cx, _| {
            let page: i64 = cx
                .query
                .get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1);
            let filter = filter_of(cx);
            let mut lines = search(
                conn,
                &cx.clock,
                &cx.tenant,
                &filter,
                (page - 1) * PAGE,
                PAGE + 1,
            )?;
            let more = lines.len() as i64 > PAGE;
            lines.truncate(PAGE as usize);
            let base = format!("/{}/staff/bookings", cx.tenant.code);
            let query = filter_query(cx);
            let page_href = |n: i64| cx.url(&format!("{base}?{query}&page={n}"));
            let vm = BookingListVm {
                frame: cx.frame(t(cx.lang, "staff_bookings_title")),
                action: base.clone(),
                filters: FILTER_FIELDS
                    .iter()
                    .map(|key| (*key, cx.query.get(*key).cloned().unwrap_or_default()))
                    .collect(),
                locations: Location::for_tenant(conn, cx.tenant.id)?
                    .into_iter()
                    .map(|l| (l.code, l.name))
                    .collect(),
                rows: lines
                    .iter()
                    .map(|line| BookingListRow {
                        code: BookingCode::parse(&line.code)
                            .map(|c| c.display())
                            .unwrap_or_else(|| line.code.clone()),
                        when: when(&cx.clock, line),
                        location: line.location.clone(),
                        procedure: line.procedure.clone(),
                        party_size: line.party_size,
                        status: t(cx.lang, &format!("staff_status_{}", line.status)),
                        channel: t(cx.lang, &format!("channel_{}", line.channel)),
                    })
                    .collect(),
                previous_href: (page > 1).then(|| page_href(page - 1)),
                next_href: more.then(|| page_href(page + 1)),
                csv_href: cx.url(&format!("{base}.csv?{query}")),
                csv_cp932_href: cx.url(&format!("{base}.csv?{query}&encoding=cp932")),
                xlsx_href: cx.url(&format!("{base}.xlsx?{query}")),
            };
            Ok(Outcome::Page(StatusCode::OK, bookings::render(vm)))
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
    staff_step(&state, &req, path.into_inner(), Permission::ViewBookings, None, move |conn, cx, _| {
        let filter = filter_of(cx);
        let cp932 = cx.query.get("encoding").map(String::as_str) == Some("cp932");
        NewAuditEntry {
            tenant_id: Some(cx.tenant.id),
            actor: &cx.actor().label,
            action: "booking.export",
            target: "bookings.csv",
            client_addr: cx.client_addr.as_deref(),
            details: json!({ "filter": filter_query(cx), "encoding": if cp932 { "cp932" } else { "utf-8" } }),
            created_at: cx.clock.now,
        }
        .insert(conn)?;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let (tenant, clock, lang) = (cx.tenant.clone(), cx.clock, cx.lang);
        actix_web::rt::task::spawn_blocking(move || {
            if let Err(e) = produce_csv(&pool, &tenant, &clock, lang, &filter, cp932, &tx) {
                tracing::error!("CSV export stopped: {e:#}");
            }
        });
        Ok(Outcome::Stream {
            content_type: if cp932 { "text/csv; charset=Shift_JIS" } else { "text/csv; charset=utf-8" },
            filename: format!("bookings-{}.csv", cx.clock.today()),
            chunks: rx,
        })
    })
    .await
}

/// Writes the header and then the rows, a batch at a time, into the channel.
fn produce_csv(
    pool: &PgPool,
    tenant: &Tenant,
    clock: &Clock,
    lang: Lang,
    filter: &BookingFilter,
    cp932: bool,
    tx: &tokio::sync::mpsc::Sender<web::Bytes>,
) -> Result<(), AppError> {
    let mut conn = pool.get()?;
    let encode = |text: String| -> web::Bytes {
        if cp932 {
            web::Bytes::from(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
        } else {
            web::Bytes::from(text)
        }
    };
    let mut first = csv_lines(&[CSV_HEADER.iter().map(|h| h.to_string()).collect()]);
    if !cp932 {
        first.insert(0, '\u{FEFF}');
    }
    if tx.blocking_send(encode(first)).is_err() {
        return Ok(());
    }
    let mut offset = 0;
    loop {
        let lines = search(&mut conn, clock, tenant, filter, offset, EXPORT_BATCH)?;
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|line| row_values(clock, lang, line))
            .collect();
        if !rows.is_empty() && tx.blocking_send(encode(csv_lines(&rows))).is_err() {
            return Ok(()); // the browser went away
        }
        if (lines.len() as i64) < EXPORT_BATCH {
            return Ok(());
        }
        offset += EXPORT_BATCH;
    }
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
        line.contact_phone.clone().unwrap_or_default(),
        line.created_at
            .with_timezone(&clock.tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    ]
}

/// Rows as CSV text with CRLF line ends, as spreadsheet programs expect.
fn csv_lines(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

const SHEET: &str = "予約受付一覧表";

/// The filtered list as an Excel workbook (予約受付一覧表). Built in memory: workbooks are
/// for lists a person reads, up to 100,000 rows; CSV is the export for anything larger.
pub async fn export_xlsx(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ViewBookings,
        None,
        |conn, cx, _| {
            const MAX_ROWS: i64 = 100_000;
            let filter = filter_of(cx);
            NewAuditEntry {
                tenant_id: Some(cx.tenant.id),
                actor: &cx.actor().label,
                action: "booking.export",
                target: "bookings.xlsx",
                client_addr: cx.client_addr.as_deref(),
                details: json!({ "filter": filter_query(cx) }),
                created_at: cx.clock.now,
            }
            .insert(conn)?;
            let lines = search(conn, &cx.clock, &cx.tenant, &filter, 0, MAX_ROWS)?;
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            let fail = |e: rust_xlsxwriter::XlsxError| {
                AppError::Internal(anyhow::anyhow!("writing the workbook: {e}"))
            };
            sheet.set_name(SHEET).map_err(fail)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (column, title) in CSV_HEADER.iter().enumerate() {
                sheet
                    .write_string_with_format(0, column as u16, *title, &bold)
                    .map_err(fail)?;
            }
            for (index, line) in lines.iter().enumerate() {
                for (column, value) in row_values(&cx.clock, cx.lang, line).into_iter().enumerate()
                {
                    sheet
                        .write_string(index as u32 + 1, column as u16, value)
                        .map_err(fail)?;
                }
            }
            sheet.autofit();
            let body = workbook.save_to_buffer().map_err(fail)?;
            Ok(Outcome::File {
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body: body.into(),
            })
        },
    )
    .await
}
