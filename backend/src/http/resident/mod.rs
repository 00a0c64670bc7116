//! The resident's booking pages: server-rendered, plain forms, POST → redirect → GET.
//! Every step reads and writes the answers in the server-side session.

mod address_code;
mod booking_files;
mod finish;
mod manage;
mod outcome;
mod schedule;
mod session;
mod steps;
mod summary;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::{Connection, PgConnection};
use madoguchi_frontend::i18n::{t, tf, Lang};
use madoguchi_frontend::pages::message;
use madoguchi_frontend::view_models::{FieldError, FormVm, MessageVm, PageFrame};

pub use self::outcome::Outcome;
pub use self::schedule::date_label;
use self::session::Session;
use super::extract::{load_tenant, Submitted};
use super::AppState;
use crate::db::procedure::Procedure;
use crate::db::tenant::Tenant;
use crate::domain::Clock;
use crate::error::{AppError, Resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/booking", web::get().to(manage::lookup_form))
        .route("/{tenant}/booking", web::post().to(manage::lookup_submit))
        .route("/{tenant}/booking/{code}", web::get().to(manage::show))
        .route(
            "/{tenant}/booking/{code}/change",
            web::get().to(manage::change),
        )
        .route(
            "/{tenant}/booking/{code}/qr.svg",
            web::get().to(booking_files::qr_code),
        )
        .route(
            "/{tenant}/booking/{code}/calendar.ics",
            web::get().to(booking_files::calendar_file),
        )
        .route(
            "/{tenant}/booking/{code}/move",
            web::get().to(manage::move_form),
        )
        .route(
            "/{tenant}/booking/{code}/move",
            web::post().to(manage::move_submit),
        )
        .route(
            "/{tenant}/booking/{code}/cancel",
            web::get().to(manage::cancel_form),
        )
        .route(
            "/{tenant}/booking/{code}/cancel",
            web::post().to(manage::cancel_submit),
        );
    cfg.service(
        web::scope("/{tenant}/book")
            .route("/done/{code}", web::get().to(finish::done))
            .route("/{procedure}/", web::get().to(steps::start))
            .route("/{procedure}", web::get().to(super::pages::add_slash))
            .route("/{procedure}/identify", web::get().to(steps::identify_form))
            .route(
                "/{procedure}/identify",
                web::post().to(steps::identify_submit),
            )
            .route("/{procedure}/location", web::get().to(steps::location_form))
            .route(
                "/{procedure}/location",
                web::post().to(steps::location_submit),
            )
            .route("/{procedure}/date", web::get().to(schedule::calendar))
            .route("/{procedure}/time", web::get().to(schedule::times_form))
            .route("/{procedure}/time", web::post().to(schedule::times_submit))
            .route("/{procedure}/contact", web::get().to(finish::contact_form))
            .route(
                "/{procedure}/contact",
                web::post().to(finish::contact_submit),
            )
            .route(
                "/{procedure}/email-code",
                web::get().to(address_code::code_form),
            )
            .route(
                "/{procedure}/email-code",
                web::post().to(address_code::code_submit),
            )
            .route("/{procedure}/check", web::get().to(finish::check_form))
            .route("/{procedure}/check", web::post().to(finish::check_submit)),
    );
}

