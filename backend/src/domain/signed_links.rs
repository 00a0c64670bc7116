//! Links that prove who may open a booking without typing its code and proof: the link in
//! a resident's e-mail carries an expiry (the day after the visit) and an HMAC-SHA256 over
//! the tenant, the booking code and that expiry, with a key kept in the database.

use chrono::{DateTime, Utc};
use diesel::{PgConnection, QueryResult};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::db::signing_key;

const KEY_NAME: &str = "booking-links";

/// The signing key, made (once, by whichever process comes first) when missing. Reading it
/// is the usual case, so it is read first and written only when absent.
pub fn key(conn: &mut PgConnection) -> QueryResult<Vec<u8>> {
    named_key(conn, KEY_NAME)
}

/// The key stored under `name`, made when missing.
pub fn named_key(conn: &mut PgConnection, name: &str) -> QueryResult<Vec<u8>> {
    if let Some(found) = signing_key::find(conn, name)? {
        return Ok(found);
    }
    let mut fresh = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut fresh);
    signing_key::insert_if_missing(conn, name, &fresh)?;
    // Another process may have won the race: the stored key is the one.
    signing_key::find(conn, name)?.ok_or(diesel::result::Error::NotFound)
}

/// A token for the forms of a browser that has no session yet: an HMAC over the tenant and
/// the browser's cookie, so that nothing needs storing until the first form comes back.
pub fn form_token(key: &[u8], tenant_id: i64, cookie: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("form:{tenant_id}:{cookie}").as_bytes());
    crate::domain::secret::hex(&mac.finalize().into_bytes())
}

fn signature(key: &[u8], tenant: &str, code: &str, expires: i64) -> String {
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{tenant}:{code}:{expires}").as_bytes());
    crate::domain::secret::hex(&mac.finalize().into_bytes())
}

/// The query part of a signed link: `exp=…&sig=…`.
pub fn sign(key: &[u8], tenant: &str, code: &str, expires: DateTime<Utc>) -> String {
    let expires = expires.timestamp();
    format!(
        "exp={expires}&sig={}",
        signature(key, tenant, code, expires)
    )
}

/// Whether `sig` signs this booking until `exp`, and `exp` is still ahead.
pub fn verify(
    key: &[u8],
    tenant: &str,
    code: &str,
    exp: &str,
    sig: &str,
    now: DateTime<Utc>,
) -> bool {
    let Ok(expires) = exp.parse::<i64>() else {
        return false;
    };
    if expires <= now.timestamp() {
        return false;
    }
    let expected = signature(key, tenant, code, expires);
    crate::domain::secret::same(expected.as_bytes(), sig.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_opens_its_booking_until_it_expires_and_no_other() {
        let key = b"0123456789abcdef0123456789abcdef";
        let now = Utc::now();
        let query = sign(key, "demo", "ABCDEFGHJ", now + chrono::Duration::days(2));
        let (exp, sig) = query.split_once('&').unwrap();
        let (exp, sig) = (&exp[4..], &sig[4..]);
        assert!(verify(key, "demo", "ABCDEFGHJ", exp, sig, now));
        assert!(
            !verify(key, "demo", "ABCDEFGHK", exp, sig, now),
            "another booking"
        );
        assert!(
            !verify(key, "town", "ABCDEFGHJ", exp, sig, now),
            "another city"
        );
        assert!(!verify(
            key,
            "demo",
            "ABCDEFGHJ",
            exp,
            sig,
            now + chrono::Duration::days(3)
        ));
        let later = (exp.parse::<i64>().unwrap() + 86_400).to_string();
        assert!(
            !verify(key, "demo", "ABCDEFGHJ", &later, sig, now),
            "a stretched expiry"
        );
    }
}
