//! One booking for staff: everything about it, its full history (who, when, what, from
//! where), and the changes staff make on a caller's behalf: another time, a cancellation,
//! a note. Opening it is a view of personal records and goes into the operation log.

use crate::db::kinds::BookingStatus;
use crate::http::console::notice::Notice;
use crate::http::page::{PageRequest, Posted};

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

use crate::db::booking::{Booking, BookingEvent};
use crate::db::card::CardRecord;
use crate::domain::booking::{cancel, set_note, BookingDetails, NOTE_MAX_CHARS};
use crate::domain::calendar::visit_label;
use crate::domain::input::BookingCode;
use crate::domain::staff::{Permission, Role};
use crate::domain::Clock;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::page::Outcome;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/bookings/{code}", web::get().to(show));
    cfg.route(
        "/{tenant}/staff/bookings/{code}/cancel",
        web::post().to(cancel_submit),
    );
    cfg.route(
        "/{tenant}/staff/bookings/{code}/note",
        web::post().to(note_submit),
    );
}

type CodePath = web::Path<(String, String)>;

/// The booking, if this account works at its location.
pub(super) fn find(conn: &mut PgConnection, cx: &StaffCx, code: &str) -> Result<Booking, AppError> {
    let code = BookingCode::parse(code).ok_or(AppError::NotFound(Resource::Booking))?;
    let booking = Booking::by_code(conn, cx.tenant.id, code.as_str())?
        .ok_or(AppError::NotFound(Resource::Booking))?;
    let slot = crate::db::slot::Slot::find(conn, cx.tenant.id, booking.slot_id)?
        .ok_or(AppError::NotFound(Resource::Slot))?;
    if !cx.works_at(slot.location_id) {
        return Err(AppError::Forbidden);
    }
    Ok(booking)
}