type StepResult = Result<(Outcome, Option<actix_web::cookie::Cookie<'static>>), AppError>;

/// What a resident's request brings to its step.
struct Arrival {
    clock: Clock,
    cookie: Option<String>,
    path: String,
    query: HashMap<String, String>,
    lang: Lang,
    secure: bool,
    client_addr: Option<String>,
}

/// The body of `run_step` on a connection (inside a transaction for submissions, which
/// lock the session row first).
fn step<F>(
    conn: &mut PgConnection,
    tenant: Tenant,
    arrival: Arrival,
    form: Option<Submitted<F>>,
    work: impl FnOnce(&mut PgConnection, &mut Cx, Option<F>) -> Result<Outcome, AppError>,
) -> StepResult {
    let Arrival {
        clock,
        cookie,
        path,
        query,
        lang,
        secure,
        client_addr,
    } = arrival;
    let session = Session::open(conn, &clock, &tenant, cookie.as_deref(), form.is_some())?;
    let mut cx = Cx {
        tenant,
        session,
        lang,
        clock,
        path,
        query,
        client_addr,
    };
    let outcome = match form {
        Some(form) if !cx.session.csrf_matches(Some(&form.csrf)) => expired_page(&cx),
        Some(form) => {
            // The first form that comes back valid is when the session gets its row.
            let tenant_id = cx.tenant.id;
            cx.session.persist(conn, &clock, tenant_id)?;
            work(conn, &mut cx, Some(form.fields))?
        }
        None => work(conn, &mut cx, None)?,
    };
    let tenant_id = cx.tenant.id;
    cx.session.save(conn, &clock, tenant_id)?;
    Ok((outcome, cx.session.cookie(secure)))
}

/// Everything a step works with, inside its database transaction.
pub struct Cx {
    pub tenant: Tenant,
    pub session: Session,
    pub lang: Lang,
    pub clock: Clock,
    /// The path of this page without query, for the language switch.
    pub path: String,
    pub query: HashMap<String, String>,
    /// The client's address, for what is counted per network.
    pub client_addr: Option<String>,
}

impl Cx {
    /// `path` with the language kept.
    pub fn url(&self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!("{path}{separator}lang={}", self.lang.code())
    }

    pub fn book_url(&self, procedure: &str, step: &str) -> String {
        self.url(&format!("/{}/book/{procedure}/{step}", self.tenant.code))
    }

    pub fn frame(&self, title: String, back: Option<String>, errors: Vec<FieldError>) -> PageFrame {
        PageFrame {
            lang: self.lang,
            title,
            switch_href: super::pages::other_language_href(&self.path, &self.query, self.lang),
            back_href: back,
            errors,
            nav: Vec::new(),
            staff: None,
        }
    }

    pub fn form(&self, action: String) -> FormVm {
        FormVm {
            action,
            csrf: self.session.csrf.clone(),
        }
    }

    pub fn text(&self, key: &str) -> String {
        t(self.lang, key)
    }

    pub fn pick(&self, ja: &str, en: &str) -> String {
        super::pages::pick(self.lang, ja, en)
    }

    pub fn procedure(&self, conn: &mut PgConnection, code: &str) -> Result<Procedure, AppError> {
        Procedure::active_by_code(conn, self.tenant.id, code)?
            .ok_or(AppError::NotFound(Resource::Procedure))
    }
}

pub fn lang_of(req: &HttpRequest) -> Lang {
    query_of(req)
        .get("lang")
        .and_then(|code| Lang::from_code(code))
        .unwrap_or(Lang::Ja)
}

pub fn query_of(req: &HttpRequest) -> HashMap<String, String> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// Runs one step: loads the tenant and the session, lets `work` decide, saves the session,
/// and turns the outcome (or an error) into a response. With `form`, the CSRF token is
/// checked first; a stale or forged form gets a page that offers to start again.
pub async fn run_step<F: Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    tenant_code: String,
    form: Option<Submitted<F>>,
    work: impl FnOnce(&mut PgConnection, &mut Cx, Option<F>) -> Result<Outcome, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    let lang = lang_of(req);
    let arrival = Arrival {
        clock: state.clock(),
        cookie: super::extract::read_cookie(req, session::COOKIE),
        path: req.path().to_string(),
        query: query_of(req),
        lang,
        secure: super::extract::https_site(req),
        client_addr: super::extract::client_addr(req),
    };
    let submitted = form.is_some();
    let result = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        if submitted {
            conn.transaction(|conn| step(conn, tenant, arrival, form, work))
        } else {
            step(conn, tenant, arrival, form, work)
        }
    })
    .await;
    match result {
        Ok((outcome, cookie)) => {
            let mut response = outcome.into_response();
            if let Some(cookie) = cookie {
                let _ = response.add_cookie(&cookie);
            }
            response
        }
        Err(error) => error_page(req, lang, &error),
    }
}

fn expired_page(cx: &Cx) -> Outcome {
    let html = message::render(MessageVm {
        frame: cx.frame(cx.text("expired_title"), None, Vec::new()),
        text: cx.text("expired_text"),
        link_href: cx.url(&format!("/{}/", cx.tenant.code)),
        link_text: cx.text("start_again"),
        more_links: Vec::new(),
    });
    Outcome::Page(StatusCode::FORBIDDEN, html)
}

