//! The plumbing every server-rendered page shares, resident's and console's alike: what a
//! request brings before its body is read (`PageRequest`, `Arrival`), what a step works with
//! (`PageCx`), what it decides (`Outcome`) and how that becomes a response.

use std::collections::HashMap;
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use madoguchi_frontend::i18n::{t, Lang};
use madoguchi_frontend::view_models::FieldError;

use crate::db::maintenance::MaintenanceWindow;
use crate::db::tenant::Tenant;
use crate::domain::Clock;
use crate::error::AppError;
use crate::http::extract::{self, Submitted};
use crate::http::state::AppState;

/// What a page step decided: show a page, or send the browser elsewhere (303).
pub enum Outcome {
    Page(StatusCode, String),
    Redirect(String),
    /// A download or image belonging to a page (QR code, calendar file).
    File {
        content_type: &'static str,
        body: web::Bytes,
    },
    /// A file to save under `filename`.
    Download {
        content_type: &'static str,
        filename: String,
        body: web::Bytes,
    },
    /// A download produced piece by piece (large exports), never whole in memory.
    Stream {
        content_type: &'static str,
        filename: String,
        chunks: tokio::sync::mpsc::Receiver<web::Bytes>,
    },
}

impl Outcome {
    pub fn into_response(self) -> HttpResponse {
        match self {
            Outcome::Page(status, html) => self::html(status, html),
            // Never cached: where a step sends the browser depends on the session, and a
            // remembered redirect would replay a finished flow on Back.
            Outcome::Redirect(to) => HttpResponse::SeeOther()
                .insert_header(("Location", to))
                .insert_header(("Cache-Control", "no-store"))
                .finish(),
            Outcome::File { content_type, body } => HttpResponse::Ok()
                .content_type(content_type)
                .insert_header(("Cache-Control", "private, no-store"))
                .body(body),
            Outcome::Download {
                content_type,
                filename,
                body,
            } => HttpResponse::Ok()
                .content_type(content_type)
                .insert_header(("Cache-Control", "private, no-store"))
                .insert_header(attachment(&filename))
                .body(body),
            Outcome::Stream {
                content_type,
                filename,
                chunks,
            } => HttpResponse::Ok()
                .content_type(content_type)
                .insert_header(("Cache-Control", "private, no-store"))
                .insert_header(attachment(&filename))
                .streaming(futures_util::stream::unfold(
                    chunks,
                    |mut chunks| async move {
                        chunks
                            .recv()
                            .await
                            .map(|chunk| (Ok::<_, actix_web::Error>(chunk), chunks))
                    },
                )),
        }
    }
}

/// Saves the answer as `filename` (a plain name the service made, never typed by anyone).
fn attachment(filename: &str) -> (&'static str, String) {
    (
        "Content-Disposition",
        format!("attachment; filename=\"{filename}\""),
    )
}

/// An HTML page; never cached, since pages show personal answers.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

pub fn page(html: String) -> Result<Outcome, AppError> {
    Ok(Outcome::Page(StatusCode::OK, html))
}

/// A form sent back with its problems marked.
pub fn invalid_page(html: String) -> Result<Outcome, AppError> {
    Ok(Outcome::Page(StatusCode::UNPROCESSABLE_ENTITY, html))
}

pub fn redirect(to: String) -> Result<Outcome, AppError> {
    Ok(Outcome::Redirect(to))
}

/// A field error of a form.
pub fn field_error(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_string(),
        message,
    }
}

/// The city's text for the page's readers (`Lang::pick`), owned.
pub fn pick(lang: Lang, ja: &str, en: &str) -> String {
    lang.pick(ja, en).to_string()
}

