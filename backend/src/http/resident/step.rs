//! How a resident's page step runs: the tenant and the session are loaded, a submitted
//! form's token is checked, the step decides inside one transaction, the session is saved
//! and the outcome becomes the response.

use std::ops::{Deref, DerefMut};

use actix_web::http::StatusCode;
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::message;
use madoguchi_frontend::view_models::{FieldError, FormVm, MessageVm, PageFrame};

use super::session::{self, Session};
use crate::db::procedure::Procedure;
use crate::domain::city_texts::CityTexts;
use crate::domain::Actor;
use crate::error::{AppError, Resource};
use crate::http::error_pages::error_page;
use crate::http::extract::{load_tenant, Submitted};
use crate::http::page::{Arrival, Outcome, PageCx, PageRequest, Posted};

/// Everything a resident's step works with, inside its database transaction: the page's
/// context and the resident's session.
pub struct Cx {
    pub page: PageCx,
    pub session: Session,
    /// The city's own texts (procedures, counters) in the reader's language.
    pub texts: CityTexts,
}

impl Deref for Cx {
    type Target = PageCx;
    fn deref(&self) -> &PageCx {
        &self.page
    }
}

impl DerefMut for Cx {
    fn deref_mut(&mut self) -> &mut PageCx {
        &mut self.page
    }
}

impl Cx {
    pub fn book_url(&self, procedure: &str, step: &str) -> String {
        self.url(&format!("/{}/book/{procedure}/{step}", self.tenant.code))
    }

    pub fn frame(&self, title: String, back: Option<String>, errors: Vec<FieldError>) -> PageFrame {
        PageFrame {
            lang: self.lang,
            title,
            here: self.here(),
            back_href: back,
            errors,
            nav: Vec::new(),
            staff: None,
            banner: self.banner.clone(),
            training: self.tenant.training,
            footer_base: Some(format!("/{}", self.tenant.code)),
        }
    }

    pub fn form(&self, action: String) -> FormVm {
        FormVm {
            action,
            csrf: self.session.csrf.clone(),
        }
    }

    pub fn procedure(&self, conn: &mut PgConnection, code: &str) -> Result<Procedure, AppError> {
        Procedure::online_by_code(conn, self.tenant.id, code)?
            .ok_or(AppError::NotFound(Resource::Procedure))
    }
}

