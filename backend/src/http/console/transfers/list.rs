//! Transfer lists for cities that keep cards centrally: which cards go to which counter for
//! the bookings of some days, as a page that prints and as CSV; sending a list, and
//! receiving each card at its counter with a scan.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Duration, NaiveDate};
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use serde_json::json;

use crate::http::console::csv_export;
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::page::PageRequest;

use crate::db::kinds::CardStatus;
use crate::db::location::Location;
use crate::domain::input::{parse_date, BookingCode};
use crate::domain::staff::Permission;
use crate::domain::transfers::{self, TransferLine};
use crate::error::AppError;
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;

const CSV_HEADER: [&str; 7] = [
    "来庁日時",
    "予約番号",
    "氏名",
    "製造管理番号",
    "保管場所",
    "移送先",
    "状態",
];

pub(super) struct ListQuery {
    days: (NaiveDate, NaiveDate),
    pub(super) destination: Option<Location>,
}

pub(super) fn list_query(conn: &mut PgConnection, cx: &StaffCx) -> Result<ListQuery, AppError> {
    let today = cx.clock.today();
    let from = cx
        .param("from")
        .and_then(|d| parse_date(&d))
        .unwrap_or(today);
    let to = cx
        .param("to")
        .and_then(|d| parse_date(&d))
        .unwrap_or(from + Duration::days(7));
    let destination = match cx.param("location") {
        Some(code) => Location::active_by_code(conn, cx.tenant.id, &code)?,
        None => None,
    }
    .filter(|l| cx.works_at(l.id));
    Ok(ListQuery {
        days: (from, to.max(from)),
        destination,
    })
}

pub(super) fn load(
    conn: &mut PgConnection,
    cx: &StaffCx,
    query: &ListQuery,
) -> Result<Vec<TransferLine>, AppError> {
    let lines = transfers::list(
        conn,
        &cx.clock,
        cx.tenant.id,
        query.days,
        query.destination.as_ref().map(|l| l.id),
    )?;
    Ok(lines
        .into_iter()
        .filter(|l| cx.works_at(l.to_location_id))
        .collect())
}

