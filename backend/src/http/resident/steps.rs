//! The first steps: choosing the procedure, proving the card (pickups) or choosing the
//! location (other procedures).

use crate::db::kinds::{PickupNumberKind, PickupProofKind};
use crate::http::extract::client_ip;
use crate::http::page::{PageRequest, Posted};

use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::booking::{identify, location};
use madoguchi_frontend::view_models::{IdentifyVm, LocationChoiceVm, LocationOptionVm};

use super::session::Flow;
use super::step::Cx;
use super::step::Reached;
use crate::db::booking::{Booking, Holder};
use crate::db::location::Location;
use crate::domain::booking::{identify_card, CardIdentification, CardProof};
use crate::domain::client_key;
use crate::domain::input::read_date;
use crate::error::AppError;
use crate::http::page::field_error;
use crate::http::page::invalid_page;
use crate::http::page::page;
use crate::http::page::redirect;

/// Starting (again) to book a procedure: forget earlier answers, ask the first question.
pub async fn start(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, procedure) = path.into_inner();
    request
        .resident_step(move |conn, cx| {
            let found = cx.procedure(conn, &procedure)?;
            cx.session.state.flow = Flow {
                procedure: Some(found.code.clone()),
                ..Flow::default()
            };
            let first = if found.needs_card {
                "identify"
            } else {
                "location"
            };
            redirect(cx.book_url(&found.code, first))
        })
        .await
}

pub async fn identify_form(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Procedure, move |_, cx, procedure| {
            page(identify::render(identify_vm(
                cx, procedure, "", "", None, None,
            )))
        })
        .await
}

fn identify_vm(
    cx: &Cx,
    procedure: &str,
    number: &str,
    birth_date: &str,
    number_error: Option<String>,
    proof_error: Option<String>,
) -> IdentifyVm {
    let errors = [("number", &number_error), (proof_field(cx), &proof_error)]
        .into_iter()
        .filter_map(|(field, error)| error.clone().map(|e| field_error(field, e)))
        .collect();
    IdentifyVm {
        frame: cx.frame(
            cx.text("identify_title"),
            Some(cx.url(&format!("/{}/", cx.tenant.code))),
            errors,
        ),
        form: cx.form(cx.book_url(procedure, "identify")),
        number_kind: cx.tenant.pickup_number_kind.to_string(),
        proof_kind: cx.tenant.pickup_proof_kind.to_string(),
        number: number.to_string(),
        birth_date: birth_date.to_string(),
        number_error,
        proof_error,
    }
}

fn proof_field(cx: &Cx) -> &'static str {
    if cx.tenant.pickup_proof_kind == PickupProofKind::Password {
        "password"
    } else {
        "birth_date"
    }
}

/// The identification step's form: the card's number and one proof (birth date or the
/// password the tenant asks for).
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct IdentifyForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    password: String,
}

