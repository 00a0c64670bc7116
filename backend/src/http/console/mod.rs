//! The staff console: server-side sessions with an idle limit, a permission check on every
//! page and action, and a trace of every action in the audit log.

mod accounts;
mod booking_detail;
mod bookings;
mod cards;
mod csv_export;
mod cx;
mod holidays;
mod login;
mod mail;
mod mail_message;
mod mail_templates;
mod notice;
mod operation_log;
mod password;
mod phone;
mod today;
mod transfers;
mod upload;

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use diesel::{Connection, PgConnection};

use super::extract::{load_tenant, Submitted};
use super::resident::{error_page, lang_of, query_of, Outcome};
use super::AppState;
use crate::db::staff::StaffSession;
use crate::domain::staff::{address_allowed, must_change_password, Permission, Role};
use crate::error::AppError;
use crate::http::extract::VIEW;

pub use cx::StaffCx;
pub use notice::Notice;
pub use upload::sweep as sweep_uploads;

pub const COOKIE: &str = "madoguchi_staff";
/// A console session ends this long after its login, however busy: a terminal left logged
/// in overnight is logged out.
pub const SESSION_MAX_HOURS: i64 = 12;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/login", web::get().to(login::form))
        .route("/{tenant}/staff/login", web::post().to(login::submit))
        .route("/{tenant}/staff/logout", web::post().to(login::logout))
        .route("/{tenant}/staff/today", web::get().to(today::show))
        .route(
            "/{tenant}/staff/today/check-in",
            web::post().to(today::check_in),
        )
        .route("/{tenant}/staff/today/action", web::post().to(today::act))
        .route("/{tenant}/staff/bookings", web::get().to(bookings::list))
        .route(
            "/{tenant}/staff/bookings.csv",
            web::get().to(bookings::export_csv),
        )
        .route(
            "/{tenant}/staff/bookings.xlsx",
            web::get().to(bookings::export_xlsx),
        )
        .route(
            "/{tenant}/staff/bookings/{code}",
            web::get().to(booking_detail::show),
        )
        .route(
            "/{tenant}/staff/bookings/{code}/cancel",
            web::post().to(booking_detail::cancel_submit),
        )
        .route(
            "/{tenant}/staff/bookings/{code}/note",
            web::post().to(booking_detail::note_submit),
        )
        .route("/{tenant}/staff/cards", web::get().to(cards::list))
        .route(
            "/{tenant}/staff/cards/import",
            web::get().to(cards::import_form),
        )
        .route(
            "/{tenant}/staff/cards/import",
            web::post().to(cards::import_upload),
        )
        .route(
            "/{tenant}/staff/cards/import/commit",
            web::post().to(cards::import_commit),
        )
        .route(
            "/{tenant}/staff/cards/import/notices/{token}",
            web::get().to(cards::import_notices),
        )
        .route("/{tenant}/staff/cards/{id}", web::get().to(cards::show))
        .route(
            "/{tenant}/staff/cards/{id}/status",
            web::post().to(cards::set_status),
        )
        .route(
            "/{tenant}/staff/cards/{id}/unlock",
            web::post().to(cards::unlock),
        )
        .route("/{tenant}/staff/holidays", web::get().to(holidays::show))
        .route("/{tenant}/staff/holidays", web::post().to(holidays::submit))
        .route(
            "/{tenant}/staff/holidays/reopen",
            web::post().to(holidays::reopen),
        )
        .route("/{tenant}/staff/transfers", web::get().to(transfers::show))
        .route(
            "/{tenant}/staff/transfers.csv",
            web::get().to(transfers::export_csv),
        )
        .route(
            "/{tenant}/staff/transfers/send",
            web::post().to(transfers::send),
        )
        .route(
            "/{tenant}/staff/transfers/receive",
            web::post().to(transfers::receive),
        )
        .route("/{tenant}/staff/mail", web::get().to(mail::show))
        .route(
            "/{tenant}/staff/mail/templates",
            web::get().to(mail_templates::show),
        )
        .route(
            "/{tenant}/staff/mail/templates",
            web::post().to(mail_templates::submit),
        )
        .route(
            "/{tenant}/staff/mail/{id}/message",
            web::get().to(mail_message::show),
        )
        .route(
            "/{tenant}/staff/mail/{id}/message.eml",
            web::get().to(mail_message::download),
        )
        .route(
            "/{tenant}/staff/mail/{id}/resend",
            web::post().to(mail::resend),
        )
        .route("/{tenant}/staff/log", web::get().to(operation_log::list))
        .route(
            "/{tenant}/staff/log.csv",
            web::get().to(operation_log::export_csv),
        )
        .route("/{tenant}/staff/phone", web::get().to(phone::start))
        .route("/{tenant}/staff/phone", web::post().to(phone::search))
        .route("/{tenant}/staff/phone/slots", web::get().to(phone::slots))
        .route(
            "/{tenant}/staff/phone/times",
            web::get().to(phone::times_form),
        )
        .route(
            "/{tenant}/staff/phone/times",
            web::post().to(phone::times_submit),
        )
        .route(
            "/{tenant}/staff/phone/details",
            web::get().to(phone::details_form),
        )
        .route(
            "/{tenant}/staff/phone/details",
            web::post().to(phone::details_submit),
        )
        .route("/{tenant}/staff/", web::get().to(home))
        .route("/{tenant}/staff/password", web::get().to(password::form))
        .route("/{tenant}/staff/password", web::post().to(password::submit))
        .route("/{tenant}/staff/accounts", web::get().to(accounts::list))
        .route("/{tenant}/staff/accounts", web::post().to(accounts::create))
        .route(
            "/{tenant}/staff/accounts/{login}",
            web::get().to(accounts::show),
        )
        .route(
            "/{tenant}/staff/accounts/{login}",
            web::post().to(accounts::save),
        )
        .route(
            "/{tenant}/staff/accounts/{login}/unlock",
            web::post().to(accounts::unlock_submit),
        )
        .route(
            "/{tenant}/staff/accounts/{login}/end-sessions",
            web::post().to(accounts::end_sessions_submit),
        );
}

