//! "Today" at a counter: the day's bookings by time, counts, and check-in by scanning or
//! typing the booking code. Terminals see each other's check-ins on the next load.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::i18n::{t, tf};
use madoguchi_frontend::pages::console::today;
use madoguchi_frontend::view_models::{TodayRow, TodayVm};

use crate::db::booking::Booking;
use crate::db::card::CardRecord;
use crate::db::kinds::BookingStatus;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::domain::calendar::visit_label;
use crate::domain::counter::{self, CounterAction};
use crate::domain::input::BookingCode;
use crate::domain::staff::Permission;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/today", web::get().to(show));
    cfg.route("/{tenant}/staff/today/check-in", web::post().to(check_in));
    cfg.route("/{tenant}/staff/today/action", web::post().to(act));
}

/// The locations this account works at, in code order.
fn my_locations(conn: &mut PgConnection, cx: &StaffCx) -> Result<Vec<Location>, AppError> {
    Ok(Location::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .filter(|l| {
            l.active
                && (cx.account.location_ids.is_empty() || cx.account.location_ids.contains(&l.id))
        })
        .collect())
}

fn chosen_location(
    conn: &mut PgConnection,
    cx: &StaffCx,
    code: Option<&String>,
) -> Result<(Location, Vec<Location>), AppError> {
    let mine = my_locations(conn, cx)?;
    let chosen = match code {
        Some(code) => mine
            .iter()
            .find(|l| &l.code == code)
            .cloned()
            .ok_or(AppError::Forbidden)?,
        None => mine.first().cloned().ok_or(AppError::Forbidden)?,
    };
    Ok((chosen, mine))
}

fn status_text(cx: &StaffCx, status: &BookingStatus) -> String {
    t(cx.lang, &format!("staff_status_{status}"))
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::CounterDesk, |conn, cx| {
            let (location, mine) = chosen_location(conn, cx, cx.query.get("location"))?;
            let start = cx.clock.start_of(cx.clock.today());
            let end = start + chrono::Duration::days(1);
            let rows = Booking::at_location_between(conn, cx.tenant.id, location.id, (start, end))?;
            let count = |statuses: &[BookingStatus]| {
                rows.iter()
                    .filter(|(b, _, _)| statuses.contains(&b.status))
                    .map(|(b, _, _)| i64::from(b.party_size))
                    .sum::<i64>()
            };
            let counts = vec![
                (
                    t(cx.lang, "staff_count_booked"),
                    count(&BookingStatus::HOLDING_PLACES),
                ),
                (
                    t(cx.lang, "staff_count_arrived"),
                    count(&[BookingStatus::CheckedIn, BookingStatus::Completed]),
                ),
                (
                    t(cx.lang, "staff_count_issued"),
                    count(&[BookingStatus::Completed]),
                ),
                (
                    t(cx.lang, "staff_count_to_come"),
                    count(&[BookingStatus::Booked]),
                ),
            ];
            let ids: Vec<i64> = rows.iter().map(|(b, _, _)| b.id).collect();
            let names = holder_names(conn, cx, &ids, &rows)?;
            let scan_result = match cx.query.get("result") {
                Some(result) => Some(scan_message(conn, cx, result, &rows, &names)?),
                None => None,
            };
            let tz = cx.clock.tz;
            let html = today::render(TodayVm {
                frame: cx.frame(format!(
                    "{}（{}）",
                    t(cx.lang, "staff_today_title"),
                    location.name
                )),
                scan: cx
                    .form(cx.console_url(&format!("today/check-in?location={}", location.code))),
                act: cx.form(cx.console_url(&format!("today/action?location={}", location.code))),
                locations: mine
                    .iter()
                    .map(|l| (l.code.clone(), l.name.clone(), l.id == location.id))
                    .collect(),
                location_action: format!("/{}/staff/today", cx.tenant.code),
                scan_result,
                counts,
                rows: rows
                    .iter()
                    .map(|(b, s, p)| TodayRow {
                        actions: CounterAction::next_for(b.status)
                            .map(|action| {
                                let label = match action {
                                    CounterAction::NoShow => "staff_no_show",
                                    CounterAction::HandOver => "staff_hand_over",
                                    CounterAction::Undo => "staff_undo",
                                };
                                (action.as_str(), t(cx.lang, label))
                            })
                            .into_iter()
                            .collect(),
                        can_undo: CounterAction::can_undo(b.status),
                        time: s.starts_at.with_timezone(&tz).format("%H:%M").to_string(),
                        code: BookingCode::parse(&b.code)
                            .map(|c| c.display())
                            .unwrap_or_else(|| b.code.clone()),
                        procedure: p.name_ja.clone(),
                        name: names.get(&b.id).cloned().unwrap_or_default(),
                        note: b.note.clone(),
                        party_size: b.party_size,
                        status: status_text(cx, &b.status),
                    })
                    .collect(),
            });
            Ok(Outcome::Page(StatusCode::OK, html))
        })
        .await
}

/// Who each booking is for: the names on its cards, else the name given as contact.
fn holder_names(
    conn: &mut PgConnection,
    cx: &StaffCx,
    ids: &[i64],
    rows: &[(Booking, Slot, Procedure)],
) -> Result<HashMap<i64, String>, AppError> {
    let mut names = CardRecord::names_by_booking(conn, cx.tenant.id, ids)?;
    for (booking, _, _) in rows {
        if let Some(name) = booking.contact_name.as_ref().filter(|n| !n.is_empty()) {
            names.entry(booking.id).or_insert_with(|| name.clone());
        }
    }
    Ok(names)
}

