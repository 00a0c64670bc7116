//! Request parsing at the boundary: JSON bodies with a size limit and the failing field
//! named, client addresses, tenant lookup.

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::db::tenant::Tenant;
use crate::error::{AppError, Resource};

pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body of at most 64 KiB; a value of the wrong shape is refused with its path.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|len| len > BODY_LIMIT) {
                return Err(AppError::PayloadTooLarge);
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    AppError::invalid(
                        "body",
                        "送信内容を読み取れませんでした。",
                        format!("The body could not be read: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > BODY_LIMIT {
                    return Err(AppError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(JsonBody)
        })
    }
}

/// Refuses a JSON text whose strings hold control characters (`\u0000`, CR …); only the
/// free-text `note` may have line breaks.
fn refuse_control_characters(body: &[u8]) -> Result<(), AppError> {
    fn check(value: &serde_json::Value, key: &str, path: &str) -> Result<(), AppError> {
        match value {
            serde_json::Value::String(text) => {
                let allowed = |c: char| key == "note" && matches!(c, '\n' | '\r');
                if text.chars().any(|c| c.is_control() && !allowed(c)) {
                    let field = path.trim_start_matches('.');
                    return Err(AppError::invalid(
                        field,
                        format!("「{field}」に使えない文字（制御文字）が含まれています。"),
                        format!("\"{field}\" contains control characters."),
                    ));
                }
                Ok(())
            }
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| check(item, key, &format!("{path}[{i}]"))),
            serde_json::Value::Object(map) => map
                .iter()
                .try_for_each(|(name, item)| check(item, name, &format!("{path}.{name}"))),
            _ => Ok(()),
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => check(&value, "", ""),
        // Not JSON at all: the typed parse below says where.
        Err(_) => Ok(()),
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    refuse_control_characters(body)?;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner().to_string();
        let path = error.path().to_string();
        if let Some(rest) = inner.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("");
            let field = if path == "." {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            return AppError::invalid(
                &field,
                format!("「{field}」を指定してください。"),
                format!("\"{field}\" is required."),
            );
        }
        let field = match inner.strip_prefix("unknown field `") {
            Some(rest) => {
                let name = rest.split('`').next().unwrap_or("");
                if path == "." {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                }
            }
            None if path == "." => "body".to_string(),
            None => path,
        };
        let message = inner
            .split(" at line ")
            .next()
            .unwrap_or(&inner)
            .to_string();
        AppError::invalid(
            &field,
            format!("「{field}」の値が正しくありません（{message}）。"),
            format!("The value of \"{field}\" is not valid: {message}."),
        )
    })
}

pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|addr| addr.ip())
}

pub fn client_addr(req: &HttpRequest) -> Option<String> {
    client_ip(req).map(|ip| ip.to_string())
}

pub fn load_tenant(conn: &mut diesel::PgConnection, code: &str) -> Result<Tenant, AppError> {
    Tenant::by_code(conn, code)?.ok_or(AppError::NotFound(Resource::Tenant))
}

pub use crate::domain::input::url_encode;