/// What a console request brings before its body is read.
struct Arrival {
    lang: madoguchi_frontend::i18n::Lang,
    token: Option<String>,
    clock: crate::domain::Clock,
    path: String,
    query: HashMap<String, String>,
    client_addr: Option<String>,
    client_ip: Option<std::net::IpAddr>,
    /// Where the login page sends the browser back to.
    back_here: String,
}

impl Arrival {
    fn of(state: &AppState, req: &HttpRequest, tenant_code: &str) -> Arrival {
        Arrival {
            lang: lang_of(req),
            token: super::extract::read_cookie(req, COOKIE),
            clock: state.clock(),
            path: req.path().to_string(),
            query: query_of(req),
            client_addr: super::extract::client_addr(req),
            client_ip: super::extract::client_ip(req),
            back_here: if req.method() == actix_web::http::Method::GET {
                format!("{}?{}", req.path(), req.query_string())
            } else {
                format!("/{tenant_code}/staff/")
            },
        }
    }
}

/// The checks every console request passes, in this order: the tenant, the office's
/// address ranges, a live session (else the login page), the permission, the CSRF token
/// of a submission (`csrf`), a password that must be changed first. Either the context
/// the step works in, or where the browser must go instead.
fn open_console(
    conn: &mut PgConnection,
    tenant_code: &str,
    arrival: Arrival,
    permission: Permission,
    csrf: Option<&str>,
) -> Result<Result<StaffCx, Outcome>, AppError> {
    let Arrival {
        lang,
        token,
        clock,
        path,
        query,
        client_addr,
        client_ip,
        back_here,
    } = arrival;
    let tenant = load_tenant(conn, tenant_code)?;
    if !address_allowed(&tenant, client_ip) {
        return Err(AppError::AddressNotAllowed);
    }
    let idle_since = clock.now - Duration::minutes(tenant.staff_idle_minutes.into());
    let started_since = clock.now - Duration::hours(SESSION_MAX_HOURS);
    let found = match &token {
        Some(token) => StaffSession::find_live(conn, tenant.id, token, idle_since, started_since)?,
        None => None,
    };
    let Some((session, account)) = found else {
        let next = crate::http::extract::url_encode(&back_here);
        return Ok(Err(Outcome::Redirect(format!(
            "/{}/staff/login?lang={}&next={next}",
            tenant.code,
            lang.code()
        ))));
    };
    let role = Role::parse(&account.role).ok_or(AppError::Forbidden)?;
    if !role.may(permission) {
        return Err(AppError::Forbidden);
    }
    if let Some(sent) = csrf {
        if !crate::domain::secret::same(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(AppError::Forbidden);
        }
    }
    let password_page = format!("/{}/staff/password", tenant.code);
    if must_change_password(&account, &clock)
        && path != password_page
        && !path.ends_with("/staff/logout")
    {
        return Ok(Err(Outcome::Redirect(format!(
            "{password_page}?lang={}",
            lang.code()
        ))));
    }
    StaffSession::touch(conn, &session.token, clock.now)?;
    Ok(Ok(StaffCx {
        tenant,
        account,
        session,
        lang,
        clock,
        path,
        query,
        client_addr,
    }))
}

