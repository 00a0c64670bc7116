//! Choosing the day (a month calendar) and the time (which holds the place).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Datelike, Duration, NaiveDate};
use diesel::PgConnection;
use madoguchi_frontend::i18n::{tf, Lang};
use madoguchi_frontend::pages::booking::{calendar, times};
use madoguchi_frontend::view_models::{CalendarVm, DayVm, TimeVm, TimesVm};

use super::step::Cx;
use super::step::Reached;
use crate::db::location::Location;
use crate::domain::availability::{self, DayState};
use crate::domain::booking::{ensure_address_share, place_hold, HoldRequest};
use crate::domain::calendar::{short_date_label, ClosedReason};
use crate::domain::{Actor, Channel};
use crate::error::{AppError, Resource};
use crate::http::page::field_error;
use crate::http::page::page;
use crate::http::page::redirect;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// The flow's location, or the step that asks for it.
fn flow_location(
    conn: &mut PgConnection,
    cx: &Cx,
    procedure: &str,
) -> Result<Result<Location, Outcome>, AppError> {
    let Some(code) = cx.session.state.flow.location.clone() else {
        return Ok(Err(Outcome::Redirect(cx.book_url(procedure, ""))));
    };
    Ok(Ok(Location::active_by_code(conn, cx.tenant.id, &code)?
        .ok_or(AppError::NotFound(Resource::Location))?))
}

pub use crate::domain::calendar::date_label;

fn month_label(lang: Lang, first: NaiveDate) -> String {
    crate::domain::calendar::date_in(lang, "month_title", first, &[])
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first_of_month(first + Duration::days(32))
}

pub async fn calendar(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Procedure, move |conn, cx, procedure| {
            let location = match flow_location(conn, cx, procedure)? {
                Ok(location) => location,
                Err(outcome) => return Ok(outcome),
            };
            let procedure_row = cx.procedure(conn, procedure)?;
            let current = match cx.session.state.flow.changing.clone() {
                Some(code) => match super::owned::changeable(conn, cx, &code)? {
                    Ok(booking) => Some(booking),
                    Err(refused) => return Ok(refused),
                },
                None => None,
            };
            let today = cx.clock.today();
            let last_day = today + Duration::days(cx.tenant.booking_opens_days.into());
            let places = cx.session.state.flow.places();
            let requested = cx
                .query
                .get("month")
                .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
                .filter(|m| *m >= first_of_month(today) && *m <= last_day);
            // The month asked for; else the one of the day already chosen; else the month
            // of the first free day, so that the page never opens on a month of closed days.
            // The month's times are read once and serve both the days and, when the month
            // holds today, the first free day (the page's usual case).
            let chosen = requested.or(cx.session.state.flow.date);
            let month_of = |day: NaiveDate| {
                let first = first_of_month(day);
                (first, next_month(first) - Duration::days(1))
            };
            let read_month = |conn: &mut diesel::PgConnection, (first, last)| {
                availability::for_days(
                    conn,
                    &cx.clock,
                    &cx.tenant,
                    &location,
                    &procedure_row,
                    first..=last,
                    Channel::Web,
                )
            };
            let (mut first, mut last) = month_of(chosen.unwrap_or(today));
            let mut slots = read_month(conn, (first, last))?;
            // A month that holds today answers up to its end; the search goes on after it.
            let month_holds_today = (first..=last).contains(&today);
            let earliest = match availability::first_free_in(&cx.clock, &slots, places) {
                Some(day) if month_holds_today => Some(day),
                found => {
                    let from = match found {
                        None if month_holds_today => last + Duration::days(1),
                        _ => today,
                    };
                    availability::first_free_day(
                        conn,
                        &cx.clock,
                        &cx.tenant,
                        &location,
                        &procedure_row,
                        places,
                        from,
                    )?
                }
            };
            if let (None, Some(day)) = (chosen, earliest) {
                if month_of(day).0 != first {
                    (first, last) = month_of(day);
                    slots = read_month(conn, (first, last))?;
                }
            }
            let states = availability::day_states(
                conn,
                &cx.clock,
                &cx.tenant,
                &location,
                &slots,
                first..=last,
            )?;
            let current_day = current
                .as_ref()
                .map(|b| cx.clock.local_date(b.slot.starts_at));
            let month_param =
                |m: NaiveDate| cx.book_url(procedure, &format!("date?month={}", m.format("%Y-%m")));
            let time_href = |day: NaiveDate| cx.book_url(procedure, &format!("time?date={day}"));
            let mut weeks = Vec::new();
            let mut week: Vec<Option<DayVm>> =
                vec![None; first.weekday().num_days_from_monday() as usize];
            for (day, state) in &states {
                let (sign, sign_text) = day_sign(cx, state);
                let bookable = matches!(state, DayState::Open { .. });
                week.push(Some(DayVm {
                    day: day.day(),
                    sign,
                    sign_text,
                    href: bookable.then(|| time_href(*day)),
                    today: *day == today,
                    current: Some(*day) == current_day,
                }));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
            }
            if !week.is_empty() {
                week.resize(7, None);
                weeks.push(week);
            }
            let first_step = if current.is_some() {
                None
            } else if procedure_row.needs_card {
                Some("identify")
            } else {
                Some("location")
            };
            let back = match (&current, first_step) {
                (Some(booking), _) => cx.url(&format!(
                    "/{}/booking/{}",
                    cx.tenant.code, booking.booking.code
                )),
                (None, step) => cx.book_url(procedure, step.unwrap_or_default()),
            };
            page(calendar::render(CalendarVm {
                frame: cx.frame(cx.text("date_title"), Some(back), Vec::new()),
                location_text: tf(
                    cx.lang,
                    "date_location",
                    &[("location", &super::summary::location_label(cx, &location))],
                ),
                current_booking: current.as_ref().map(|booking| {
                    tf(
                        cx.lang,
                        "date_current",
                        &[("when", &super::summary::when_label(cx, &booking.slot))],
                    )
                }),
                earliest: earliest.map(|day| {
                    let text = tf(
                        cx.lang,
                        "date_earliest",
                        &[("date", &short_date_label(cx.lang, day))],
                    );
                    (text, time_href(day))
                }),
                none_free: earliest.is_none().then(|| {
                    tf(
                        cx.lang,
                        "date_none_free",
                        &[("phone", &cx.tenant.inquiry_phone)],
                    )
                }),
                month_label: month_label(cx.lang, first),
                previous_href: (first > first_of_month(today))
                    .then(|| month_param(first_of_month(first - Duration::days(1)))),
                next_href: (next_month(first) <= last_day).then(|| month_param(next_month(first))),
                weeks,
                closed_days: closed_day_lines(cx, &states),
            }))
        })
        .await
}

