//! Checks every request passes before any handler sees it: no control characters in the
//! path or query (a `%00` or CR/LF never reaches a query or a header), and writes to the
//! JSON API only as JSON from the same site or from no browser at all.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::HttpResponse;

use crate::error::AppError;

/// Middleware: refuses a request whose decoded path or query holds a control character.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri();
    let query = uri.query().unwrap_or("");
    if has_control_character(uri.path()) || has_control_character(query) {
        return Ok(refuse(
            req,
            AppError::invalid("path", "invalid_address_control_characters"),
        ));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The answer to a refused request, with the error attached, so that the error pages
/// make it a page for a browser (an `Err` would pass them by).
fn refuse<B>(req: ServiceRequest, error: AppError) -> ServiceResponse<EitherBody<B>> {
    let response = HttpResponse::from_error(actix_web::Error::from(error));
    req.into_response(response).map_into_right_body()
}

/// Whether percent-decoded text holds a byte below 0x20 or DEL (or a raw one).
fn has_control_character(text: &str) -> bool {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        let byte = match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    i += 2;
                    (high * 16 + low) as u8
                }
                _ => b'%',
            },
            other => other,
        };
        if byte < 0x20 || byte == 0x7F {
            return true;
        }
        i += 1;
    }
    false
}

/// Middleware for `/api/`: a write (anything but GET and HEAD) must not come from a page
/// of another site (`Sec-Fetch-Site: cross-site`, or an `Origin` other than this site),
/// and one with a body must say it is JSON. A form on any web page could otherwise make
/// its visitors' browsers hold and book (a `text/plain` POST needs no preflight).
pub async fn api_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        if let Err(error) = check_api_write(&req) {
            return Ok(refuse(req, error));
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn check_api_write(req: &ServiceRequest) -> Result<(), AppError> {
    let headers = req.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return Err(AppError::CrossSite);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = text(header::HOST).unwrap_or("");
        let same = origin.to_str().ok().is_some_and(|origin| {
            origin
                .split_once("://")
                .is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && rest == host)
        });
        if !same {
            return Err(AppError::CrossSite);
        }
    }
    let has_body = req.method() != Method::DELETE
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|len| len != "0");
    if has_body {
        let json = text(header::CONTENT_TYPE).is_some_and(|content_type| {
            let essence = content_type.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case("application/json")
        });
        if !json {
            return Err(AppError::UnsupportedMediaType);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_raw_or_encoded() {
        for text in [
            "/%00",
            "a=%0d%0aSet-Cookie:x",
            "/%09/evil",
            "x=%7F",
            "a\tb",
            "%0A",
        ] {
            assert!(has_control_character(text), "{text}");
        }
        for text in [
            "/demo/",
            "next=%2Fdemo%2Fstaff%2F",
            "q=%E3%81%82",
            "100%",
            "%2",
            "a%zz",
        ] {
            assert!(!has_control_character(text), "{text}");
        }
    }
}
