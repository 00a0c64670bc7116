//! The last steps: contact details, checking the answers, booking, and the confirmation.

use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::booking::{check, contact, done};
use madoguchi_frontend::view_models::{CheckVm, ContactVm, DoneVm, FieldVm, SummaryRow};

use super::session::Flow;
use super::step::Cx;
use super::step::Reached;
use super::summary::{booking_summary, contact_label, held_until, location_label, when_label};
use crate::db::booking::{Booking, Holder};
use crate::db::kinds::ContactRule;
use crate::db::location::Location;
use crate::db::slot::Slot;
use crate::domain::booking::{self, BookingDetails, BookingRequest, Contact, Party, Placement};
use crate::domain::calendar::deadline_label;
use crate::domain::input::{BookingCode, Email, PhoneNumber};
use crate::domain::Actor;
use crate::error::{AppError, Resource};
use crate::http::extract::NoFields;
use crate::http::page::field_error;
use crate::http::page::invalid_page;
use crate::http::page::page;
use crate::http::page::redirect;
use crate::http::page::{PageRequest, Posted};

struct ContactAnswers {
    email: FieldVm,
    phone: FieldVm,
    name: FieldVm,
}

fn contact_answers(cx: &Cx, flow: &Flow) -> ContactAnswers {
    let field = |mode: &ContactRule, value: &str| FieldVm {
        mode: mode.as_str().to_string(),
        value: value.to_string(),
        error: None,
    };
    ContactAnswers {
        email: field(&cx.tenant.contact_email, &flow.email),
        phone: field(&cx.tenant.contact_phone, &flow.phone),
        name: field(&cx.tenant.contact_name, &flow.name),
    }
}

fn contact_vm(
    conn: &mut PgConnection,
    cx: &Cx,
    procedure: &str,
    answers: ContactAnswers,
) -> Result<ContactVm, AppError> {
    let errors = [
        ("email", &answers.email),
        ("phone", &answers.phone),
        ("name", &answers.name),
    ]
    .into_iter()
    .filter_map(|(id, f)| f.error.clone().map(|e| field_error(id, e)))
    .collect();
    let date = cx.session.state.flow.times_step();
    Ok(ContactVm {
        frame: cx.frame(
            cx.text("contact_title"),
            Some(cx.book_url(procedure, &date)),
            errors,
        ),
        form: cx.form(cx.book_url(procedure, "contact")),
        held_until: held_until(conn, cx)?,
        email: answers.email,
        phone: answers.phone,
        name: answers.name,
    })
}

pub async fn contact_form(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Time, move |conn, cx, procedure| {
            let answers = contact_answers(cx, &cx.session.state.flow);
            page(contact::render(contact_vm(conn, cx, procedure, answers)?))
        })
        .await
}

/// The contact step's form.
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct ContactForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    name: String,
}

pub async fn contact_submit(request: Posted<ContactForm>) -> HttpResponse {
    request
        .flow_step(Reached::Time, move |conn, cx, procedure, form| {
            let mut flow = cx.session.state.flow.clone();
            flow.email = form.email.trim().to_string();
            flow.phone = form.phone.trim().to_string();
            flow.name = form.name.trim().to_string();
            let mut answers = contact_answers(cx, &flow);
            check_field(
                cx,
                &mut answers.email,
                |v| Email::parse(v).is_some(),
                "contact_email_missing",
                "contact_email_invalid",
            );
            check_field(
                cx,
                &mut answers.phone,
                |v| PhoneNumber::parse(v).is_some(),
                "contact_phone_missing",
                "contact_phone_invalid",
            );
            check_field(
                cx,
                &mut answers.name,
                |v| v.chars().count() <= 100 && !v.chars().any(char::is_control),
                "contact_name_missing",
                "contact_name_invalid",
            );
            if [&answers.email, &answers.phone, &answers.name]
                .iter()
                .any(|f| f.error.is_some())
            {
                return invalid_page(contact::render(contact_vm(conn, cx, procedure, answers)?));
            }
            // One booking per person and procedure: said here, where the contact that
            // identifies the person is first known, not after the last step.
            let procedure_row = cx.procedure(conn, procedure)?;
            if !procedure_row.needs_card {
                let contact = Contact {
                    email: Email::parse(&flow.email),
                    phone: PhoneNumber::parse(&flow.phone),
                    name: None,
                };
                if let Some(key) = contact.person_key() {
                    let person = Holder::Person {
                        procedure_id: procedure_row.id,
                        person_key: &key,
                    };
                    if Booking::active_for(conn, cx.tenant.id, person)?.is_some() {
                        return super::step::already_booked_page(conn, cx, None);
                    }
                }
            }
            flow.contact_given = true;
            // The hold ran out while the resident typed: back to that day's times.
            if held_until(conn, cx)?.is_none() {
                flow.notice = Some("hold_expired".into());
                flow.slot_id = None;
                let date = flow.times_step();
                cx.session.state.flow = flow;
                return redirect(cx.book_url(procedure, &date));
            }
            cx.session.state.flow = flow;
            if let Some(to_code) = super::address_code::after_contact(conn, cx, procedure)? {
                return Ok(to_code);
            }
            redirect(cx.book_url(procedure, "check"))
        })
        .await
}

fn check_field(
    cx: &Cx,
    field: &mut FieldVm,
    valid: impl Fn(&str) -> bool,
    missing: &str,
    invalid: &str,
) {
    if field.mode == "off" {
        field.value.clear();
    } else if field.value.is_empty() {
        if field.mode == "required" {
            field.error = Some(cx.text(missing));
        }
    } else if !valid(&field.value) {
        field.error = Some(cx.text(invalid));
    }
}

