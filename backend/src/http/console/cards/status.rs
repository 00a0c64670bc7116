//! Statuses staff set by hand on a card's page, within what the workflow allows.

use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};
use serde_json::json;

use crate::db::card::CardRecord;
use crate::db::kinds::CardStatus;
use crate::domain::staff::Permission;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::extract::NoFields;
use crate::http::page::Posted;

/// The statuses staff set by hand, as far as the workflow allows from where the card is.
const MANUAL_STATUSES: [CardStatus; 4] = [
    CardStatus::Notified,
    CardStatus::ToReturn,
    CardStatus::Returned,
    CardStatus::Destroyed,
];

pub(super) fn status_buttons(cx: &StaffCx, card: &CardRecord) -> Vec<Block> {
    let buttons: Vec<Block> = MANUAL_STATUSES
        .iter()
        .filter(|to| crate::domain::card_status::allowed(card.status, **to, false))
        .map(|to| {
            Block::Form(Form {
                action: cx.console_url(&format!("cards/{}/status", card.id)),
                post: true,
                csrf: Some(cx.session.csrf_token.clone()),
                inputs: vec![Input::hidden("to", to.as_str())],
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

/// The status a button sets.
#[derive(serde::Deserialize, Default, Clone)]
pub struct StatusForm {
    #[serde(default)]
    to: String,
}

pub async fn set_status(
    request: Posted<StatusForm>,
    path: web::Path<(String, i64)>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    request
        .staff_step(Permission::ManageCards, move |conn, cx, form| {
            let to = form.to;
            let card = card_of(conn, cx, id)?;
            let to = CardStatus::parse(&to)
                .filter(|to| MANUAL_STATUSES.contains(to))
                .ok_or(AppError::CardNotAvailable)?;
            let actor = format!("staff:{}", cx.account.login);
            let change = crate::domain::card_status::StatusChange {
                to,
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
            Ok(back_to_card(cx, card.id, Notice::CardStatusChanged))
        })
        .await
}

/// What the card's page says of failed identifications, and the unlock button for staff
/// who book on callers' behalf (after checking the caller's identity on the phone).
pub(super) fn guessing_blocks(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    card: &CardRecord,
) -> Result<Vec<Block>, AppError> {
    use crate::domain::booking::guessing::{card_number_key, failures_of, STAFF_UNLOCK_AFTER};
    let Some(key) = card_number_key(&cx.tenant, card) else {
        return Ok(Vec::new());
    };
    let (count, last) = failures_of(conn, &cx.tenant, &key)?;
    if count == 0 {
        return Ok(Vec::new());
    }
    let last = local_minute(cx, last);
    let key = if count >= STAFF_UNLOCK_AFTER {
        "cards_lock_for_staff"
    } else {
        "cards_lock_failures"
    };
    let mut blocks = vec![
        Block::Heading(cx.text("cards_lock_heading")),
        Block::Text(madoguchi_frontend::i18n::tf(
            cx.lang,
            key,
            &[("count", &count.to_string()), ("last", &last)],
        )),
    ];
    if cx.may(Permission::ProxyBooking) {
        blocks.push(Block::Form(Form {
            action: cx.console_url(&format!("cards/{}/unlock", card.id)),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs: Vec::new(),
            submit: cx.text("cards_unlock"),
            inline: true,
        }));
    }
    Ok(blocks)
}

/// Forgets a card number's failed identifications, so that its holder can go on.
pub async fn unlock(request: Posted<NoFields>, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    request
        .staff_step(Permission::ProxyBooking, move |conn, cx, _| {
            let card = card_of(conn, cx, id)?;
            let key = crate::domain::booking::guessing::card_number_key(&cx.tenant, &card)
                .ok_or(AppError::NotFound(Resource::Card))?;
            let forgotten = crate::domain::booking::guessing::forget(conn, &cx.tenant, &key)?;
            cx.audit(
                conn,
                "card.unlocked",
                &card.manufacture_number,
                json!({ "failures": forgotten }),
            )?;
            Ok(back_to_card(cx, card.id, Notice::CardUnlocked))
        })
        .await
}

/// The alert at the top of the card list: numbers stopped after guessing from many
/// networks, waiting for their holders to call (from the operation log's lock lines of
/// the last 30 days, still stopped now).
pub(super) fn stopped_numbers(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
) -> Result<Vec<Block>, AppError> {
    use madoguchi_frontend::pages::console::kit::{Cell, Header, Table};

    let stopped = crate::domain::booking::guessing::stopped_cards(conn, &cx.clock, &cx.tenant)?;
    let rows: Vec<Vec<Cell>> = stopped
        .into_iter()
        .filter(|stopped| cx.works_at(stopped.card.location_id))
        .map(|stopped| {
            vec![
                Cell::Link(
                    cx.console_url(&format!("cards/{}", stopped.card.id)),
                    stopped.card.name.clone(),
                ),
                Cell::Code(stopped.card.manufacture_number.clone()),
                Cell::Text(stopped.failures.to_string()),
                Cell::Text(local_minute(cx, stopped.last_failure)),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![
        Block::Heading(cx.text("cards_stopped_heading")),
        Block::Text(cx.text("cards_stopped_text")),
        Block::Table(Table {
            caption: cx.text("cards_stopped_heading"),
            headers: [
                "contact_name",
                "cards_filter_manufacture_number",
                "cards_stopped_failures",
                "cards_stopped_last",
            ]
            .iter()
            .map(|k| Header::plain(cx.text(k)))
            .collect(),
            rows,
            empty_text: String::new(),
        }),
    ])
}

/// A moment as the city's staff read it, to the minute.
fn local_minute(cx: &StaffCx, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|at| {
        at.with_timezone(&cx.clock.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// The card's page again, saying what was done (POST → redirect → GET).
fn back_to_card(cx: &StaffCx, card_id: i64, notice: Notice) -> crate::http::page::Outcome {
    cx.back_with(&format!("cards/{card_id}"), notice)
}

/// The card `id` of this city, when the account works at its counter.
pub(crate) fn card_of(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    id: i64,
) -> Result<CardRecord, AppError> {
    CardRecord::by_ids(conn, cx.tenant.id, &[id])?
        .into_iter()
        .next()
        .filter(|c| cx.works_at(c.location_id))
        .ok_or(AppError::NotFound(Resource::Card))
}