/// Runs a console step for a logged-in account that has `permission`. Without a live
/// session (none, expired by idling, revoked) the browser goes to the login page and comes
/// back here afterwards; without the permission it gets a plain 403 page. Submitted forms
/// must carry the session's CSRF token.
pub async fn staff_step<F: Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    tenant_code: String,
    permission: Permission,
    form: Option<Submitted<F>>,
    work: impl FnOnce(&mut PgConnection, &mut StaffCx, Option<F>) -> Result<Outcome, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    let arrival = Arrival::of(state, req, &tenant_code);
    let lang = arrival.lang;
    let result = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let csrf = form.as_ref().map(|form| form.csrf.as_str());
            match open_console(conn, &tenant_code, arrival, permission, csrf)? {
                Ok(mut cx) => work(conn, &mut cx, form.map(|form| form.fields)),
                Err(elsewhere) => Ok(elsewhere),
            }
        })
    })
    .await;
    match result {
        Ok(outcome) => outcome.into_response(),
        Err(error) => error_page(req, lang, &error),
    }
}

/// The checks of a console step for a request whose body must not be read before them (an
/// upload): the CSRF token then comes in the address (`?csrf=`). `Ok` with the tenant's id
/// to go on; otherwise the answer to give at once, the body unread.
pub async fn staff_gate(
    state: &AppState,
    req: &HttpRequest,
    tenant_code: &str,
    permission: Permission,
) -> Result<i64, HttpResponse> {
    let arrival = Arrival::of(state, req, tenant_code);
    let lang = arrival.lang;
    let csrf = query_of(req).get("csrf").cloned().unwrap_or_default();
    let code = tenant_code.to_string();
    let result = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            Ok(open_console(conn, &code, arrival, permission, Some(&csrf))?.map(|cx| cx.tenant.id))
        })
    })
    .await;
    match result {
        Ok(Ok(tenant_id)) => Ok(tenant_id),
        Ok(Err(elsewhere)) => Err(elsewhere.into_response()),
        Err(error) => Err(error_page(req, lang, &error)),
    }
}

pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(super::extract::cookie_name(COOKIE, secure), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// Keeps only a path of this tenant's console written in plain characters, so that `next`
/// can never send anyone to another site (`//evil`, `/\evil`, `/%09/evil`, whose tab
/// browsers drop) nor carry anything but a path and a query.
pub fn safe_next(next: Option<&String>, tenant: &str, fallback: String) -> String {
    let plain = |path: &str| {
        path.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.?=&%".contains(&b))
    };
    match next {
        Some(path)
            if path.starts_with(&format!("/{tenant}/staff/"))
                && !path.contains("//")
                && !path.contains("..")
                && plain(path) =>
        {
            path.clone()
        }
        _ => fallback,
    }
}

/// The console's front page: the first section the account's role may use.
async fn home(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::Any,
        VIEW,
        |_, cx, _| {
            let page = [
                ("today", Permission::CounterDesk),
                ("phone", Permission::ProxyBooking),
            ]
            .iter()
            .find(|(_, permission)| cx.may(*permission))
            .map(|(page, _)| *page)
            .unwrap_or("bookings");
            Ok(Outcome::Redirect(cx.console_url(page)))
        },
    )
    .await
}