/// "This is booked already" at the first step that can know it: any place this session
/// holds is given back at once, and the resident is shown where the booking can be seen
/// and changed, and whom to call. `own_code` is the booking's code when the resident has
/// just proven they hold its card (the same proof the look-up asks for).
pub fn already_booked_page(
    conn: &mut PgConnection,
    cx: &mut Cx,
    own_code: Option<&str>,
) -> Result<Outcome, AppError> {
    crate::db::hold::Hold::release_client(conn, cx.tenant.id, &cx.session.token)?;
    let procedure = cx.session.state.flow.procedure.clone().unwrap_or_default();
    cx.session.state.flow = session::Flow {
        procedure: Some(procedure),
        ..session::Flow::default()
    };
    let (link_href, link_text) = match own_code {
        Some(code) => {
            if !cx.session.state.owns(code) {
                cx.session.state.managing.push(code.to_string());
            }
            (
                cx.url(&format!("/{}/booking/{code}", cx.tenant.code)),
                cx.text("already_booked_show"),
            )
        }
        None => (
            cx.url(&format!("/{}/booking", cx.tenant.code)),
            cx.text("already_booked_lookup"),
        ),
    };
    let html = message::render(MessageVm {
        frame: cx.frame(cx.text("already_booked_title"), None, Vec::new()),
        text: tf(
            cx.lang,
            "already_booked_text",
            &[("phone", &cx.tenant.inquiry_phone)],
        ),
        link_href,
        link_text,
        more_links: vec![(
            cx.url(&format!("/{}/", cx.tenant.code)),
            cx.text("already_booked_other"),
        )],
    });
    Ok(Outcome::Page(StatusCode::CONFLICT, html))
}

/// How far the booking flow must have come for a step.
#[derive(Clone, Copy)]
pub enum Reached {
    /// The flow is for this procedure.
    Procedure,
    /// …and a time has been chosen (and held).
    Time,
}

impl Reached {
    /// Where to send a reader who has not come that far (a bookmark, a stale tab).
    pub fn check(self, cx: &Cx, procedure: &str) -> Option<Outcome> {
        let flow = &cx.session.state.flow;
        if flow.procedure.as_deref() != Some(procedure) {
            // The last steps of a flow that has booked (Back from the confirmation) show
            // that booking; any other step starts afresh.
            if let (Reached::Time, Some((finished, code))) = (self, &cx.session.state.finished) {
                if finished == procedure {
                    return Some(Outcome::Redirect(
                        cx.url(&format!("/{}/book/done/{code}", cx.tenant.code)),
                    ));
                }
            }
            return Some(Outcome::Redirect(cx.book_url(procedure, "")));
        }
        if matches!(self, Reached::Time) && flow.slot_id.is_none() {
            return Some(Outcome::Redirect(cx.book_url(procedure, "date")));
        }
        None
    }
}

/// A step of the booking flow of the procedure in the path: `run_step`, after sending a
/// reader who has not reached the step back to where they belong.
pub async fn run_flow_step<F: Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    (tenant, procedure): (String, String),
    form: Option<Submitted<F>>,
    reached: Reached,
    work: impl FnOnce(&mut PgConnection, &mut Cx, &str, Option<F>) -> Result<Outcome, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    run_step(state, req, tenant, form, move |conn, cx, form| {
        // A browser without a session yet is at the start of this procedure's flow
        // (the start page stores nothing for it).
        if cx.session.is_fresh() && cx.session.state.flow.procedure.is_none() {
            let found = cx.procedure(conn, &procedure)?;
            cx.session.state.flow.procedure = Some(found.code.clone());
        }
        match reached.check(cx, &procedure) {
            Some(back) => Ok(back),
            None => work(conn, cx, &procedure, form),
        }
    })
    .await
}

pub use crate::http::error_pages::error_page;

/// A field error of a form.
pub fn field_error(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_string(),
        message,
    }
}

pub fn page(html: String) -> Result<Outcome, AppError> {
    Ok(Outcome::Page(StatusCode::OK, html))
}

pub fn invalid_page(html: String) -> Result<Outcome, AppError> {
    Ok(Outcome::Page(StatusCode::UNPROCESSABLE_ENTITY, html))
}

pub fn redirect(to: String) -> Result<Outcome, AppError> {
    Ok(Outcome::Redirect(to))
}
