//! "Manage my booking": look a booking up with its code and the same proof as when
//! booking, see it, move it to another time (same calendar and hold flow) or cancel it,
//! each only until the tenant's deadline.

use crate::db::kinds::BookingStatus;
use crate::http::extract::{client_ip, NoFields};
use crate::http::page::{PageRequest, Posted};

use actix_web::HttpResponse;
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::manage::{confirm, lookup, view};
use madoguchi_frontend::view_models::{ConfirmVm, LookupVm, ManageVm, SummaryRow};

use super::owned::{accept_signed_link, change_deadline, changeable, owned_booking, CodePath};
use super::session::Flow;
use super::step::Cx;
use super::summary::{booking_summary, held_until, when_label};
use crate::db::hold::Hold;
use crate::db::slot::Slot;
use crate::domain::booking::{self, find_owned, BookingDetails, OwnerProof, Placement};
use crate::domain::calendar::deadline_label;
use crate::domain::input::{read_date, BookingCode, Email, PhoneNumber};
use crate::error::{AppError, Resource};
use crate::http::page::field_error;
use crate::http::page::invalid_page;
use crate::http::page::page;
use crate::http::page::redirect;
use crate::http::page::Outcome;

/// The look-up form: the booking's code and one proof (birth date or contact).
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct LookupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    contact: String,
}

fn lookup_vm(
    cx: &Cx,
    form: &LookupForm,
    code_error: Option<String>,
    proof_error: Option<String>,
) -> LookupVm {
    let mut errors = Vec::new();
    if let Some(e) = &code_error {
        errors.push(field_error("code", e.clone()));
    }
    if let Some(e) = &proof_error {
        errors.push(field_error("proof", e.clone()));
    }
    LookupVm {
        frame: cx.frame(
            cx.text("manage_title"),
            Some(cx.url(&format!("/{}/", cx.tenant.code))),
            errors,
        ),
        form: cx.form(cx.url(&format!("/{}/booking", cx.tenant.code))),
        code: form.code.clone(),
        birth_date: form.birth_date.clone(),
        contact: form.contact.clone(),
        code_error,
        proof_error,
    }
}

pub async fn lookup_form(request: PageRequest) -> HttpResponse {
    request
        .resident_step(|_, cx| {
            page(lookup::render(lookup_vm(
                cx,
                &LookupForm::default(),
                None,
                None,
            )))
        })
        .await
}

pub async fn lookup_submit(request: Posted<LookupForm>) -> HttpResponse {
    // Counted once the form's token is checked, as every budget is.
    let limits = request.state.clone();
    let ip = client_ip(&request.req);
    request
        .resident_step(move |conn, cx, form| {
            let show = |cx: &Cx, code_error: Option<String>, proof_error: Option<String>| {
                invalid_page(lookup::render(lookup_vm(
                    cx,
                    &form,
                    code_error,
                    proof_error,
                )))
            };
            let rate = limits.check_proof_rate(ip);
            if let Err(limited) = &rate {
                return show(cx, None, Some(limited.message_in(cx.lang)));
            }
            let typed_code = form.code.trim();
            let code = BookingCode::parse(typed_code);
            let code_error = code.is_none().then(|| {
                cx.text(if typed_code.is_empty() {
                    "manage_code_missing"
                } else {
                    "manage_code_invalid"
                })
            });
            let birth_date = form.birth_date.trim();
            let contact = form.contact.trim();
            let proof = if !birth_date.is_empty() {
                let field = cx.text("field_birth_date");
                read_date(birth_date)
                    .map(OwnerProof::BirthDate)
                    .map_err(|problem| problem.message(cx.lang, &field, birth_date))
            } else if !contact.is_empty() {
                let readable =
                    Email::parse(contact).is_some() || PhoneNumber::parse(contact).is_some();
                readable
                    .then(|| OwnerProof::Contact(contact.to_string()))
                    .ok_or_else(|| cx.text("manage_contact_invalid"))
            } else {
                Err(cx.text("manage_proof_missing"))
            };
            let (code, proof) = match (code, proof) {
                (Some(code), Ok(proof)) => (code, proof),
                (_, proof) => return show(cx, code_error, proof.err()),
            };
            let network = cx
                .client_addr
                .as_deref()
                .and_then(crate::domain::client_key);
            match find_owned(
                conn,
                &cx.clock,
                &cx.tenant,
                &code,
                &proof,
                network.as_deref(),
            ) {
                Ok(found) => {
                    cx.session.renew(conn, cx.tenant.id)?;
                    cx.session.state.managing.push(found.code.clone());
                    redirect(cx.url(&format!("/{}/booking/{}", cx.tenant.code, found.code)))
                }
                Err(AppError::NotFound(_)) | Err(AppError::IdentificationFailed { .. }) => {
                    show(cx, None, Some(cx.text("manage_not_found")))
                }
                Err(locked @ (AppError::CardLocked { .. } | AppError::Throttled { .. })) => {
                    show(cx, None, Some(locked.message_in(cx.lang)))
                }
                Err(other) => Err(other),
            }
        })
        .await
}

