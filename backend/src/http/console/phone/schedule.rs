//! Availability for a caller: every counter of the tenant for a week on one screen, then
//! the times of one counter and day. Choosing a time holds it (or moves the booking).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Duration, NaiveDate};
use diesel::PgConnection;
use madoguchi_frontend::i18n::{tf, Lang};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};

use super::start::CallPlan;
use crate::db::location::Location;
use crate::db::slot::Slot;
use crate::domain::availability::{self, SlotAvailability};
use crate::domain::booking::{move_booking, place_hold, HoldRequest, Placement};
use crate::domain::calendar::date_label;
use crate::domain::staff::Permission;
use crate::domain::Channel;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

const DAYS_SHOWN: i64 = 7;

fn short_day(lang: Lang, day: NaiveDate) -> String {
    crate::domain::calendar::date_in(lang, "date_numeric", day, &[])
}

/// The slots of one counter between two days as the phone sees them; a counter that does
/// not offer the procedure simply has none.
fn phone_slots(
    conn: &mut PgConnection,
    cx: &StaffCx,
    plan: &CallPlan,
    location: &Location,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SlotAvailability>, AppError> {
    match availability::for_days(
        conn,
        &cx.clock,
        &cx.tenant,
        location,
        &plan.procedure,
        from..=to,
        Channel::Phone,
    ) {
        Err(AppError::ProcedureNotOffered) => Ok(Vec::new()),
        other => other,
    }
}

/// A week of every counter: places left per day, each day linking to its times.
pub async fn slots(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx| {
            let plan = CallPlan::read(conn, cx)?;
            let today = cx.clock.today();
            let first = cx
                .param("week")
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .filter(|d| *d >= today)
                .unwrap_or(today);
            let last = first + Duration::days(DAYS_SHOWN - 1);
            let days: Vec<NaiveDate> = (0..DAYS_SHOWN).map(|i| first + Duration::days(i)).collect();
            let carry = plan.query();
            let mut rows = Vec::new();
            for location in plan.locations(conn, cx)? {
                // day → (times still ahead, places left in them); a day whose times have
                // all passed is over, not full.
                let mut per_day: HashMap<NaiveDate, (usize, i64)> = HashMap::new();
                for a in phone_slots(conn, cx, &plan, &location, first, last)? {
                    let entry = per_day
                        .entry(cx.clock.local_date(a.slot.starts_at))
                        .or_default();
                    if a.bookable {
                        entry.0 += 1;
                        entry.1 += i64::from(a.remaining);
                    }
                }
                let mut row = vec![Cell::Text(cx.pick(&location.name, &location.name_en))];
                for day in &days {
                    row.push(match per_day.get(day) {
                        None => Cell::Text(cx.text("date_closed")),
                        Some((0, _)) => Cell::Text(cx.text("date_booking_ended")),
                        Some((_, 0)) => Cell::Text(cx.text("date_full")),
                        Some((_, left)) => Cell::Link(
                            cx.console_url(&format!(
                                "phone/times?{carry}&location={}&date={day}",
                                location.code
                            )),
                            tf(cx.lang, "time_places_left", &[("n", &left.to_string())]),
                        ),
                    });
                }
                rows.push(row);
            }
            let mut headers = vec![Header::plain(cx.text("staff_location"))];
            headers.extend(days.iter().map(|d| Header::plain(short_day(cx.lang, *d))));
            let week_link = |day: NaiveDate, key: &str| {
                (
                    cx.console_url(&format!("phone/slots?{carry}&week={day}")),
                    cx.text(key),
                )
            };
            let mut links = Vec::new();
            if first > today {
                links.push(week_link(
                    (first - Duration::days(DAYS_SHOWN)).max(today),
                    "phone_previous_week",
                ));
            }
            links.push(week_link(
                first + Duration::days(DAYS_SHOWN),
                "phone_next_week",
            ));
            let notice = cx.notice_among(&[Notice::HoldExpired]);
            let blocks = vec![
                Block::Facts(plan_facts(cx, &plan)),
                Block::Table(Table {
                    caption: cx.text("phone_week_title"),
                    headers,
                    rows,
                    empty_text: cx.text("phone_no_locations"),
                }),
                Block::Links(links),
            ];
            cx.page(StatusCode::OK, "phone_week_title", notice, blocks)
        })
        .await
}

/// Who and what the call is for, shown above each step.
pub(super) fn plan_facts(cx: &StaffCx, plan: &CallPlan) -> Vec<(String, String)> {
    let mut facts = vec![(
        cx.text("check_procedure"),
        cx.pick(&plan.procedure.name_ja, &plan.procedure.name_en),
    )];
    if let Some(card) = &plan.card {
        facts.push((
            cx.text("phone_card_holder"),
            format!("{}（{}）{}", card.name, card.name_kana, card.birth_date),
        ));
    }
    if let Some(booking) = &plan.moving {
        facts.push((
            cx.text("phone_moving"),
            crate::domain::input::BookingCode::parse(&booking.code)
                .map(|c| c.display())
                .unwrap_or_else(|| booking.code.clone()),
        ));
    }
    facts
}

struct TimesRequest {
    location: Location,
    date: NaiveDate,
}

fn times_request(conn: &mut PgConnection, cx: &StaffCx) -> Result<TimesRequest, AppError> {
    let code = cx.param("location").unwrap_or_default();
    let location = Location::active_by_code(conn, cx.tenant.id, &code)?
        .ok_or(AppError::NotFound(Resource::Location))?;
    // An account limited to some counters books only there.
    if !cx.works_at(location.id) {
        return Err(AppError::Forbidden);
    }
    let date = cx
        .param("date")
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .ok_or(AppError::NotFound(Resource::Slot))?;
    Ok(TimesRequest { location, date })
}