/// The same page in the other language: its path with the query it had, `lang` switched.
pub fn address_without_language(path: &str, query: &HashMap<String, String>) -> String {
    let mut pairs: Vec<(&String, &String)> =
        query.iter().filter(|(k, _)| k.as_str() != "lang").collect();
    pairs.sort();
    let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// The cookie that keeps a reader's choice of language.
pub const LANGUAGE_COOKIE: &str = "madoguchi_lang";

/// The page's language: the address's `lang=`, else the reader's last choice (kept in a
/// cookie), else the browser's preferred language among ours, else Japanese.
pub fn lang_of(req: &HttpRequest) -> Lang {
    let chosen = |code: Option<String>| code.and_then(|code| Lang::from_code(&code));
    chosen(query_of(req).get("lang").cloned())
        .or_else(|| chosen(crate::http::extract::read_cookie(req, LANGUAGE_COOKIE)))
        .or_else(|| {
            req.headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Ja)
}

/// Middleware: a page asked for with `lang=` keeps that choice for a year, so the next
/// visit without it (a bookmark, a link from a mail) opens in the same language.
pub async fn remember_language(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let chosen = query_of(req.request())
        .get("lang")
        .and_then(|code| Lang::from_code(code));
    let secure = crate::http::extract::https_site(req.request());
    let mut response = next.call(req).await?;
    if let Some(lang) = chosen {
        let kept = crate::http::extract::read_cookie(response.request(), LANGUAGE_COOKIE);
        if kept.as_deref() != Some(lang.code()) {
            let cookie = actix_web::cookie::Cookie::build(
                crate::http::extract::cookie_name(LANGUAGE_COOKIE, secure),
                lang.code(),
            )
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(actix_web::cookie::SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
            let _ = response.response_mut().add_cookie(&cookie);
        }
    }
    Ok(response)
}

pub fn query_of(req: &HttpRequest) -> HashMap<String, String> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// A page request before its body is read: the first argument of every page handler, so
/// that the session, permission and CSRF checks of its step come before the form.
pub struct PageRequest {
    pub state: web::Data<AppState>,
    pub req: HttpRequest,
    /// The city's code from the path (`/{tenant}/…`).
    pub tenant_code: String,
}

impl FromRequest for PageRequest {
    type Error = AppError;
    type Future = std::future::Ready<Result<PageRequest, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no application state")));
        std::future::ready(state.map(|state| {
            PageRequest {
                state,
                tenant_code: req
                    .match_info()
                    .get("tenant")
                    .unwrap_or_default()
                    .to_string(),
                req: req.clone(),
            }
        }))
    }
}

impl PageRequest {
    pub fn lang(&self) -> Lang {
        lang_of(&self.req)
    }

    /// What the step will need of the request, in a form that can cross to the database
    /// thread.
    pub fn arrival(&self) -> Arrival {
        Arrival {
            lang: self.lang(),
            clock: self.state.clock(),
            path: self.req.path().to_string(),
            query: query_of(&self.req),
            client_addr: extract::client_addr(&self.req),
            client_ip: extract::client_ip(&self.req),
            secure: extract::https_site(&self.req),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        extract::read_cookie(&self.req, name)
    }
}

/// What a page request brings to its step.
#[derive(Clone)]
pub struct Arrival {
    pub lang: Lang,
    pub clock: Clock,
    /// The path without query, for the language switch.
    pub path: String,
    pub query: HashMap<String, String>,
    pub client_addr: Option<String>,
    pub client_ip: Option<IpAddr>,
    /// Whether the site is reached over HTTPS (cookies are then `Secure`).
    pub secure: bool,
}

impl Arrival {
    pub fn at(self, tenant: Tenant) -> PageCx {
        PageCx {
            tenant,
            lang: self.lang,
            clock: self.clock,
            path: self.path,
            query: self.query,
            client_addr: self.client_addr,
            banner: None,
        }
    }
}

/// What every page step works with, resident's or staff's: the city, the reader's
/// language, the clock, and the address asked for.
pub struct PageCx {
    pub tenant: Tenant,
    pub lang: Lang,
    pub clock: Clock,
    /// The path of this page without query, for the language switch.
    pub path: String,
    pub query: HashMap<String, String>,
    /// The client's address, for what is counted per network and for the audit log.
    pub client_addr: Option<String>,
    /// The announced stop shown on this page, in the reader's language.
    pub banner: Option<String>,
}

impl PageCx {
    /// `path` with the language kept.
    pub fn url(&self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!("{path}{separator}lang={}", self.lang.code())
    }

    /// Reads the announced stop to show on this page, if one is announced now.
    pub fn load_banner(&mut self, conn: &mut diesel::PgConnection) -> Result<(), AppError> {
        self.banner = MaintenanceWindow::showing(conn, self.tenant.id, self.clock.now)?
            .map(|w| pick(self.lang, &w.text_ja, &w.text_en));
        Ok(())
    }

    /// This page's address without its language (the language switch adds it).
    pub fn here(&self) -> String {
        address_without_language(&self.path, &self.query)
    }

    pub fn text(&self, key: &str) -> String {
        t(self.lang, key)
    }

    pub fn pick(&self, ja: &str, en: &str) -> String {
        pick(self.lang, ja, en)
    }

    /// A query value, trimmed; `None` when absent or blank.
    pub fn param(&self, key: &str) -> Option<String> {
        self.query
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

impl PageRequest {
    /// A part of the path by its name in the route (`{code}`, `{procedure}`).
    pub fn path_part(&self, name: &str) -> String {
        self.req
            .match_info()
            .get(name)
            .unwrap_or_default()
            .to_string()
    }
}

/// A submitted page form with its request: the fields and the CSRF token they came with.
pub struct Posted<F> {
    pub page: PageRequest,
    pub form: Submitted<F>,
}

impl<F: serde::de::DeserializeOwned + 'static> FromRequest for Posted<F> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let page = PageRequest::from_request(req, payload).into_inner();
        let form = web::Form::<Submitted<F>>::from_request(req, payload);
        Box::pin(async move {
            let page = page?;
            let form = form.await?.into_inner();
            Ok(Posted { page, form })
        })
    }
}

impl<F> std::ops::Deref for Posted<F> {
    type Target = PageRequest;
    fn deref(&self) -> &PageRequest {
        &self.page
    }
}