/// What the last scan or button did, in words: whose booking, and for a booking that is
/// not for this counter today, which counter and which day it is for.
fn scan_message(
    conn: &mut PgConnection,
    cx: &StaffCx,
    result: &str,
    rows: &[(Booking, Slot, Procedure)],
    names: &HashMap<i64, String>,
) -> Result<(bool, String), AppError> {
    let code = cx.query.get("scanned").cloned().unwrap_or_default();
    let parsed = BookingCode::parse(&code);
    let today_row = rows
        .iter()
        .find(|(b, _, _)| parsed.as_ref().is_some_and(|c| c.as_str() == b.code));
    let who = today_row
        .and_then(|(b, _, _)| names.get(&b.id))
        .map(|name| tf(cx.lang, "staff_holder", &[("name", name)]))
        .unwrap_or_default();
    if let Some(action) = result.strip_prefix("done_") {
        let text = tf(cx.lang, &format!("staff_done_{action}"), &[("code", &code)]);
        return Ok((true, format!("{text}{who}")));
    }
    if result == "ok" {
        let (time, procedure) = today_row
            .map(|(_, s, p)| {
                (
                    s.starts_at
                        .with_timezone(&cx.clock.tz)
                        .format("%H:%M")
                        .to_string(),
                    cx.pick(&p.name_ja, &p.name_en),
                )
            })
            .unwrap_or_default();
        let text = tf(
            cx.lang,
            "staff_checked_in",
            &[("code", &code), ("time", &time), ("procedure", &procedure)],
        );
        return Ok((true, format!("{text}{who}")));
    }
    let message = match (result, &parsed) {
        ("booking_not_found", _) | (_, None) => {
            AppError::NotFound(Resource::Booking).message_in(cx.lang)
        }
        ("booking_other_day" | "booking_other_location", Some(parsed)) => {
            match Booking::by_code(conn, cx.tenant.id, parsed.as_str())? {
                Some(booking) => {
                    let slot = Slot::find(conn, cx.tenant.id, booking.slot_id)?
                        .ok_or(AppError::NotFound(Resource::Slot))?;
                    let location = Location::by_id(conn, cx.tenant.id, slot.location_id)?;
                    tf(
                        cx.lang,
                        &format!("staff_refused_{result}"),
                        &[
                            (
                                "when",
                                &visit_label(cx.lang, &cx.clock, slot.starts_at, slot.ends_at),
                            ),
                            ("location", &cx.pick(&location.name, &location.name_en)),
                        ],
                    )
                }
                None => t(cx.lang, &format!("error_{result}")),
            }
        }
        _ => t(cx.lang, &format!("error_{result}")),
    };
    Ok((false, format!("{code}: {message}{who}")))
}

/// A booking code scanned or typed at the counter.
#[derive(serde::Deserialize, Default, Clone)]
pub struct CheckInForm {
    #[serde(default)]
    code: String,
}

pub async fn check_in(request: Posted<CheckInForm>) -> HttpResponse {
    request
        .staff_step(Permission::CounterDesk, |conn, cx, form| {
            let typed = form.code;
            let (location, _) = chosen_location(conn, cx, cx.query.get("location"))?;
            let result = match BookingCode::parse(&typed) {
                None => Err(AppError::NotFound(Resource::Booking)),
                Some(code) => {
                    counter::check_in(conn, &cx.clock, &cx.tenant, &code, location.id, &cx.actor())
                }
            };
            let outcome = match result {
                Ok(_) => "ok".to_string(),
                Err(error @ (AppError::NotFound(_) | AppError::CheckInRefused(_))) => {
                    error.code().to_string()
                }
                Err(other) => return Err(other),
            };
            let shown = BookingCode::parse(&typed)
                .map(|c| c.display())
                .unwrap_or(typed);
            Ok(Outcome::Redirect(cx.console_url(&format!(
                "today?location={}&scanned={}&result={outcome}",
                location.code,
                crate::http::extract::url_encode(&shown)
            ))))
        })
        .await
}

/// The buttons of a row: card handed over, did not come, undo (with a reason).
/// A row's button: the booking, the action and, to undo, the reason.
#[derive(serde::Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn act(request: Posted<ActionForm>) -> HttpResponse {
    request
        .staff_step(Permission::CounterDesk, |conn, cx, form| {
            let (location, _) = chosen_location(conn, cx, cx.query.get("location"))?;
            let typed = form.code.clone();
            let action = CounterAction::parse(&form.action)
                .ok_or_else(|| AppError::invalid("action", "invalid_action"))?;
            let code = BookingCode::parse(&typed).ok_or(AppError::NotFound(Resource::Booking))?;
            let outcome = match counter::act(
                conn,
                &cx.clock,
                &cx.tenant,
                &code,
                location.id,
                action,
                &form.reason,
                &cx.actor(),
            ) {
                Ok(_) => format!("done_{}", action.as_str()),
                Err(
                    error @ (AppError::NotFound(_)
                    | AppError::CheckInRefused(_)
                    | AppError::Invalid { .. }),
                ) => error.code().to_string(),
                Err(other) => return Err(other),
            };
            Ok(Outcome::Redirect(cx.console_url(&format!(
                "today?location={}&scanned={}&result={outcome}",
                location.code,
                crate::http::extract::url_encode(&code.display())
            ))))
        })
        .await
}