fn times_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    plan: &CallPlan,
    request: &TimesRequest,
    error: Option<String>,
    status: StatusCode,
) -> Result<Outcome, AppError> {
    let tz = cx.clock.tz;
    let people: i32 = cx.param("people").and_then(|p| p.parse().ok()).unwrap_or(1);
    let needed = plan.fixed_party().unwrap_or(people);
    let options = phone_slots(
        conn,
        cx,
        plan,
        &request.location,
        request.date,
        request.date,
    )?
    .into_iter()
    .map(|a| {
        let open = a.bookable && a.remaining >= needed;
        let label = format!(
            "{}〜{} {}",
            a.slot.starts_at.with_timezone(&tz).format("%H:%M"),
            a.slot.ends_at.with_timezone(&tz).format("%H:%M"),
            if !a.bookable {
                cx.text("time_past")
            } else if a.remaining > 0 {
                tf(
                    cx.lang,
                    "time_places_left",
                    &[("n", &a.remaining.to_string())],
                )
            } else {
                cx.text("time_full")
            }
        );
        (a.slot.id.to_string(), label, open)
    })
    .collect();
    let mut inputs = vec![Input::Radios {
        name: "slot".into(),
        legend: cx.text("time_title"),
        options,
        chosen: cx.param("slot").unwrap_or_default(),
        error: error.clone(),
    }];
    if plan.fixed_party().is_none() {
        inputs.push(Input::Select {
            id: "people".into(),
            label: cx.text("staff_people"),
            options: (1..=cx.tenant.max_party_size)
                .map(|n| (n.to_string(), n.to_string()))
                .collect(),
            chosen: people.to_string(),
        });
    }
    let action = cx.console_url(&format!(
        "phone/times?{}&location={}&date={}",
        plan.query(),
        request.location.code,
        request.date
    ));
    let mut facts = plan_facts(cx, plan);
    facts.push((
        cx.text("check_location"),
        cx.pick(&request.location.name, &request.location.name_en),
    ));
    facts.push((cx.text("phone_day"), date_label(cx.lang, request.date)));
    let submit = if plan.moving.is_some() {
        "phone_move_here"
    } else {
        "phone_hold"
    };
    let blocks = vec![
        Block::Facts(facts),
        Block::Form(Form {
            action,
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs,
            submit: cx.text(submit),
            inline: false,
        }),
        Block::Links(vec![(
            cx.console_url(&format!(
                "phone/slots?{}&week={}",
                plan.query(),
                request.date
            )),
            cx.text("phone_other_days"),
        )]),
    ];
    cx.page(status, "time_title", error.map(|e| (false, e)), blocks)
}

pub async fn times_form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx| {
            let plan = CallPlan::read(conn, cx)?;
            let request = times_request(conn, cx)?;
            times_page(conn, cx, &plan, &request, None, StatusCode::OK)
        })
        .await
}

/// The hold of an operator's call; one per console session, like a resident's.
pub(super) fn hold_token(cx: &StaffCx) -> String {
    format!("phone:{}", cx.session.token)
}

/// The time a caller chose, and for how many people.
#[derive(serde::Deserialize, Default, Clone)]
pub struct TimesForm {
    #[serde(default)]
    slot: String,
    /// How many people come, when the form asks.
    people: Option<String>,
}

pub async fn times_submit(request: Posted<TimesForm>) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx, form| {
            let plan = CallPlan::read(conn, cx)?;
            let request = times_request(conn, cx)?;
            if let Some(people) = &form.people {
                cx.query.insert("people".into(), people.clone());
            }
            let Some(slot_id) = form.slot.parse::<i64>().ok() else {
                let error = cx.text("phone_choose_time");
                return times_page(
                    conn,
                    cx,
                    &plan,
                    &request,
                    Some(error),
                    StatusCode::UNPROCESSABLE_ENTITY,
                );
            };
            // The time must be one of the page's counter, whatever id the form carries.
            let slot = Slot::find(conn, cx.tenant.id, slot_id)?
                .ok_or(AppError::NotFound(Resource::Slot))?;
            if slot.location_id != request.location.id || !cx.works_at(slot.location_id) {
                return Err(AppError::Forbidden);
            }
            let actor = cx.actor_via(Channel::Phone);
            let result = match &plan.moving {
                Some(booking) => move_booking(
                    conn,
                    &cx.clock,
                    &cx.tenant,
                    booking.id,
                    &Placement::Slot { slot_id },
                    &actor,
                )
                .map(|_| {
                    cx.console_url(&format!(
                        "bookings/{}?{}",
                        booking.code,
                        Notice::BookingMoved.query()
                    ))
                }),
                None => {
                    let places = plan.fixed_party().unwrap_or_else(|| {
                        cx.param("people").and_then(|p| p.parse().ok()).unwrap_or(1)
                    });
                    let hold = HoldRequest {
                        slot_id,
                        procedure_id: plan.procedure.id,
                        places,
                        client_token: hold_token(cx),
                    };
                    place_hold(conn, &cx.clock, &cx.tenant, &hold, &actor)
                        .map(|_| cx.console_url(&format!("phone/details?{}", plan.query())))
                }
            };
            match result {
                Ok(next) => Ok(Outcome::Redirect(next)),
                Err(
                    refused @ (AppError::SlotFull
                    | AppError::SlotClosed
                    | AppError::Invalid { .. }
                    | AppError::PartyTooLarge { .. }
                    | AppError::WrongLocation),
                ) => {
                    let error = refused.message_in(cx.lang);
                    times_page(conn, cx, &plan, &request, Some(error), StatusCode::CONFLICT)
                }
                Err(other) => Err(other),
            }
        })
        .await
}
