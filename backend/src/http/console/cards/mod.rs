//! Cards in the console: search by any of their numbers, name kana, birth date, status or
//! location; one card with its timeline (imports, changes, statuses, bookings); and the
//! import of J-LIS files (in `import`). Searching and opening a card are logged.

mod import;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

pub use import::{commit as import_commit, form as import_form, upload as import_upload};

use super::{staff_step, StaffCx};
use crate::db::card::CardRecord;
use crate::db::location::Location;
use crate::db::schema::{booking_members, bookings, card_events, card_records, slots};
use crate::domain::card_search::{kana_prefix, KANA_LIKE};
use crate::domain::input::{fold_width, parse_date, BookingCode};
use crate::domain::staff::Permission;
use crate::error::{AppError, Resource};
use crate::http::AppState;

const PAGE: i64 = 50;
const STATUSES: [&str; 9] = [
    "received",
    "notified",
    "booked",
    "in_transfer",
    "transferred",
    "issued",
    "to_return",
    "returned",
    "destroyed",
];
const TEXT_FILTERS: [&str; 5] = [
    "manufacture_number",
    "reservation_number",
    "application_id",
    "kana",
    "birth_date",
];

fn compact(text: &str) -> String {
    fold_width(text)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

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
                STATUSES
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
    let mut query = card_records::table
        .inner_join(crate::db::schema::locations::table)
        .filter(card_records::tenant_id.eq(cx.tenant.id))
        .select((CardRecord::as_select(), crate::db::schema::locations::name))
        .into_boxed();
    if let Some(number) = cx.param("manufacture_number") {
        query = query.filter(card_records::manufacture_number.eq(compact(&number)));
    }
    if let Some(number) = cx.param("reservation_number") {
        let number = compact(&number);
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "replace(coalesce(card_records.reservation_number, ''), '-', '') = ",
            )
            .bind::<diesel::sql_types::Text, _>(number),
        );
    }
    if let Some(id) = cx.param("application_id") {
        query = query.filter(card_records::application_id.eq(compact(&id)));
    }
    if let Some(kana) = cx.param("kana") {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(KANA_LIKE)
                .bind::<diesel::sql_types::Text, _>(kana_prefix(&kana)),
        );
    }
    if let Some(born) = cx.param("birth_date").and_then(|d| parse_date(&d)) {
        query = query.filter(card_records::birth_date.eq(born));
    }
    if let Some(status) = cx.param("status") {
        query = query.filter(card_records::status.eq(status));
    }
    if let Some(code) = cx.param("location") {
        query = query.filter(crate::db::schema::locations::code.eq(code));
    }
    if !cx.account.location_ids.is_empty() {
        query = query.filter(card_records::location_id.eq_any(cx.account.location_ids.clone()));
    }
    Ok(query
        .order((
            card_records::name_kana,
            card_records::birth_date,
            card_records::id,
        ))
        .offset((page - 1) * PAGE)
        .limit(PAGE + 1)
        .load(conn)?)
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
                let query: Vec<String> = TEXT_FILTERS
                    .iter()
                    .chain(["status", "location"].iter())
                    .filter_map(|k| {
                        cx.param(k)
                            .map(|v| format!("{k}={}", crate::http::extract::url_encode(&v)))
                    })
                    .collect();
                let base = format!("/{}/staff/cards?{}", cx.tenant.code, query.join("&"));
                let pages =
                    cx.page_links(&mut found, PAGE, |n| cx.url(&format!("{base}&page={n}")));
                blocks.push(Block::Table(Table {
                    caption: cx.text("cards_found"),
                    headers: [
                        "contact_name",
                        "phone_kana",
                        "identify_birth_date",
                        "staff_location",
                        "staff_status",
                        "cards_filter_manufacture_number",
                        "cards_filter_reservation_number",
                    ]
                    .iter()
                    .map(|k| Header::plain(cx.text(k)))
                    .collect(),
                    rows: found
                        .into_iter()
                        .map(|(card, location)| {
                            vec![
                                Cell::Link(
                                    cx.console_url(&format!("cards/{}", card.id)),
                                    card.name.clone(),
                                ),
                                Cell::Text(card.name_kana.clone()),
                                Cell::Text(card.birth_date.to_string()),
                                Cell::Text(location),
                                Cell::Text(cx.text(&format!("card_status_{}", card.status))),
                                Cell::Code(card.manufacture_number.clone()),
                                Cell::Code(card.reservation_number.clone().unwrap_or_default()),
                            ]
                        })
                        .collect(),
                    empty_text: cx.text("phone_no_cards"),
                }));
                blocks.push(Block::Links(pages));
            }
            cx.page(StatusCode::OK, "cards_title", notice, blocks)
        },
    )
    .await
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> HttpResponse {
    let (tenant, id) = path.into_inner();
    staff_step(
        &state,
        &req,
        tenant,
        Permission::ViewBookings,
        None,
        move |conn, cx, _| {
            let card = CardRecord::by_ids(conn, cx.tenant.id, &[id])?
                .into_iter()
                .next()
                .filter(|c| cx.works_at(c.location_id))
                .ok_or(AppError::NotFound(Resource::Card))?;
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
            blocks.push(Block::Heading(cx.text("cards_timeline")));
            blocks.push(Block::Table(timeline));
            let notice = cx
                .param("notice")
                .filter(|n| n == "status")
                .map(|_| (true, cx.text("cards_status_changed")));
            cx.page(StatusCode::OK, "cards_card_title", notice, blocks)
        },
    )
    .await
}

