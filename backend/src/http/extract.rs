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

/// A submitted page form: the CSRF token every form carries, and the fields of that form
/// (a struct per form, so that a handler names what it reads and the compiler knows it).
#[derive(serde::Deserialize, Debug, Clone)]
pub struct Submitted<T> {
    #[serde(default)]
    pub csrf: String,
    #[serde(flatten)]
    pub fields: T,
}

/// The form of a page that only shows something.
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct NoFields {}

/// What a step that reads no form passes as its form.
pub const VIEW: Option<Submitted<NoFields>> = None;

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
                    AppError::invalid_with(
                        "body",
                        "invalid_body_unreadable",
                        &[("problem", &e.to_string())],
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
                    return Err(AppError::invalid_with(
                        field,
                        "invalid_control_characters",
                        &[("field", field)],
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
            return AppError::invalid_with(&field, "invalid_field_required", &[("field", &field)]);
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
        AppError::invalid_with(
            &field,
            "invalid_field_value",
            &[("field", &field), ("problem", &message)],
        )
    })
}

/// The client's address: the connection's, or, when the connection comes from a trusted
/// reverse proxy, the first address in `Forwarded` (or `X-Forwarded-For`) counted from the
/// right that is not one of the trusted proxies. Anyone else's headers are ignored.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    let trusted = req
        .app_data::<web::Data<crate::http::state::AppState>>()
        .map(|state| state.config.trusted_proxies.as_slice())
        .unwrap_or(&[]);
    Some(forwarded_client(peer, req.headers(), trusted))
}

pub fn forwarded_client(
    peer: IpAddr,
    headers: &actix_web::http::header::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| hop.trim().to_string())
            .collect()
    };
    let forwarded: Vec<String> = values("forwarded")
        .iter()
        .filter_map(|hop| {
            hop.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for")
                    .then(|| value.trim_matches('"').to_string())
            })
        })
        .collect();
    let hops = if forwarded.is_empty() {
        values("x-forwarded-for")
    } else {
        forwarded
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => return ip,
            // "unknown", an obfuscated name or garbage: the last address known is used.
            None => return client,
        }
    }
    client
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse::<IpAddr>().ok();
    }
    hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
}

/// Whether the site is reached over HTTPS (its public URL), which makes cookies `Secure`.
/// Never from a request header: a client could send `X-Forwarded-Proto` itself.
pub fn https_site(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<crate::http::state::AppState>>()
        .is_some_and(|state| state.config.https())
}

/// Over HTTPS a cookie's name carries the `__Host-` prefix: browsers then accept it only
/// when Secure, for the whole site, and set by this host alone.
pub fn cookie_name(base: &str, https: bool) -> String {
    if https {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// The value of the cookie named `base` (with the prefix the site uses).
pub fn read_cookie(req: &HttpRequest, base: &str) -> Option<String> {
    req.cookie(&cookie_name(base, https_site(req)))
        .map(|c| c.value().to_string())
}

pub fn client_addr(req: &HttpRequest) -> Option<String> {
    client_ip(req).map(|ip| ip.to_string())
}

pub fn load_tenant(conn: &mut diesel::PgConnection, code: &str) -> Result<Tenant, AppError> {
    Tenant::by_code_acting_for(conn, code)?.ok_or(AppError::NotFound(Resource::Tenant))
}

pub use crate::domain::input::url_encode;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn forwarded_addresses_are_read_from_the_right_past_trusted_proxies() {
        let trusted = crate::config::parse_networks("10.0.0.0/8").unwrap();
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let outsider: IpAddr = "192.0.2.9".parse().unwrap();
        let chain = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.3")]);
        // The left-most entry is whatever the client wrote; the first untrusted from the
        // right is the one the proxies saw.
        assert_eq!(
            forwarded_client(proxy, &chain, &trusted),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(forwarded_client(outsider, &chain, &trusted), outsider);
        let standard = headers(&[(
            "forwarded",
            "for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.3",
        )]);
        assert_eq!(
            forwarded_client(proxy, &standard, &trusted),
            "2001:db8::7".parse::<IpAddr>().unwrap()
        );
        let hidden = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(forwarded_client(proxy, &hidden, &trusted), proxy);
        assert_eq!(forwarded_client(proxy, &HeaderMap::new(), &trusted), proxy);
    }
}
