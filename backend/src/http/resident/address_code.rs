//! Confirming the resident's e-mail address with a one-time code, for tenants that ask for it:
//! after the contact step, before the booking is checked and made.

use actix_web::HttpResponse;
use diesel::PgConnection;
use madoguchi_frontend::pages::booking::address_code;
use madoguchi_frontend::view_models::{AddressCodeVm, FieldVm};

use super::step::Cx;
use super::step::Reached;
use super::summary::held_until;
use crate::domain::mail::address_codes::{self, Verdict};
use crate::error::AppError;
use crate::http::page::field_error;
use crate::http::page::invalid_page;
use crate::http::page::page;
use crate::http::page::redirect;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

const STEP: &str = "email-code";

/// Whether the address given must still be confirmed before the booking is made.
pub(super) fn still_to_confirm(conn: &mut PgConnection, cx: &Cx) -> Result<bool, AppError> {
    let flow = &cx.session.state.flow;
    Ok(!flow.email.is_empty()
        && flow.email != flow.email_confirmed
        && address_codes::required(conn, cx.tenant.id)?)
}

/// After the contact step: sends a code unless one for this address is still usable, and
/// goes to the step that asks for it. `None` when the booking may go on to the check step.
pub(super) fn after_contact(
    conn: &mut PgConnection,
    cx: &mut Cx,
    procedure: &str,
) -> Result<Option<Outcome>, AppError> {
    if !still_to_confirm(conn, cx)? {
        return Ok(None);
    }
    let flow = &cx.session.state.flow;
    let usable = flow
        .email_code
        .as_ref()
        .is_some_and(|sent| sent.email == flow.email && sent.usable(cx.clock.now));
    if !usable {
        send_code(conn, cx)?;
    }
    redirect(cx.book_url(procedure, STEP)).map(Some)
}

/// Sends a new code; when the limit is reached, the step shows that instead.
fn send_code(conn: &mut PgConnection, cx: &mut Cx) -> Result<bool, AppError> {
    let flow = &cx.session.state.flow;
    let network = cx
        .client_addr
        .as_deref()
        .and_then(crate::domain::client_key);
    let sent = address_codes::send(
        conn,
        cx.tenant.id,
        &flow.email,
        &cx.session.token,
        flow.email_code.as_ref(),
        address_codes::Asker {
            network: network.as_deref(),
            lang: cx.lang,
        },
        cx.clock.now,
    )?;
    let Some(sent) = sent else {
        cx.session.state.flow.notice = Some("email_code_too_many".into());
        return Ok(false);
    };
    cx.session.state.flow.email_code = Some(sent);
    Ok(true)
}

fn code_page(
    conn: &mut PgConnection,
    cx: &mut Cx,
    procedure: &str,
    notice_key: &str,
    error: Option<String>,
) -> Result<String, AppError> {
    let email = cx.session.state.flow.email.clone();
    let notice = madoguchi_frontend::i18n::tf(
        cx.lang,
        notice_key,
        &[
            ("email", &email),
            ("minutes", &address_codes::VALID_MINUTES.to_string()),
        ],
    );
    let errors = error
        .iter()
        .map(|e| field_error("code", e.clone()))
        .collect();
    Ok(address_code::render(AddressCodeVm {
        frame: cx.frame(
            cx.text("email_code_title"),
            Some(cx.book_url(procedure, "contact")),
            errors,
        ),
        form: cx.form(cx.book_url(procedure, STEP)),
        held_until: held_until(conn, cx)?,
        notice,
        code: FieldVm {
            mode: "required".into(),
            value: String::new(),
            error,
        },
        change_href: cx.book_url(procedure, "contact"),
    }))
}

pub async fn code_form(request: PageRequest) -> HttpResponse {
    request
        .flow_step(Reached::Time, move |conn, cx, procedure| {
            if !cx.session.state.flow.contact_given || cx.session.state.flow.email_code.is_none() {
                return redirect(cx.book_url(procedure, "contact"));
            }
            if !still_to_confirm(conn, cx)? {
                return redirect(cx.book_url(procedure, "check"));
            }
            let notice = cx
                .session
                .state
                .flow
                .notice
                .take()
                .unwrap_or_else(|| "email_code_sent".into());
            let html = code_page(conn, cx, procedure, &notice, None)?;
            page(html)
        })
        .await
}

/// The code from the confirmation mail, or the button that asks for another.
#[derive(serde::Deserialize, Default, Clone)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    /// Present when "send another code" was pressed.
    resend: Option<String>,
}

pub async fn code_submit(request: Posted<CodeForm>) -> HttpResponse {
    request
        .flow_step(Reached::Time, move |conn, cx, procedure, form| {
            if !still_to_confirm(conn, cx)? {
                return redirect(cx.book_url(procedure, "check"));
            }
            if cx.session.state.flow.email_code.is_none() {
                return redirect(cx.book_url(procedure, "contact"));
            }
            if form.resend.is_some() {
                if send_code(conn, cx)? {
                    cx.session.state.flow.notice = Some("email_code_resent".into());
                }
                return redirect(cx.book_url(procedure, STEP));
            }
            let typed = form.code.trim();
            if typed.is_empty() {
                let error = Some(cx.text("email_code_missing"));
                return invalid_page(code_page(conn, cx, procedure, "email_code_sent", error)?);
            }
            let salt = cx.session.token.clone();
            let now = cx.clock.now;
            let flow = &mut cx.session.state.flow;
            let Some(pending) = flow.email_code.as_mut() else {
                return redirect(cx.book_url(procedure, "contact"));
            };
            let error = match address_codes::check(pending, &salt, typed, now) {
                Verdict::Confirmed => {
                    flow.email_confirmed = pending.email.clone();
                    flow.email_code = None;
                    return redirect(cx.book_url(procedure, "check"));
                }
                Verdict::Wrong { tries_left } => madoguchi_frontend::i18n::tf(
                    cx.lang,
                    "email_code_wrong",
                    &[("tries", &tries_left.to_string())],
                ),
                Verdict::Spent => cx.text("email_code_spent"),
            };
            invalid_page(code_page(
                conn,
                cx,
                procedure,
                "email_code_sent",
                Some(error),
            )?)
        })
        .await
}