type StepResult = Result<(Outcome, Option<actix_web::cookie::Cookie<'static>>), AppError>;

/// The body of a step on a connection (inside a transaction for submissions, which lock
/// the session row first).
fn step<F>(
    conn: &mut PgConnection,
    tenant_code: &str,
    arrival: Arrival,
    cookie: Option<String>,
    form: Option<Submitted<F>>,
    work: &impl Fn(&mut PgConnection, &mut Cx, Option<F>) -> Result<Outcome, AppError>,
) -> StepResult {
    let tenant = load_tenant(conn, tenant_code)?;
    let secure = arrival.secure;
    let clock = arrival.clock;
    let session = Session::open(conn, &clock, &tenant, cookie.as_deref(), form.is_some())?;
    let texts = CityTexts::load(conn, tenant.id, arrival.lang)?;
    let mut cx = Cx {
        page: arrival.at(tenant),
        session,
        texts,
    };
    cx.page.load_banner(conn)?;
    let tenant_id = cx.tenant.id;
    let outcome = match form {
        Some(form) if !cx.session.csrf_matches(Some(&form.csrf)) => expired_page(&cx),
        Some(form) => {
            // The first form that comes back valid is when the session gets its row.
            cx.session.persist(conn, &clock, tenant_id)?;
            work(conn, &mut cx, Some(form.fields))?
        }
        None => work(conn, &mut cx, None)?,
    };
    cx.session.save(conn, &clock, tenant_id)?;
    Ok((outcome, cx.session.cookie(secure)))
}

/// Runs one step: loads the tenant and the session, lets `work` decide, saves the session,
/// and turns the outcome (or an error) into a response. With `form`, the CSRF token is
/// checked first; a stale or forged form gets a page that offers to start again.
async fn run<F: Clone + Send + 'static>(
    request: &PageRequest,
    form: Option<Submitted<F>>,
    work: impl Fn(&mut PgConnection, &mut Cx, Option<F>) -> Result<Outcome, AppError> + Send + 'static,
) -> actix_web::HttpResponse {
    let arrival = request.arrival();
    let lang = arrival.lang;
    let cookie = request.cookie(session::COOKIE);
    let tenant_code = request.tenant_code.clone();
    let submitted = form.is_some();
    let result = crate::db::run(&request.state.pool, move |conn| {
        // A submission is one transaction, run again from the start on a deadlock or a
        // serialization failure: the step is a function of the request alone.
        let attempt = |conn: &mut PgConnection| {
            step(
                conn,
                &tenant_code,
                arrival.clone(),
                cookie.clone(),
                form.clone(),
                &work,
            )
        };
        if submitted {
            crate::db::transaction(conn, attempt)
        } else {
            attempt(conn)
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
        Err(error) => error_page(&request.req, lang, &error),
    }
}

/// A step of the booking flow of the procedure in the path (`{procedure}`), after sending
/// a reader who has not reached the step back to where they belong.
fn in_flow<F>(
    procedure: String,
    reached: Reached,
    work: impl Fn(&mut PgConnection, &mut Cx, &str, Option<F>) -> Result<Outcome, AppError>,
) -> impl Fn(&mut PgConnection, &mut Cx, Option<F>) -> Result<Outcome, AppError> {
    move |conn, cx, form| {
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
    }
}

impl PageRequest {
    /// A resident's page that only shows something.
    pub async fn resident_step(
        &self,
        work: impl Fn(&mut PgConnection, &mut Cx) -> Result<Outcome, AppError> + Send + 'static,
    ) -> actix_web::HttpResponse {
        run(self, crate::http::extract::VIEW, move |conn, cx, _| {
            work(conn, cx)
        })
        .await
    }

    /// A page of the booking flow that only shows something.
    pub async fn flow_step(
        &self,
        reached: Reached,
        work: impl Fn(&mut PgConnection, &mut Cx, &str) -> Result<Outcome, AppError> + Send + 'static,
    ) -> actix_web::HttpResponse {
        let procedure = self.path_part("procedure");
        let work = in_flow(procedure, reached, move |conn, cx, procedure, _| {
            work(conn, cx, procedure)
        });
        run(self, crate::http::extract::VIEW, work).await
    }
}

impl<F: Clone + Send + 'static> Posted<F> {
    /// A resident's submitted form.
    pub async fn resident_step(
        self,
        work: impl Fn(&mut PgConnection, &mut Cx, F) -> Result<Outcome, AppError> + Send + 'static,
    ) -> actix_web::HttpResponse {
        run(&self.page, Some(self.form), move |conn, cx, form| {
            work(conn, cx, form.expect("a submitted form"))
        })
        .await
    }

    /// A resident's form that books, moves or cancels: counted against the network's and
    /// the session's budget of writes once its token is checked (so that another site
    /// cannot spend a network's budget through its visitors' browsers), and done as the
    /// resident at the client's address.
    pub async fn resident_write(
        self,
        work: impl Fn(&mut PgConnection, &mut Cx, F, &Actor) -> Result<Outcome, AppError>
            + Send
            + 'static,
    ) -> actix_web::HttpResponse {
        let actor = Actor::resident(crate::http::extract::client_addr(&self.page.req));
        let limits = self.page.state.clone();
        self.resident_step(move |conn, cx, form| {
            limits.check_write_rate(cx.client_addr.as_deref(), Some(&cx.session.token))?;
            work(conn, cx, form, &actor)
        })
        .await
    }

    /// A form of the booking flow.
    pub async fn flow_step(
        self,
        reached: Reached,
        work: impl Fn(&mut PgConnection, &mut Cx, &str, F) -> Result<Outcome, AppError> + Send + 'static,
    ) -> actix_web::HttpResponse {
        let procedure = self.page.path_part("procedure");
        let work = in_flow(procedure, reached, move |conn, cx, procedure, form| {
            work(conn, cx, procedure, form.expect("a submitted form"))
        });
        run(&self.page, Some(self.form), work).await
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