pub async fn show(request: PageRequest, path: CodePath) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .resident_step(move |conn, cx| {
            accept_signed_link(conn, cx, &code)?;
            let details = owned_booking(conn, cx, &code)?;
            let limit = change_deadline(conn, cx, &details)?;
            let limit_text = deadline_label(cx.lang, &cx.clock, limit);
            let status = details.booking.status;
            let booked = status == BookingStatus::Booked;
            let cancelled = status == BookingStatus::Cancelled;
            let open = booked && cx.clock.now < limit;
            let deadline_text = match (booked, open) {
                (false, _) => String::new(),
                (true, true) => tf(
                    cx.lang,
                    "manage_deadline_open",
                    &[("deadline", &limit_text)],
                ),
                (true, false) => tf(
                    cx.lang,
                    "manage_deadline_passed",
                    &[
                        ("deadline", &limit_text),
                        ("phone", &cx.tenant.inquiry_phone),
                    ],
                ),
            };
            let status_key = match status {
                BookingStatus::Booked => "manage_status_booked",
                BookingStatus::Cancelled => "manage_status_cancelled",
                _ => "manage_status_done",
            };
            let title = if cancelled {
                "manage_cancelled_title"
            } else {
                "manage_booking_title"
            };
            let base = format!("/{}/booking/{}", cx.tenant.code, details.booking.code);
            let notice = cx.session.state.notice.take().map(|key| cx.text(&key));
            page(view::render(ManageVm {
                frame: cx.frame(cx.text(title), None, Vec::new()),
                // A cancelled booking is history: no QR code to show at the counter, no
                // calendar entry, nothing to keep for a change.
                links: (!cancelled).then(|| super::booking_files::booking_links(cx, &details)),
                notice,
                code_display: BookingCode::parse(&details.booking.code)
                    .map(|c| c.display())
                    .unwrap_or_default(),
                status_text: cx.text(status_key),
                rows: booking_summary(cx, &details),
                deadline_text,
                change_href: open.then(|| cx.url(&format!("{base}/change"))),
                cancel_href: open.then(|| cx.url(&format!("{base}/cancel"))),
                start_href: cx.url(&format!("/{}/", cx.tenant.code)),
            }))
        })
        .await
}

/// A step on the booking in the path (`{code}`) while it may still be changed online;
/// otherwise the way back to its page, which says why not.
async fn on_changeable(
    request: &PageRequest,
    work: impl Fn(&mut PgConnection, &mut Cx, BookingDetails) -> Result<Outcome, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    let code = request.path_part("code");
    request
        .resident_step(move |conn, cx| match changeable(conn, cx, &code)? {
            Ok(details) => work(conn, cx, details),
            Err(refused) => Ok(refused),
        })
        .await
}

/// Starts the calendar and hold flow for a new time of this booking.
pub async fn change(request: PageRequest) -> HttpResponse {
    on_changeable(&request, move |_, cx, details| {
        cx.session.state.flow = Flow {
            procedure: Some(details.procedure.code.clone()),
            card_ids: details.members.iter().filter_map(|m| m.card_id).collect(),
            location: Some(details.location.code.clone()),
            party_size: details.booking.party_size,
            changing: Some(details.booking.code.clone()),
            ..Flow::default()
        };
        redirect(cx.book_url(&details.procedure.code, "date"))
    })
    .await
}

