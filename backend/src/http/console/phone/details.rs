//! The last step of a call: who to contact, a note for the counter, and the booking.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};

use super::schedule::{hold_token, plan_facts};
use super::start::CallPlan;
use crate::db::hold::Hold;
use crate::db::location::Location;
use crate::db::slot::Slot;
use crate::domain::booking::{book, BookingRequest, Contact, Party, Placement, NOTE_MAX_CHARS};
use crate::domain::calendar::visit_label;
use crate::domain::input::{Email, PhoneNumber};
use crate::domain::staff::Permission;
use crate::domain::Channel;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

#[derive(Default)]
struct Answers {
    name: String,
    phone: String,
    email: String,
    note: String,
}

#[derive(Default)]
struct Problems {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    note: Option<String>,
}

impl Problems {
    fn any(&self) -> bool {
        [&self.name, &self.phone, &self.email, &self.note]
            .iter()
            .any(|p| p.is_some())
    }
}

/// The live hold of this call, or where to send the operator when it ran out.
fn live_hold(
    conn: &mut PgConnection,
    cx: &StaffCx,
    plan: &CallPlan,
) -> Result<Result<Hold, Outcome>, AppError> {
    let hold = Hold::of_client(conn, cx.tenant.id, &hold_token(cx))?
        .filter(|h| h.expires_at > cx.clock.now && h.procedure_id == plan.procedure.id);
    Ok(hold.ok_or_else(|| {
        Outcome::Redirect(cx.console_url(&format!(
            "phone/slots?{}&{}",
            plan.query(),
            Notice::HoldExpired.query()
        )))
    }))
}

fn details_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    plan: &CallPlan,
    hold: &Hold,
    answers: Answers,
    problems: Problems,
    refusal: Option<String>,
) -> Result<Outcome, AppError> {
    let tz = cx.clock.tz;
    let slot = Slot::find(conn, cx.tenant.id, hold.slot_id)?
        .ok_or(AppError::NotFound(crate::error::Resource::Slot))?;
    let location = Location::by_id(conn, cx.tenant.id, slot.location_id)?;
    let mut facts = plan_facts(cx, plan);
    facts.extend([
        (
            cx.text("check_location"),
            cx.pick(&location.name, &location.name_en),
        ),
        (
            cx.text("check_when"),
            visit_label(cx.lang, &cx.clock, slot.starts_at, slot.ends_at),
        ),
        (cx.text("staff_people"), hold.places.to_string()),
    ]);
    let held = tf(
        cx.lang,
        "held_until",
        &[(
            "time",
            &hold
                .expires_at
                .with_timezone(&tz)
                .format("%H:%M")
                .to_string(),
        )],
    );
    let text = |id: &str, key: &str, value: String, kind, error: Option<String>| Input::Text {
        id: id.into(),
        label: cx.text(key),
        value,
        kind,
        required: false,
        hint: (id == "phone").then(|| cx.text("phone_reach_hint")),
        error,
        autocomplete: None,
    };
    let inputs = vec![
        text(
            "name",
            "contact_name",
            answers.name,
            "text",
            problems.name.clone(),
        ),
        text(
            "phone",
            "contact_phone",
            answers.phone,
            "tel",
            problems.phone.clone(),
        ),
        text(
            "email",
            "contact_email",
            answers.email,
            "email",
            problems.email.clone(),
        ),
        Input::area("note", cx.text("phone_note"), answers.note),
    ];
    let notice = refusal
        .or_else(|| problems.note.clone())
        .or_else(|| problems.any().then(|| cx.text("phone_fix_fields")))
        .map(|text| (false, text))
        .or(Some((true, held)));
    let status = if problems.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let blocks = vec![
        Block::Facts(facts),
        Block::Form(Form {
            action: cx.console_url(&format!("phone/details?{}", plan.query())),
            post: true,
            csrf: Some(cx.session.csrf_token.clone()),
            inputs,
            submit: cx.text("check_confirm"),
            inline: false,
        }),
    ];
    cx.page(status, "phone_details_title", notice, blocks)
}