/// The card's events and the bookings made for it, newest first.
fn timeline(
    conn: &mut PgConnection,
    cx: &StaffCx,
    card: &CardRecord,
    when: &dyn Fn(chrono::DateTime<chrono::Utc>) -> String,
) -> Result<Table, AppError> {
    type Event = (
        chrono::DateTime<chrono::Utc>,
        String,
        Option<String>,
        Option<String>,
        String,
        serde_json::Value,
    );
    let events: Vec<Event> = card_events::table
        .filter(card_events::card_id.eq(card.id))
        .order(card_events::id)
        .select((
            card_events::created_at,
            card_events::kind,
            card_events::from_status,
            card_events::to_status,
            card_events::actor,
            card_events::details,
        ))
        .load(conn)?;
    let booked: Vec<(
        chrono::DateTime<chrono::Utc>,
        String,
        String,
        chrono::DateTime<chrono::Utc>,
    )> = bookings::table
        .inner_join(booking_members::table)
        .inner_join(slots::table)
        .filter(booking_members::card_id.eq(card.id))
        .select((
            bookings::created_at,
            bookings::code,
            bookings::status,
            slots::starts_at,
        ))
        .load(conn)?;
    let status = |s: &Option<String>| {
        s.as_ref()
            .map(|s| cx.text(&format!("card_status_{s}")))
            .unwrap_or_default()
    };
    let mut rows: Vec<(chrono::DateTime<chrono::Utc>, Vec<Cell>)> = events
        .into_iter()
        .map(|(at, kind, from, to, actor, details)| {
            let what = match kind.as_str() {
                "status" => format!("{} → {}", status(&from), status(&to)),
                "changed" => details["changes"]
                    .as_object()
                    .map(|c| c.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                _ => String::new(),
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
    for (at, code, booking_status, visit) in booked {
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

/// The statuses staff set by hand, as far as the workflow allows from where the card is.
const MANUAL_STATUSES: [&str; 4] = ["notified", "to_return", "returned", "destroyed"];

fn status_buttons(cx: &StaffCx, card: &CardRecord) -> Vec<Block> {
    let buttons: Vec<Block> = MANUAL_STATUSES
        .iter()
        .filter(|to| crate::domain::card_status::allowed(&card.status, to, false))
        .map(|to| {
            Block::Form(Form {
                action: cx.console_url(&format!("cards/{}/status", card.id)),
                post: true,
                csrf: Some(cx.session.csrf_token.clone()),
                inputs: vec![Input::hidden("to", *to)],
                submit: cx.text(&format!("cards_set_{to}")),
                inline: true,
            })
        })
        .collect();
    if buttons.is_empty() {
        return buttons;
    }
    std::iter::once(Block::Heading(cx.text("cards_change_status")))
        .chain(buttons)
        .collect()
}

pub async fn set_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> HttpResponse {
    let (tenant, id) = path.into_inner();
    staff_step(
        &state,
        &req,
        tenant,
        Permission::ManageCards,
        Some(form.into_inner()),
        move |conn, cx, form| {
            let to = form
                .unwrap_or_default()
                .get("to")
                .cloned()
                .unwrap_or_default();
            let card = CardRecord::by_ids(conn, cx.tenant.id, &[id])?
                .into_iter()
                .next()
                .filter(|c| cx.works_at(c.location_id))
                .ok_or(AppError::NotFound(Resource::Card))?;
            if !MANUAL_STATUSES.contains(&to.as_str()) {
                return Err(AppError::CardNotAvailable);
            }
            let actor = format!("staff:{}", cx.account.login);
            let change = crate::domain::card_status::StatusChange {
                to: &to,
                actor: &actor,
                at: cx.clock.now,
                details: json!({}),
                undo: false,
            };
            let from = crate::domain::card_status::change(conn, cx.tenant.id, card.id, &change)?;
            cx.audit(
                conn,
                "card.status",
                &card.manufacture_number,
                json!({ "from": from, "to": to }),
            )?;
            Ok(crate::http::resident::Outcome::Redirect(format!(
                "{}&notice=status",
                cx.console_url(&format!("cards/{}", card.id))
            )))
        },
    )
    .await
}
