//! Finding cards by any of their numbers, name kana, birth date, status or location.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use serde_json::json;

use crate::db::card::CardRecord;
use crate::db::kinds::CardStatus;
use crate::db::location::Location;
use crate::domain::card_search::{self, CardListFilter};
use crate::domain::input::parse_date;
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::page::PageRequest;

const PAGE: i64 = 50;
const TEXT_FILTERS: [&str; 5] = [
    "manufacture_number",
    "reservation_number",
    "application_id",
    "kana",
    "birth_date",
];

fn search_form(conn: &mut PgConnection, cx: &StaffCx) -> Result<Form, AppError> {
    let mut inputs = vec![Input::hidden("lang", cx.lang.code())];
    for id in TEXT_FILTERS {
        inputs.push(Input::text(
            id,
            cx.text(&format!("cards_filter_{id}")),
            cx.param(id).unwrap_or_default(),
        ));
    }
    let all = (String::new(), cx.text("staff_filter_all"));
    inputs.push(Input::Select {
        id: "status".into(),
        label: cx.text("staff_status"),
        options: std::iter::once(all.clone())
            .chain(
                CardStatus::ALL
                    .iter()
                    .map(|s| (s.to_string(), cx.text(&format!("card_status_{s}")))),
            )
            .collect(),
        chosen: cx.param("status").unwrap_or_default(),
    });
    inputs.push(Input::Select {
        id: "location".into(),
        label: cx.text("staff_location"),
        options: std::iter::once(all)
            .chain(
                Location::for_tenant(conn, cx.tenant.id)?
                    .into_iter()
                    .filter(|l| cx.works_at(l.id))
                    .map(|l| (l.code, cx.pick(&l.name, &l.name_en))),
            )
            .collect(),
        chosen: cx.param("location").unwrap_or_default(),
    });
    Ok(Form {
        action: format!("/{}/staff/cards", cx.tenant.code),
        post: false,
        csrf: None,
        inputs,
        submit: cx.text("staff_search"),
        inline: true,
    })
}

fn find(
    conn: &mut PgConnection,
    cx: &StaffCx,
    page: i64,
) -> Result<Vec<(CardRecord, String)>, AppError> {
    let status = cx.param("status");
    let parsed_status = status.as_deref().and_then(CardStatus::parse);
    if status.is_some() && parsed_status.is_none() {
        // No card has a status that does not exist.
        return Ok(Vec::new());
    }
    let filter = CardListFilter {
        manufacture_number: cx.param("manufacture_number"),
        reservation_number: cx.param("reservation_number"),
        application_id: cx.param("application_id"),
        kana: cx.param("kana"),
        birth_date: cx.param("birth_date").and_then(|d| parse_date(&d)),
        status: parsed_status,
        location: cx.param("location"),
    };
    Ok(card_search::list(
        conn,
        cx.tenant.id,
        &cx.account.location_ids,
        &filter,
        (page, PAGE),
    )?)
}

/// The columns of the cards found, each with its location's name.
const COLUMNS: [Column<(CardRecord, String), ()>; 7] = [
    Column {
        header: "contact_name",
        sort: None,
        cell: |view, (card, _)| {
            Cell::Link(
                view.console_url(&format!("cards/{}", card.id)),
                card.name.clone(),
            )
        },
    },
    Column {
        header: "phone_kana",
        sort: None,
        cell: |_, (card, _)| Cell::Text(card.name_kana.clone()),
    },
    Column {
        header: "identify_birth_date",
        sort: None,
        cell: |_, (card, _)| Cell::Text(card.birth_date.to_string()),
    },
    Column {
        header: "staff_location",
        sort: None,
        cell: |_, (_, location)| Cell::Text(location.clone()),
    },
    Column {
        header: "staff_status",
        sort: None,
        cell: |view, (card, _)| Cell::Text(view.text(&format!("card_status_{}", card.status))),
    },
    Column {
        header: "cards_filter_manufacture_number",
        sort: None,
        cell: |_, (card, _)| Cell::Code(card.manufacture_number.clone()),
    },
    Column {
        header: "cards_filter_reservation_number",
        sort: None,
        cell: |_, (card, _)| Cell::Code(card.reservation_number.clone().unwrap_or_default()),
    },
];

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewBookings, |conn, cx| {
            let searched = TEXT_FILTERS
                .iter()
                .chain(["status", "location"].iter())
                .any(|k| cx.param(k).is_some());
            let mut blocks = vec![Block::Form(search_form(conn, cx)?)];
            if cx.may(Permission::ImportData) {
                blocks.push(Block::Links(vec![(
                    cx.console_url("cards/import"),
                    cx.text("cards_import_title"),
                )]));
            }
            blocks.extend(super::status::stopped_numbers(conn, cx)?);
            let mut notice = None;
            if cx
                .param("birth_date")
                .is_some_and(|d| parse_date(&d).is_none())
            {
                notice = Some((
                    false,
                    format!(
                        "{}: {}",
                        cx.text("cards_filter_birth_date"),
                        cx.text("identify_birth_date_hint")
                    ),
                ));
            } else if searched {
                let mut found = find(conn, cx, cx.page_number())?;
                cx.audit(
                    conn,
                    "card.search",
                    "card_records",
                    json!({ "matches": found.len().min(PAGE as usize) }),
                )?;
                let query = cx.query_text(TEXT_FILTERS.into_iter().chain(["status", "location"]));
                let base = format!("/{}/staff/cards?{query}", cx.tenant.code);
                let pages =
                    cx.page_links(&mut found, PAGE, |n| cx.url(&format!("{base}&page={n}")));
                blocks.push(Block::Table(table(
                    &RowView::of(cx),
                    cx.text("cards_found"),
                    &COLUMNS,
                    &found,
                    None,
                    cx.text("phone_no_cards"),
                )));
                blocks.push(Block::Links(pages));
            }
            cx.page(StatusCode::OK, "cards_title", notice, blocks)
        })
        .await
}