pub async fn details_form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx| {
            let plan = CallPlan::read(conn, cx)?;
            let hold = match live_hold(conn, cx, &plan)? {
                Ok(hold) => hold,
                Err(back) => return Ok(back),
            };
            let answers = Answers {
                name: plan
                    .card
                    .as_ref()
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                ..Answers::default()
            };
            details_page(conn, cx, &plan, &hold, answers, Problems::default(), None)
        })
        .await
}

/// The caller's contact details and a note for the counter.
#[derive(serde::Deserialize, Default, Clone)]
pub struct DetailsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
}

pub async fn details_submit(request: Posted<DetailsForm>) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx, form| {
            let plan = CallPlan::read(conn, cx)?;
            let hold = match live_hold(conn, cx, &plan)? {
                Ok(hold) => hold,
                Err(back) => return Ok(back),
            };
            let answers = Answers {
                name: form.name.trim().to_string(),
                phone: form.phone.trim().to_string(),
                email: form.email.trim().to_string(),
                note: form.note.trim().to_string(),
            };
            let problems = check_answers(cx, &answers);
            if problems.any() {
                return details_page(conn, cx, &plan, &hold, answers, problems, None);
            }
            let request = BookingRequest {
                procedure_id: plan.procedure.id,
                placement: Placement::Hold {
                    client_token: hold_token(cx),
                },
                party: match &plan.card {
                    Some(card) => Party::IdentifiedCards(vec![card.id]),
                    None => Party::People(hold.places),
                },
                contact: Contact {
                    email: Email::parse(&answers.email),
                    phone: PhoneNumber::parse(&answers.phone),
                    name: (!answers.name.is_empty()).then(|| answers.name.clone()),
                },
                note: answers.note.clone(),
                // The caller spoke with the call center; the console's language is theirs.
                lang: cx.lang,
            };
            let actor = cx.actor_via(Channel::Phone);
            match book(conn, &cx.clock, &cx.tenant, &request, &actor) {
                Ok(details) => Ok(Outcome::Redirect(cx.console_url(&format!(
                    "bookings/{}?{}",
                    details.booking.code,
                    Notice::BookingMade.query()
                )))),
                Err(AppError::HoldExpired) => Ok(Outcome::Redirect(cx.console_url(&format!(
                    "phone/slots?{}&{}",
                    plan.query(),
                    Notice::HoldExpired.query()
                )))),
                Err(
                    refused @ (AppError::Invalid { .. }
                    | AppError::AlreadyBooked
                    | AppError::SlotFull
                    | AppError::WrongLocation),
                ) => {
                    let text = refused.message_in(cx.lang);
                    details_page(
                        conn,
                        cx,
                        &plan,
                        &hold,
                        answers,
                        Problems::default(),
                        Some(text),
                    )
                }
                Err(other) => Err(other),
            }
        })
        .await
}

/// A caller gives a phone number or an e-mail address (or both); the name and the note
/// are optional.
fn check_answers(cx: &StaffCx, answers: &Answers) -> Problems {
    let check = |value: &str, valid: bool, invalid: &str| {
        (!value.is_empty() && !valid).then(|| cx.text(invalid))
    };
    let mut problems = Problems {
        name: (answers.name.chars().count() > 100).then(|| cx.text("contact_name_missing")),
        phone: check(
            &answers.phone,
            PhoneNumber::parse(&answers.phone).is_some(),
            "contact_phone_invalid",
        ),
        email: check(
            &answers.email,
            Email::parse(&answers.email).is_some(),
            "contact_email_invalid",
        ),
        note: (answers.note.chars().count() > NOTE_MAX_CHARS).then(|| {
            tf(
                cx.lang,
                "phone_note_too_long",
                &[("n", &NOTE_MAX_CHARS.to_string())],
            )
        }),
    };
    if answers.phone.is_empty() && answers.email.is_empty() {
        problems.phone = Some(cx.text("phone_reach_missing"));
    }
    problems
}