pub async fn identify_submit(request: Posted<IdentifyForm>) -> HttpResponse {
    // Counted once the form's token is checked, as every budget is.
    let limits = request.state.clone();
    let ip = client_ip(&request.req);
    request
        .flow_step(Reached::Procedure, move |conn, cx, procedure, form| {
            let number = form.number.trim().to_string();
            let birth_date = form.birth_date.trim().to_string();
            let password = form.password;
            let show = |cx: &Cx, number_error: Option<String>, proof_error: Option<String>| {
                invalid_page(identify::render(identify_vm(
                    cx,
                    procedure,
                    &number,
                    &birth_date,
                    number_error,
                    proof_error,
                )))
            };
            let rate = limits
                .check_proof_rate(ip)
                .and_then(|()| limits.check_card_rate(&number));
            if let Err(limited) = &rate {
                return show(cx, None, Some(limited.message_in(cx.lang)));
            }
            // Every field that is missing or unreadable is named at once.
            let number_error = number.is_empty().then(|| {
                tf(
                    cx.lang,
                    "identify_number_missing",
                    &[("field", &number_label(cx))],
                )
            });
            let proof = if proof_field(cx) == "password" {
                if password.is_empty() {
                    Err(cx.text("identify_password_missing"))
                } else {
                    Ok(CardProof::Password(password))
                }
            } else {
                let field = cx.text("field_birth_date");
                match read_date(&birth_date) {
                    Ok(date) if date > cx.clock.today() => {
                        Err(tf(cx.lang, "date_problem_future", &[("field", &field)]))
                    }
                    Ok(date) => Ok(CardProof::BirthDate(date)),
                    Err(problem) => Err(problem.message(cx.lang, &field, &birth_date)),
                }
            };
            let proof = match (number_error, proof) {
                (None, Ok(proof)) => proof,
                (number_error, proof) => return show(cx, number_error, proof.err()),
            };
            let identification = CardIdentification {
                number: number.clone(),
                proof,
            };
            let network = cx.client_addr.as_deref().and_then(client_key);
            match identify_card(
                conn,
                &cx.clock,
                &cx.tenant,
                &identification,
                network.as_deref(),
            ) {
                Ok(card) => {
                    // One active booking per card: say so now, not after the day, the time
                    // and the contact details.
                    if let Some(booked) =
                        Booking::active_for(conn, cx.tenant.id, Holder::Card(card.id))?
                    {
                        cx.session.renew(conn, cx.tenant.id)?;
                        return super::step::already_booked_page(conn, cx, Some(&booked.code));
                    }
                    let location = Location::by_id(conn, cx.tenant.id, card.location_id)?;
                    cx.session.renew(conn, cx.tenant.id)?;
                    cx.session.state.flow.card_ids = vec![card.id];
                    cx.session.state.flow.location = Some(location.code);
                    redirect(cx.book_url(procedure, "date"))
                }
                Err(invalid @ AppError::Invalid { .. }) => {
                    show(cx, Some(invalid.message_in(cx.lang)), None)
                }
                // An unknown number and a wrong proof are one answer, so that numbers
                // cannot be tested; it is said at the number, the first field to check.
                Err(AppError::IdentificationFailed { .. }) => {
                    let key = if proof_field(cx) == "password" {
                        "identify_failed_password"
                    } else {
                        "identify_failed"
                    };
                    let text = tf(cx.lang, key, &[("phone", &cx.tenant.inquiry_phone)]);
                    show(cx, Some(text), None)
                }
                Err(refused @ (AppError::CardLocked { .. } | AppError::Throttled { .. })) => {
                    show(cx, Some(refused.message_in(cx.lang)), None)
                }
                Err(other) => Err(other),
            }
        })
        .await
}

/// The name of the number the tenant's notices carry (予約番号 or 製造管理番号).
fn number_label(cx: &Cx) -> String {
    if cx.tenant.pickup_number_kind == PickupNumberKind::ManufactureNumber {
        cx.text("identify_manufacture_number")
    } else {
        cx.text("identify_reservation_number")
    }
}

pub async fn location_form(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Procedure, move |conn, cx, procedure| {
            page(location::render(location_vm(conn, cx, procedure, None)?))
        })
        .await
}

fn location_vm(
    conn: &mut PgConnection,
    cx: &Cx,
    procedure: &str,
    error: Option<String>,
) -> Result<LocationChoiceVm, AppError> {
    let procedure_id = cx.procedure(conn, procedure)?.id;
    let offered = Location::offered_procedures(conn, cx.tenant.id)?;
    let chosen = cx.session.state.flow.location.clone();
    let options = Location::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .filter(|l| l.active && offered.contains(&(l.id, procedure_id)))
        .map(|l| LocationOptionVm {
            selected: chosen.as_deref() == Some(l.code.as_str()),
            name: cx.texts.location_name(&l),
            access: cx.texts.location_access(&l),
            address: cx.texts.location_address(&l),
            code: l.code,
        })
        .collect();
    let errors = error
        .iter()
        .map(|e| field_error("location", e.clone()))
        .collect();
    Ok(LocationChoiceVm {
        frame: cx.frame(
            cx.text("location_title"),
            Some(cx.url(&format!("/{}/", cx.tenant.code))),
            errors,
        ),
        form: cx.form(cx.book_url(procedure, "location")),
        options,
        error,
    })
}

/// The place chosen on the location step.
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct LocationForm {
    #[serde(default)]
    location: String,
}

pub async fn location_submit(request: Posted<LocationForm>) -> HttpResponse {
    request
        .flow_step(Reached::Procedure, move |conn, cx, procedure, form| {
            let choice = form.location;
            let vm = location_vm(conn, cx, procedure, None)?;
            if !vm.options.iter().any(|o| o.code == choice) {
                let error = cx.text("location_missing");
                return invalid_page(location::render(location_vm(
                    conn,
                    cx,
                    procedure,
                    Some(error),
                )?));
            }
            cx.session.state.flow.location = Some(choice);
            redirect(cx.book_url(procedure, "date"))
        })
        .await
}