pub async fn check_form(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Time, move |conn, cx, procedure| {
            if !cx.session.state.flow.contact_given {
                return redirect(cx.book_url(procedure, "contact"));
            }
            if super::address_code::still_to_confirm(conn, cx)? {
                return redirect(cx.book_url(procedure, "email-code"));
            }
            let flow = cx.session.state.flow.clone();
            let procedure_row = cx.procedure(conn, procedure)?;
            let slot = Slot::find(conn, cx.tenant.id, flow.slot_id.unwrap_or_default())?
                .ok_or(AppError::NotFound(Resource::Slot))?;
            let location = Location::by_id(conn, cx.tenant.id, slot.location_id)?;
            let date = flow.times_step();
            let location_change =
                (!procedure_row.needs_card).then(|| cx.book_url(procedure, "location"));
            let rows = vec![
                SummaryRow {
                    label: cx.text("check_procedure"),
                    value: cx.texts.procedure_name(&procedure_row),
                    change_href: None,
                },
                SummaryRow {
                    label: cx.text("check_location"),
                    value: location_label(cx, &location),
                    change_href: location_change,
                },
                SummaryRow {
                    label: cx.text("check_when"),
                    value: when_label(cx, &slot),
                    change_href: Some(cx.book_url(procedure, &date)),
                },
                SummaryRow {
                    label: cx.text("check_contact"),
                    value: contact_label(&flow),
                    change_href: Some(cx.book_url(procedure, "contact")),
                },
            ];
            page(check::render(CheckVm {
                frame: cx.frame(
                    cx.text("check_title"),
                    Some(cx.book_url(procedure, "contact")),
                    Vec::new(),
                ),
                form: cx.form(cx.book_url(procedure, "check")),
                held_until: held_until(conn, cx)?,
                rows,
            }))
        })
        .await
}

pub async fn check_submit(
    request: Posted<NoFields>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, procedure) = path.into_inner();
    let actor = Actor::resident(crate::http::extract::client_addr(&request.req));
    // Counted once the form's token is checked: another site cannot spend a network's
    // budget through its visitors' browsers.
    let limits = request.state.clone();
    request
        .resident_step(move |conn, cx, _| {
            // A second click on "book" arrives after the first has booked: the check
            // below shows that booking.
            if let Some(back) = Reached::Time.check(cx, &procedure) {
                return Ok(back);
            }
            limits.check_write_rate(cx.client_addr.as_deref(), Some(&cx.session.token))?;
            // An address the tenant wants confirmed is never booked unconfirmed.
            if super::address_code::still_to_confirm(conn, cx)? {
                return redirect(cx.book_url(&procedure, "email-code"));
            }
            let flow = cx.session.state.flow.clone();
            let procedure_row = cx.procedure(conn, &procedure)?;
            let party = if procedure_row.needs_card {
                Party::IdentifiedCards(flow.card_ids.clone())
            } else {
                Party::People(1)
            };
            let request = BookingRequest {
                procedure_id: procedure_row.id,
                placement: Placement::Hold {
                    client_token: cx.session.token.clone(),
                },
                party,
                contact: Contact {
                    email: Email::parse(&flow.email),
                    phone: PhoneNumber::parse(&flow.phone),
                    name: (!flow.name.is_empty()).then(|| flow.name.clone()),
                },
                note: String::new(),
                lang: cx.lang,
            };
            match booking::book(conn, &cx.clock, &cx.tenant, &request, &actor) {
                Ok(details) => {
                    cx.session.state.booked.push(details.booking.code.clone());
                    cx.session.state.finished =
                        Some((procedure.clone(), details.booking.code.clone()));
                    cx.session.state.flow = Flow::default();
                    redirect(cx.url(&format!(
                        "/{}/book/done/{}",
                        cx.tenant.code, details.booking.code
                    )))
                }
                Err(AppError::HoldExpired) | Err(AppError::SlotFull) => {
                    cx.session.state.flow.notice = Some("hold_expired".into());
                    cx.session.state.flow.slot_id = None;
                    let date = flow.times_step();
                    redirect(cx.book_url(&procedure, &date))
                }
                // Booked meanwhile elsewhere (another tab, the call center).
                Err(AppError::AlreadyBooked) => super::step::already_booked_page(conn, cx, None),
                Err(other) => Err(other),
            }
        })
        .await
}

pub async fn done(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .resident_step(move |conn, cx| {
            let code = BookingCode::parse(&code).ok_or(AppError::NotFound(Resource::Booking))?;
            if !cx.session.state.booked.iter().any(|c| c == code.as_str()) {
                return Err(AppError::NotFound(Resource::Booking));
            }
            let booking = Booking::by_code(conn, cx.tenant.id, code.as_str())?
                .ok_or(AppError::NotFound(Resource::Booking))?;
            let details = BookingDetails::load(conn, &cx.tenant, booking)?;
            let rows = booking_summary(cx, &details);
            let limit = super::owned::change_deadline(conn, cx, &details)?;
            let deadline_text = tf(
                cx.lang,
                "done_deadline",
                &[("deadline", &deadline_label(cx.lang, &cx.clock, limit))],
            );
            page(done::render(DoneVm {
                deadline_text,
                frame: cx.frame(cx.text("done_title"), None, Vec::new()),
                links: super::booking_files::booking_links(cx, &details),
                code_display: code.display(),
                rows,
                bring: cx.texts.procedure_notes(&details.procedure),
                manage_href: cx.url(&format!("/{}/booking/{}", cx.tenant.code, code.as_str())),
            }))
        })
        .await
}
