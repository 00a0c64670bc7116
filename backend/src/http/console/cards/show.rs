//! Cards in the console: search by any of their numbers, name kana, birth date, status or
//! location; one card with its timeline (imports, changes, statuses, bookings); and the
//! import of J-LIS files (in `import`). Searching and opening a card are logged.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Header, Table};
use serde_json::json;

use super::status::{card_of, guessing_blocks, status_buttons};
use crate::db::card::{CardBooking, CardEvent, CardRecord};
use crate::db::kinds::{CardEventKind, CardStatus};
use crate::db::location::Location;
use crate::domain::input::BookingCode;
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::PageRequest;

pub async fn show(request: PageRequest, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    request
        .staff_step(Permission::ViewBookings, move |conn, cx| {
            let card = card_of(conn, cx, id)?;
            cx.audit(conn, "card.view", &card.manufacture_number, json!({}))?;
            let location = Location::by_id(conn, cx.tenant.id, card.location_id)?;
            let when = |at: chrono::DateTime<chrono::Utc>| {
                at.with_timezone(&cx.clock.tz)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            };
            let facts = vec![
                (cx.text("contact_name"), card.name.clone()),
                (cx.text("phone_kana"), card.name_kana.clone()),
                (cx.text("identify_birth_date"), card.birth_date.to_string()),
                (
                    cx.text("staff_status"),
                    format!(
                        "{}（{}）",
                        cx.text(&format!("card_status_{}", card.status)),
                        when(card.status_changed_at)
                    ),
                ),
                (
                    cx.text("staff_location"),
                    cx.pick(&location.name, &location.name_en),
                ),
                (
                    cx.text("cards_filter_manufacture_number"),
                    card.manufacture_number.clone(),
                ),
                (
                    cx.text("cards_filter_reservation_number"),
                    card.reservation_number.clone().unwrap_or_default(),
                ),
                (
                    cx.text("cards_filter_application_id"),
                    card.application_id.clone(),
                ),
                (cx.text("phone_shipment"), card.shipment_number.clone()),
                (
                    cx.text("cards_manufactured_on"),
                    card.manufactured_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ),
            ];
            let timeline = timeline(conn, cx, &card, &when)?;
            let mut blocks = vec![Block::Facts(facts)];
            if cx.may(Permission::ManageCards) {
                blocks.extend(status_buttons(cx, &card));
            }
            blocks.extend(guessing_blocks(conn, cx, &card)?);
            blocks.push(Block::Heading(cx.text("cards_timeline")));
            blocks.push(Block::Table(timeline));
            let notice = cx.notice_among(&[Notice::CardStatusChanged, Notice::CardUnlocked]);
            cx.page(StatusCode::OK, "cards_card_title", notice, blocks)
        })
        .await
}

/// The card's events and the bookings made for it, newest first.
fn timeline(
    conn: &mut PgConnection,
    cx: &StaffCx,
    card: &CardRecord,
    when: &dyn Fn(chrono::DateTime<chrono::Utc>) -> String,
) -> Result<Table, AppError> {
    let events = card.events(conn)?;
    let booked = card.bookings(conn)?;
    let status = |s: &Option<CardStatus>| {
        s.map(|s| cx.text(&format!("card_status_{s}")))
            .unwrap_or_default()
    };
    let mut rows: Vec<(chrono::DateTime<chrono::Utc>, Vec<Cell>)> = events
        .into_iter()
        .map(|event| {
            let CardEvent {
                created_at: at,
                kind,
                from_status: from,
                to_status: to,
                actor,
                details,
            } = event;
            let what = match kind {
                CardEventKind::Status => format!("{} → {}", status(&from), status(&to)),
                CardEventKind::Changed => details["changes"]
                    .as_object()
                    .map(|c| c.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                CardEventKind::Imported => String::new(),
            };
            (
                at,
                vec![
                    Cell::Text(when(at)),
                    Cell::Text(cx.text(&format!("card_event_{kind}"))),
                    Cell::Text(what),
                    Cell::Text(actor),
                ],
            )
        })
        .collect();
    for CardBooking {
        booked_at: at,
        code,
        status: booking_status,
        starts_at: visit,
    } in booked
    {
        let shown = BookingCode::parse(&code)
            .map(|c| c.display())
            .unwrap_or(code.clone());
        rows.push((
            at,
            vec![
                Cell::Text(when(at)),
                Cell::Link(
                    cx.console_url(&format!("bookings/{code}")),
                    format!("{} {shown}", cx.text("card_event_booking")),
                ),
                Cell::Text(format!(
                    "{} {}",
                    when(visit),
                    cx.text(&format!("staff_status_{booking_status}"))
                )),
                Cell::Text(String::new()),
            ],
        ));
    }
    rows.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    Ok(Table {
        caption: cx.text("cards_timeline"),
        headers: [
            "staff_when",
            "staff_event",
            "staff_event_detail",
            "staff_actor",
        ]
        .iter()
        .map(|k| Header::plain(cx.text(k)))
        .collect(),
        rows: rows.into_iter().map(|(_, cells)| cells).collect(),
        empty_text: String::new(),
    })
}