fn local(clock: &Clock, at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&clock.tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// What an event changed, in words.
fn event_detail(cx: &StaffCx, event: &BookingEvent) -> String {
    let text = |key: &str| {
        event
            .details
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    let instant = |key: &str| {
        text(key)
            .parse::<chrono::DateTime<chrono::Utc>>()
            .map(|at| {
                at.with_timezone(&cx.clock.tz)
                    .format("%m/%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    };
    match event.kind.as_str() {
        "moved" => format!("{} → {}", instant("from"), instant("to")),
        "reverted" => text("reason").to_string(),
        "noted" => text("note").to_string(),
        _ => String::new(),
    }
}

/// The channel a staff change comes through: operators work the phone, the rest the counter.
pub fn desk_channel(cx: &StaffCx) -> crate::domain::Channel {
    match Role::parse(&cx.account.role) {
        Some(Role::Operator) => crate::domain::Channel::Phone,
        _ => crate::domain::Channel::Counter,
    }
}

fn detail_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    booking: Booking,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Outcome, AppError> {
    let lang = cx.lang;
    let events = booking.events(conn)?;
    let cards = CardRecord::of_booking(conn, cx.tenant.id, booking.id)?;
    let details = BookingDetails::load(conn, &cx.tenant, booking)?;
    let booking = &details.booking;
    let slot = &details.slot;
    let mut facts = vec![
        (
            cx.text("manage_code"),
            BookingCode::parse(&booking.code)
                .map(|c| c.display())
                .unwrap_or_default(),
        ),
        (
            cx.text("staff_status"),
            cx.text(&format!("staff_status_{}", booking.status)),
        ),
        (
            cx.text("check_procedure"),
            cx.pick(&details.procedure.name_ja, &details.procedure.name_en),
        ),
        (
            cx.text("check_location"),
            cx.pick(&details.location.name, &details.location.name_en),
        ),
        (
            cx.text("check_when"),
            visit_label(lang, &cx.clock, slot.starts_at, slot.ends_at),
        ),
        (cx.text("staff_people"), booking.party_size.to_string()),
        (
            cx.text("staff_channel"),
            cx.text(&format!("channel_{}", booking.channel)),
        ),
        (
            cx.text("contact_name"),
            booking.contact_name.clone().unwrap_or_default(),
        ),
        (
            cx.text("contact_phone"),
            booking.contact_phone.clone().unwrap_or_default(),
        ),
        (
            cx.text("contact_email"),
            booking.contact_email.clone().unwrap_or_default(),
        ),
        (cx.text("phone_note"), booking.note.clone()),
        (
            cx.text("staff_booked_at"),
            local(&cx.clock, booking.created_at),
        ),
    ];
    for card in &cards {
        facts.push((
            cx.text("phone_card_holder"),
            format!(
                "{}（{}）{} — {}",
                card.name,
                card.name_kana,
                card.birth_date,
                cx.text(&format!("card_status_{}", card.status))
            ),
        ));
    }
    let history = Table {
        caption: cx.text("staff_history"),
        headers: [
            "staff_when",
            "staff_event",
            "staff_actor",
            "staff_channel",
            "staff_client_addr",
            "staff_event_detail",
        ]
        .iter()
        .map(|key| Header::plain(cx.text(key)))
        .collect(),
        rows: events
            .iter()
            .map(|event| {
                vec![
                    Cell::Text(local(&cx.clock, event.created_at)),
                    Cell::Text(cx.text(&format!("event_{}", event.kind))),
                    Cell::Text(event.actor.clone()),
                    Cell::Text(cx.text(&format!("channel_{}", event.channel))),
                    Cell::Code(event.client_addr.clone().unwrap_or_default()),
                    Cell::Text(event_detail(cx, event)),
                ]
            })
            .collect(),
        empty_text: String::new(),
    };
    let mut blocks = vec![Block::Facts(facts)];
    let role = Role::parse(&cx.account.role);
    if role.is_some_and(|r| r.may(Permission::ProxyBooking)) {
        blocks.extend(change_blocks(cx, booking));
    }
    blocks.push(Block::Heading(cx.text("staff_history")));
    blocks.push(Block::Table(history));
    cx.page(status, "staff_booking_title", notice, blocks)
}

fn change_blocks(cx: &StaffCx, booking: &Booking) -> Vec<Block> {
    let base = format!("bookings/{}", booking.code);
    let post = |page: &str, inputs: Vec<Input>, submit: &str| {
        Block::Form(Form {
            action: cx.console_url(&format!("{base}/{page}")),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs,
            submit: cx.text(submit),
            inline: false,
        })
    };
    let mut blocks = vec![Block::Heading(cx.text("staff_changes"))];
    if booking.status == BookingStatus::Booked {
        blocks.push(Block::Links(vec![(
            cx.console_url(&format!("phone/slots?move={}", booking.code)),
            cx.text("staff_move"),
        )]));
        blocks.push(post(
            "cancel",
            vec![Input::Check {
                id: "confirm".into(),
                label: cx.text("staff_cancel_confirm"),
                checked: false,
            }],
            "staff_cancel",
        ));
    }
    blocks.push(post(
        "note",
        vec![Input::area(
            "note",
            cx.text("phone_note"),
            booking.note.clone(),
        )],
        "staff_save_note",
    ));
    blocks
}

pub async fn show(request: PageRequest, path: CodePath) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .staff_step(Permission::ViewBookings, move |conn, cx| {
            let booking = find(conn, cx, &code)?;
            cx.audit(conn, "booking.view", &booking.code, json!({}))?;
            let notice = Notice::read(&cx.query)
                .filter(|n| {
                    [
                        Notice::BookingMade,
                        Notice::BookingMoved,
                        Notice::BookingCancelled,
                        Notice::BookingNoted,
                    ]
                    .contains(n)
                })
                .map(|n| {
                    let code = BookingCode::parse(&booking.code)
                        .map(|c| c.display())
                        .unwrap_or_default();
                    (
                        true,
                        madoguchi_frontend::i18n::tf(cx.lang, n.message_key(), &[("code", &code)]),
                    )
                });
            detail_page(conn, cx, booking, notice, StatusCode::OK)
        })
        .await
}

/// A cancellation by staff: the box that confirms it (`confirm=1`).
#[derive(serde::Deserialize, Default, Clone)]
pub struct CancelForm {
    #[serde(default)]
    confirm: String,
}

/// The booking's page again, saying why a form about it was refused.
fn refused(
    conn: &mut PgConnection,
    cx: &StaffCx,
    booking: Booking,
    text: String,
    status: StatusCode,
) -> Result<Outcome, AppError> {
    detail_page(conn, cx, booking, Some((false, text)), status)
}

/// A form about the booking in the path (`{code}`), by staff who book for callers.
async fn on_booking<F: Clone + Send + 'static>(
    request: Posted<F>,
    work: impl Fn(&mut PgConnection, &mut StaffCx, F, Booking) -> Result<Outcome, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    let code = request.path_part("code");
    request
        .staff_step(Permission::ProxyBooking, move |conn, cx, form| {
            let booking = find(conn, cx, &code)?;
            work(conn, cx, form, booking)
        })
        .await
}

pub async fn cancel_submit(request: Posted<CancelForm>) -> HttpResponse {
    on_booking(request, |conn, cx, form, booking| {
        if form.confirm != "1" {
            let text = cx.text("staff_cancel_unconfirmed");
            return refused(conn, cx, booking, text, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let actor = cx.actor_via(desk_channel(cx));
        match cancel(conn, &cx.clock, &cx.tenant, booking.id, &actor) {
            Ok(_) => Ok(Outcome::Redirect(cx.console_url(&format!(
                "bookings/{}?{}",
                booking.code,
                Notice::BookingCancelled.query()
            )))),
            Err(refused @ AppError::Invalid { .. }) => {
                let text = refused.message_in(cx.lang);
                self::refused(conn, cx, booking, text, StatusCode::CONFLICT)
            }
            Err(other) => Err(other),
        }
    })
    .await
}

/// The note staff keep on a booking.
#[derive(serde::Deserialize, Default, Clone)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn note_submit(request: Posted<NoteForm>) -> HttpResponse {
    on_booking(request, |conn, cx, form, booking| {
        let note = form.note.trim().to_string();
        if note.chars().count() > NOTE_MAX_CHARS {
            let text = madoguchi_frontend::i18n::tf(
                cx.lang,
                "phone_note_too_long",
                &[("n", &NOTE_MAX_CHARS.to_string())],
            );
            return refused(conn, cx, booking, text, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let actor = cx.actor_via(desk_channel(cx));
        set_note(conn, &cx.clock, &cx.tenant, booking.id, &note, &actor)?;
        Ok(Outcome::Redirect(cx.console_url(&format!(
            "bookings/{}?{}",
            booking.code,
            Notice::BookingNoted.query()
        ))))
    })
    .await
}