/// The sign of a day and the same in words.
fn day_sign(cx: &Cx, state: &DayState) -> (&'static str, String) {
    match state {
        DayState::Open { remaining, places } if remaining * 10 <= places * 3 => {
            ("△", cx.text("date_few"))
        }
        DayState::Open { .. } => ("◎", cx.text("date_many")),
        DayState::Full => ("×", cx.text("date_full")),
        DayState::Closed(reason) => (
            "休",
            tf(
                cx.lang,
                "date_closed_because",
                &[("reason", &closed_reason_text(cx, reason))],
            ),
        ),
        DayState::NoHours => ("休", cx.text("date_no_hours")),
        DayState::NotYetOpen => ("—", cx.text("date_not_yet_open")),
        DayState::BookingEnded => ("—", cx.text("date_booking_ended")),
        DayState::Past => ("—", cx.text("date_past")),
    }
}

pub fn closed_reason_text(cx: &Cx, reason: &ClosedReason) -> String {
    match reason {
        ClosedReason::Holiday(name) => name.clone(),
        ClosedReason::NewYear => cx.text("date_new_year"),
        ClosedReason::Closure(text) if text.trim().is_empty() => cx.text("date_city_closure"),
        ClosedReason::Closure(text) => text.clone(),
    }
}

/// The month's closed days with their reasons, runs of days with one reason together:
/// 12月29日（火）〜12月31日（木）：年末年始.
fn closed_day_lines(cx: &Cx, states: &[(NaiveDate, DayState)]) -> Vec<String> {
    let mut runs: Vec<(NaiveDate, NaiveDate, &ClosedReason)> = Vec::new();
    for (day, state) in states {
        let DayState::Closed(reason) = state else {
            continue;
        };
        match runs.last_mut() {
            Some((_, last, run_reason))
                if *run_reason == reason && *last + Duration::days(1) == *day =>
            {
                *last = *day;
            }
            _ => runs.push((*day, *day, reason)),
        }
    }
    runs.into_iter()
        .map(|(from, to, reason)| {
            let days = if from == to {
                short_date_label(cx.lang, from)
            } else {
                format!(
                    "{}{}{}",
                    short_date_label(cx.lang, from),
                    cx.text("range_separator"),
                    short_date_label(cx.lang, to)
                )
            };
            tf(
                cx.lang,
                "date_closed_line",
                &[("days", &days), ("reason", &closed_reason_text(cx, reason))],
            )
        })
        .collect()
}