fn values(cx: &StaffCx, names: &HashMap<i64, String>, line: &TransferLine) -> [String; 7] {
    [
        line.visit
            .with_timezone(&cx.clock.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        BookingCode::parse(&line.booking_code)
            .map(|c| c.display())
            .unwrap_or_default(),
        line.name.clone(),
        line.manufacture_number.clone(),
        line.from_location.clone(),
        names.get(&line.to_location_id).cloned().unwrap_or_default(),
        cx.text(&format!("card_status_{}", line.card_status)),
    ]
}

pub(super) fn query_text(query: &ListQuery) -> String {
    let mut text = format!("from={}&to={}", query.days.0, query.days.1);
    if let Some(location) = &query.destination {
        text.push_str(&format!("&location={}", location.code));
    }
    text
}

/// The list's columns over a line's shown values (the CSV export's).
const COLUMNS: [Column<[String; 7], ()>; 7] = [
    Column {
        header: "check_when",
        sort: None,
        cell: |_, values| Cell::Text(values[0].clone()),
    },
    Column {
        header: "manage_code",
        sort: None,
        cell: |_, values| Cell::Code(values[1].clone()),
    },
    Column {
        header: "contact_name",
        sort: None,
        cell: |_, values| Cell::Text(values[2].clone()),
    },
    Column {
        header: "cards_filter_manufacture_number",
        sort: None,
        cell: |_, values| Cell::Code(values[3].clone()),
    },
    Column {
        header: "transfers_kept_at",
        sort: None,
        cell: |_, values| Cell::Text(values[4].clone()),
    },
    Column {
        header: "transfers_destination",
        sort: None,
        cell: |_, values| Cell::Text(values[5].clone()),
    },
    Column {
        header: "staff_status",
        sort: None,
        cell: |_, values| Cell::Text(values[6].clone()),
    },
];

pub(super) fn page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
) -> Result<Outcome, AppError> {
    let query = list_query(conn, cx)?;
    let lines = load(conn, cx, &query)?;
    let locations: Vec<Location> = Location::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .filter(|l| cx.works_at(l.id))
        .collect();
    let names: HashMap<i64, String> = locations
        .iter()
        .map(|l| (l.id, cx.pick(&l.name, &l.name_en)))
        .collect();
    let chosen = query
        .destination
        .as_ref()
        .map(|l| l.code.clone())
        .unwrap_or_default();
    let mut options = vec![(String::new(), cx.text("staff_filter_all"))];
    options.extend(
        locations
            .iter()
            .map(|l| (l.code.clone(), cx.pick(&l.name, &l.name_en))),
    );
    let filter = Form {
        action: format!("/{}/staff/transfers", cx.tenant.code),
        post: false,
        csrf: None,
        inputs: vec![
            Input::hidden("lang", cx.lang.code()),
            Input::text(
                "from",
                cx.text("staff_filter_from"),
                query.days.0.to_string(),
            ),
            Input::text("to", cx.text("staff_filter_to"), query.days.1.to_string()),
            Input::Select {
                id: "location".into(),
                label: cx.text("transfers_destination"),
                options,
                chosen,
            },
        ],
        submit: cx.text("staff_show"),
        inline: true,
    };
    let carry = query_text(&query);
    let shown: Vec<[String; 7]> = lines.iter().map(|line| values(cx, &names, line)).collect();
    let table = table(
        &RowView::of(cx),
        cx.text("transfers_title"),
        &COLUMNS,
        &shown,
        None,
        cx.text("transfers_none"),
    );
    let waiting = lines
        .iter()
        .filter(|l| l.card_status == CardStatus::Booked)
        .count();
    let mut blocks = vec![
        Block::Form(filter),
        Block::Links(vec![(
            cx.url(&format!("/{}/staff/transfers.csv?{carry}", cx.tenant.code)),
            cx.text("staff_export_csv"),
        )]),
        Block::Table(table),
    ];
    if waiting > 0 && cx.may(Permission::ManageCards) {
        blocks.push(Block::Form(Form {
            action: cx.console_url(&format!("transfers/send?{carry}")),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs: Vec::new(),
            submit: tf(cx.lang, "transfers_send", &[("n", &waiting.to_string())]),
            inline: false,
        }));
    }
    if let Some(destination) = &query.destination {
        blocks.push(Block::Heading(tf(
            cx.lang,
            "transfers_receive_at",
            &[(
                "location",
                &names.get(&destination.id).cloned().unwrap_or_default(),
            )],
        )));
        blocks.push(Block::Form(Form {
            action: cx.console_url(&format!("transfers/receive?{carry}")),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs: vec![Input::text(
                "scanned",
                cx.text("transfers_scan"),
                String::new(),
            )],
            submit: cx.text("transfers_receive"),
            inline: true,
        }));
    }
    cx.page(status, "transfers_title", notice, blocks)
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::CounterDesk, |conn, cx| {
            let notice = match Notice::read(&cx.query) {
                Some(n @ Notice::TransfersSent) => Some((
                    true,
                    tf(
                        cx.lang,
                        n.message_key(),
                        &[("n", &cx.param("n").unwrap_or_default())],
                    ),
                )),
                Some(n @ Notice::TransferReceived) => {
                    let card = cx.param("card").and_then(|id| id.parse().ok());
                    let name = card
                        .and_then(|id| crate::http::console::cards::card_of(conn, cx, id).ok())
                        .map(|c| c.name)
                        .unwrap_or_default();
                    Some((true, tf(cx.lang, n.message_key(), &[("name", &name)])))
                }
                _ => None,
            };
            page(conn, cx, StatusCode::OK, notice)
        })
        .await
}

pub async fn export_csv(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::CounterDesk, move |conn, cx| {
            let query = list_query(conn, cx)?;
            let lines = load(conn, cx, &query)?;
            let names: HashMap<i64, String> = Location::for_tenant(conn, cx.tenant.id)?
                .into_iter()
                .map(|l| (l.id, cx.pick(&l.name, &l.name_en)))
                .collect();
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| values(cx, &names, l).to_vec())
                .collect();
            cx.audit(
                conn,
                "transfer.export",
                "transfers.csv",
                json!({ "filter": query_text(&query), "rows": rows.len() }),
            )?;
            // A transfer list is a few hundred rows at most: it is read once and streamed out.
            let mut remaining = Some(rows);
            let fetch: csv_export::FetchRows =
                Box::new(move |_, _, _| Ok(remaining.take().unwrap_or_default()));
            Ok(csv_export::stream(
                pool.clone(),
                cx,
                "transfers",
                &CSV_HEADER,
                fetch,
            ))
        })
        .await
}
