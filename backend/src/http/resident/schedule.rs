//! Choosing the day (a month calendar) and the time (which holds the place).

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, Duration, NaiveDate};
use diesel::PgConnection;
use madoguchi_frontend::i18n::{tf, Lang};
use madoguchi_frontend::pages::booking::{calendar, times};
use madoguchi_frontend::view_models::{CalendarVm, DayVm, TimeVm, TimesVm};

use super::{field_error, page, redirect, run_flow_step, Cx, Outcome, Reached};
use crate::db::location::Location;
use crate::domain::availability::{self, SlotAvailability};
use crate::domain::booking::{place_hold, HoldRequest};
use crate::domain::{Actor, Channel};
use crate::error::{AppError, Resource};
use crate::http::AppState;

type StepPath = web::Path<(String, String)>;

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
    match lang {
        Lang::Ja => format!("{}年{}月", first.year(), first.month()),
        Lang::En => first.format("%B %Y").to_string(),
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first_of_month(first + Duration::days(32))
}

pub async fn calendar(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: StepPath,
) -> HttpResponse {
    run_flow_step(
        &state,
        &req,
        path.into_inner(),
        None,
        Reached::Procedure,
        move |conn, cx, procedure, _| {
            let location = match flow_location(conn, cx, procedure)? {
                Ok(location) => location,
                Err(outcome) => return Ok(outcome),
            };
            let procedure_row = cx.procedure(conn, procedure)?;
            let today = cx.clock.today();
            let last_day = today + Duration::days(cx.tenant.booking_opens_days.into());
            let requested = cx
                .query
                .get("month")
                .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok());
            let first = requested
                .filter(|m| *m >= first_of_month(today) && *m <= last_day)
                .unwrap_or_else(|| first_of_month(cx.session.state.flow.date.unwrap_or(today)));
            let last = next_month(first) - Duration::days(1);
            let slots = availability::for_days(
                conn,
                &cx.clock,
                &cx.tenant,
                &location,
                &procedure_row,
                first..=last,
                Channel::Web,
            )?;
            let mut per_day: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
            for SlotAvailability {
                slot,
                remaining,
                bookable,
            } in &slots
            {
                if *bookable {
                    let entry = per_day
                        .entry(cx.clock.local_date(slot.starts_at))
                        .or_default();
                    entry.0 += i64::from(*remaining);
                    entry.1 += i64::from(slot.web_capacity);
                }
            }
            let month_param =
                |m: NaiveDate| cx.book_url(procedure, &format!("date?month={}", m.format("%Y-%m")));
            let mut weeks = Vec::new();
            let mut week: Vec<Option<DayVm>> =
                vec![None; first.weekday().num_days_from_monday() as usize];
            let mut day = first;
            while day <= last {
                let (remaining, capacity) = per_day.get(&day).copied().unwrap_or((0, 0));
                let (sign, key) = if capacity == 0 {
                    ("—", "date_closed")
                } else if remaining == 0 {
                    ("×", "date_full")
                } else if remaining * 10 <= capacity * 3 {
                    ("△", "date_few")
                } else {
                    ("◎", "date_many")
                };
                week.push(Some(DayVm {
                    day: day.day(),
                    sign,
                    sign_text: cx.text(key),
                    href: (remaining > 0)
                        .then(|| cx.book_url(procedure, &format!("time?date={day}"))),
                }));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
                day += Duration::days(1);
            }
            if !week.is_empty() {
                week.resize(7, None);
                weeks.push(week);
            }
            let first_step = if procedure_row.needs_card {
                "identify"
            } else {
                "location"
            };
            page(calendar::render(CalendarVm {
                frame: cx.frame(
                    cx.text("date_title"),
                    Some(cx.book_url(procedure, first_step)),
                    Vec::new(),
                ),
                location_text: tf(
                    cx.lang,
                    "date_location",
                    &[("location", &super::summary::location_label(cx, &location))],
                ),
                month_label: month_label(cx.lang, first),
                previous_href: (first > first_of_month(today))
                    .then(|| month_param(first_of_month(first - Duration::days(1)))),
                next_href: (next_month(first) <= last_day).then(|| month_param(next_month(first))),
                weeks,
            }))
        },
    )
    .await
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
    let times = slots
        .into_iter()
        .map(|a| {
            let available = a.bookable && a.remaining > 0;
            TimeVm {
                slot_id: a.slot.id,
                label: format!(
                    "{}〜{}",
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

pub async fn times_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: StepPath,
) -> HttpResponse {
    run_flow_step(
        &state,
        &req,
        path.into_inner(),
        None,
        Reached::Procedure,
        move |conn, cx, procedure, _| {
            let Some(date) = requested_date(cx) else {
                return redirect(cx.book_url(procedure, "date"));
            };
            match times_vm(conn, cx, procedure, date, None)? {
                Ok(vm) => page(times::render(vm)),
                Err(outcome) => Ok(outcome),
            }
        },
    )
    .await
}

pub async fn times_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: StepPath,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let actor = Actor::resident(crate::http::extract::client_addr(&req));
    run_flow_step(
        &state,
        &req,
        path.into_inner(),
        Some(form.into_inner()),
        Reached::Procedure,
        move |conn, cx, procedure, form| {
            let Some(date) = requested_date(cx) else {
                return redirect(cx.book_url(procedure, "date"));
            };
            let chosen = form
                .unwrap_or_default()
                .get("slot")
                .and_then(|s| s.parse::<i64>().ok());
            let procedure_id = cx.procedure(conn, procedure)?.id;
            let flow = &cx.session.state.flow;
            let places = (flow.card_ids.len() as i32).max(flow.party_size).max(1);
            let result = match chosen {
                None => Err(cx.text("time_title")),
                Some(slot_id) => {
                    let request = HoldRequest {
                        slot_id,
                        procedure_id,
                        places,
                        client_token: cx.session.token.clone(),
                    };
                    match place_hold(conn, &cx.clock, &cx.tenant, &request, &actor) {
                        Ok(_) => Ok(slot_id),
                        Err(AppError::SlotFull) => Err(cx.text("time_slot_taken")),
                        Err(e @ (AppError::SlotClosed | AppError::OutsideBookingWindow)) => {
                            Err(e.message_in(cx.lang))
                        }
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
        },
    )
    .await
}