fn times_vm(
    conn: &mut PgConnection,
    cx: &mut Cx,
    procedure: &str,
    date: NaiveDate,
    error: Option<String>,
) -> Result<Result<TimesVm, Outcome>, AppError> {
    let location = match flow_location(conn, cx, procedure)? {
        Ok(location) => location,
        Err(outcome) => return Ok(Err(outcome)),
    };
    let procedure_row = cx.procedure(conn, procedure)?;
    let slots = availability::for_days(
        conn,
        &cx.clock,
        &cx.tenant,
        &location,
        &procedure_row,
        date..=date,
        Channel::Web,
    )?;
    let tz = cx.clock.tz;
    let to = cx.text("range_separator");
    let times = slots
        .into_iter()
        .map(|a| {
            let available = a.bookable && a.remaining > 0;
            TimeVm {
                slot_id: a.slot.id,
                label: format!(
                    "{}{to}{}",
                    a.slot.starts_at.with_timezone(&tz).format("%H:%M"),
                    a.slot.ends_at.with_timezone(&tz).format("%H:%M")
                ),
                places_text: if available {
                    tf(
                        cx.lang,
                        "time_places_left",
                        &[("n", &a.remaining.to_string())],
                    )
                } else {
                    cx.text("time_full")
                },
                available,
            }
        })
        .collect();
    // A message left by a later step (the time filled up, the hold expired) shows here once.
    let error = error.or_else(|| cx.session.state.flow.notice.take().map(|key| cx.text(&key)));
    let errors = error
        .iter()
        .map(|e| field_error("slot", e.clone()))
        .collect();
    let month = cx.book_url(procedure, &format!("date?month={}", date.format("%Y-%m")));
    Ok(Ok(TimesVm {
        frame: cx.frame(cx.text("time_title"), Some(month), errors),
        form: cx.form(cx.book_url(procedure, &format!("time?date={date}"))),
        date_label: date_label(cx.lang, date),
        times,
        error,
    }))
}

fn requested_date(cx: &Cx) -> Option<NaiveDate> {
    cx.query
        .get("date")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .or(cx.session.state.flow.date)
}

pub async fn times_form(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Procedure, move |conn, cx, procedure| {
            let Some(date) = requested_date(cx) else {
                return redirect(cx.book_url(procedure, "date"));
            };
            match times_vm(conn, cx, procedure, date, None)? {
                Ok(vm) => page(times::render(vm)),
                Err(outcome) => Ok(outcome),
            }
        })
        .await
}

/// The time chosen on the time step: a slot's id.
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct SlotForm {
    #[serde(default)]
    slot: String,
}

pub async fn times_submit(request: Posted<SlotForm>) -> HttpResponse {
    let actor = Actor::resident(crate::http::extract::client_addr(&request.req));
    // Counted once the form's token is checked: another site cannot spend a network's
    // budget through its visitors' browsers.
    let limits = request.state.clone();
    let cap = request.state.config.held_places_per_address;
    request
        .flow_step(Reached::Procedure, move |conn, cx, procedure, form| {
            let Some(date) = requested_date(cx) else {
                return redirect(cx.book_url(procedure, "date"));
            };
            let chosen = form.slot.parse::<i64>().ok();
            let procedure_id = cx.procedure(conn, procedure)?.id;
            if let Some(code) = cx.session.state.flow.changing.clone() {
                if let Err(refused) = super::owned::changeable(conn, cx, &code)? {
                    return Ok(refused);
                }
            }
            let places = cx.session.state.flow.places();
            let result = match chosen {
                None => Err(cx.text("time_title")),
                Some(slot_id) => {
                    let request = HoldRequest {
                        slot_id,
                        procedure_id,
                        places,
                        client_token: cx.session.token.clone(),
                    };
                    let rate =
                        limits.check_write_rate(cx.client_addr.as_deref(), Some(&cx.session.token));
                    let held = rate.and_then(|()| {
                        ensure_address_share(conn, &cx.clock, &cx.tenant, &actor, &request, cap)
                    });
                    match held
                        .and_then(|()| place_hold(conn, &cx.clock, &cx.tenant, &request, &actor))
                    {
                        Ok(_) => Ok(slot_id),
                        Err(AppError::SlotFull) => Err(cx.text("time_slot_taken")),
                        Err(
                            e @ (AppError::SlotClosed
                            | AppError::OutsideBookingWindow
                            | AppError::Throttled { .. }),
                        ) => Err(e.message_in(cx.lang)),
                        Err(other) => return Err(other),
                    }
                }
            };
            match result {
                Ok(slot_id) => {
                    cx.session.state.flow.slot_id = Some(slot_id);
                    cx.session.state.flow.date = Some(date);
                    if let Some(code) = cx.session.state.flow.changing.clone() {
                        return redirect(
                            cx.url(&format!("/{}/booking/{code}/move", cx.tenant.code)),
                        );
                    }
                    let next = if cx.session.state.flow.contact_given {
                        "check"
                    } else {
                        "contact"
                    };
                    redirect(cx.book_url(procedure, next))
                }
                Err(message) => match times_vm(conn, cx, procedure, date, Some(message))? {
                    Ok(vm) => Ok(Outcome::Page(StatusCode::CONFLICT, times::render(vm))),
                    Err(outcome) => Ok(outcome),
                },
            }
        })
        .await
}
