//! Errors as a browser should see them: a page in the site's layout and the reader's
//! language, for every status (404, 403, 429, 503 …) and whatever produced it (a handler, an
//! unknown path, a form that could not be read). JSON problem documents stay for `/api/`.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse};
use madoguchi_frontend::i18n::{t, Lang};
use madoguchi_frontend::pages::message;
use madoguchi_frontend::view_models::{MessageVm, PageFrame};

use crate::error::{AppError, Resource};
use crate::http::page::{lang_of, Outcome, PageRequest};

/// Seconds a client should wait before trying again after a 429 or a 503.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// The middleware that turns every error answer outside `/api/` into a page.
pub fn handlers<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(into_page)
}

fn into_page<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let request = response.request();
    let already_a_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if already_a_page || !wants_a_page(request.path()) {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let lang = lang_of(request);
    let error = response
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>());
    let page = page_for(request, lang, status, error);
    let (request, _) = response.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, page).map_into_right_body::<B>(),
    ))
}

/// Machines read `/api/` and the health check; people read everything else.
fn wants_a_page(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/health" || path == "/ready")
}

/// The page for an error of a request: what happened, in words, and where to go on.
pub fn page_for(
    request: &HttpRequest,
    lang: Lang,
    status: StatusCode,
    error: Option<&AppError>,
) -> HttpResponse {
    if let Some(error) = error {
        error.log_if_server_error();
    }
    // A refusal with its own words (no such city, no permission …) says them as the
    // heading, with what the status means below; otherwise the status speaks.
    let specific = error
        .filter(|e| status.is_client_error() && !matches!(e, AppError::NotFound(Resource::Page)));
    let (title, message) = match (specific, error) {
        (Some(error), _) => (error.message_in(lang), t(lang, status_key(status))),
        (None, Some(error)) if error.is_service_unavailable() => (
            t(lang, &format!("{}_title", status_key(status))),
            error.message_in(lang),
        ),
        _ => (
            t(lang, &format!("{}_title", status_key(status))),
            t(lang, status_key(status)),
        ),
    };
    let (link_href, link_key) = way_on(request.path(), error);
    let html = message::render(MessageVm {
        frame: PageFrame {
            lang,
            title,
            here: here(request),
            back_href: None,
            errors: Vec::new(),
            nav: Vec::new(),
            staff: None,
            banner: None,
            training: false,
            footer_base: None,
        },
        text: message,
        link_href: format!("{link_href}?lang={}", lang.code()),
        link_text: t(lang, link_key),
        more_links: Vec::new(),
    });
    let mut page = super::page::html(status, html);
    if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
        let seconds = error.map_or(RETRY_AFTER_SECONDS, AppError::retry_after);
        page.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    page
}

/// The catalogue key of what a status means for a reader.
fn status_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 | 405 => "page_error_not_found",
        403 => "page_error_forbidden",
        413 => "page_error_too_large",
        429 => "page_error_too_many",
        503 => "page_error_unavailable",
        500..=599 => "page_error_internal",
        _ => "page_error_bad_request",
    }
}

/// Where a reader goes on from an error: the console's front page, the city's start
/// page, or the list of cities when the city itself is unknown.
fn way_on(path: &str, error: Option<&AppError>) -> (String, &'static str) {
    let mut parts = path.trim_start_matches('/').split('/');
    let tenant = parts
        .next()
        .filter(|code| is_plain_code(code))
        .filter(|_| !matches!(error, Some(AppError::NotFound(Resource::Tenant))));
    match (tenant, parts.next()) {
        (Some(tenant), Some("staff")) => (format!("/{tenant}/staff/"), "page_error_to_console"),
        (Some(tenant), _) => (format!("/{tenant}/"), "page_error_to_start"),
        (None, _) => ("/".to_string(), "page_error_to_cities"),
    }
}

fn is_plain_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The address without its language; only plain paths are echoed back.
fn here(request: &HttpRequest) -> String {
    let path = request.path();
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b))
        && !path.starts_with("//");
    let path = if plain { path } else { "/" };
    path.to_string()
}

/// An error inside a page handler, as a page (for handlers that catch their own errors).
pub fn error_page(request: &HttpRequest, lang: Lang, error: &AppError) -> HttpResponse {
    use actix_web::ResponseError;
    page_for(request, lang, error.status_code(), Some(error))
}

impl PageRequest {
    /// The response for what a step decided, or the error page in the reader's language.
    pub fn respond(&self, result: Result<Outcome, AppError>) -> HttpResponse {
        match result {
            Ok(outcome) => outcome.into_response(),
            Err(error) => self.error_page(&error),
        }
    }

    pub fn error_page(&self, error: &AppError) -> HttpResponse {
        error_page(&self.req, self.lang(), error)
    }
}