fn back_to_booking(cx: &Cx, code: &str) -> Result<Outcome, AppError> {
    redirect(cx.url(&format!("/{}/booking/{code}", cx.tenant.code)))
}

pub async fn move_form(request: PageRequest) -> HttpResponse {
    on_changeable(&request, move |conn, cx, details| {
        let Some(hold) = Hold::of_client(conn, cx.tenant.id, &cx.session.token)?
            .filter(|h| h.expires_at > cx.clock.now)
        else {
            return back_to_booking(cx, &details.booking.code);
        };
        let new_slot = Slot::find(conn, cx.tenant.id, hold.slot_id)?
            .ok_or(AppError::NotFound(Resource::Slot))?;
        let rows = vec![
            SummaryRow {
                label: cx.text("move_from"),
                value: when_label(cx, &details.slot),
                change_href: None,
            },
            SummaryRow {
                label: cx.text("move_to"),
                value: when_label(cx, &new_slot),
                change_href: Some(cx.url(&format!(
                    "/{}/booking/{}/change",
                    cx.tenant.code, details.booking.code
                ))),
            },
        ];
        page(confirm::render(ConfirmVm {
            frame: cx.frame(
                cx.text("move_title"),
                Some(cx.url(&format!(
                    "/{}/booking/{}",
                    cx.tenant.code, details.booking.code
                ))),
                Vec::new(),
            ),
            form: cx.form(cx.url(&format!(
                "/{}/booking/{}/move",
                cx.tenant.code, details.booking.code
            ))),
            lead: cx.text("move_lead"),
            rows,
            button_label: cx.text("move_button"),
            held_until: held_until(conn, cx)?,
        }))
    })
    .await
}

pub async fn move_submit(request: Posted<NoFields>, path: CodePath) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .resident_write(move |conn, cx, _, actor| {
            let details = match changeable(conn, cx, &code)? {
                Ok(details) => details,
                Err(refused) => return Ok(refused),
            };
            let placement = Placement::Hold {
                client_token: cx.session.token.clone(),
            };
            match booking::move_booking(
                conn,
                &cx.clock,
                &cx.tenant,
                details.booking.id,
                &placement,
                actor,
            ) {
                Ok(_) => {
                    cx.session.state.flow = Flow::default();
                    cx.session.state.notice = Some("moved_notice".into());
                    back_to_booking(cx, &details.booking.code)
                }
                Err(AppError::HoldExpired) | Err(AppError::SlotFull) => {
                    cx.session.state.flow.notice = Some("hold_expired".into());
                    let date = cx.session.state.flow.times_step();
                    redirect(cx.book_url(&details.procedure.code, &date))
                }
                Err(other) => Err(other),
            }
        })
        .await
}

pub async fn cancel_form(request: PageRequest) -> HttpResponse {
    on_changeable(&request, move |_, cx, details| {
        let base = format!("/{}/booking/{}", cx.tenant.code, details.booking.code);
        page(confirm::render(ConfirmVm {
            frame: cx.frame(cx.text("cancel_title"), Some(cx.url(&base)), Vec::new()),
            form: cx.form(cx.url(&format!("{base}/cancel"))),
            lead: cx.text("cancel_lead"),
            rows: booking_summary(cx, &details),
            button_label: cx.text("cancel_button"),
            held_until: None,
        }))
    })
    .await
}

pub async fn cancel_submit(request: Posted<NoFields>, path: CodePath) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .resident_write(move |conn, cx, _, actor| {
            let details = owned_booking(conn, cx, &code)?;
            let notice =
                match booking::cancel(conn, &cx.clock, &cx.tenant, details.booking.id, actor) {
                    Ok(_) => "cancelled_notice",
                    Err(AppError::ChangeDeadlinePassed) => "change_refused_deadline",
                    Err(AppError::Invalid { field, .. }) if field == "booking" => {
                        "change_refused_done"
                    }
                    Err(other) => return Err(other),
                };
            cx.session.state.notice = Some(notice.into());
            back_to_booking(cx, &details.booking.code)
        })
        .await
}
