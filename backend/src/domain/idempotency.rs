//! Safe retries of writes: a client names a write with an `Idempotency-Key`; the first
//! answer is stored in the write's own transaction, and a retry with the same key gets that
//! answer back instead of booking, moving or cancelling a second time. A booking committed
//! at the instant a connection broke is then found by the retry, code and all.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys as keys;
use crate::error::AppError;

/// The header a client names its write with.
pub const HEADER: &str = "Idempotency-Key";
/// How long an answer is kept for retries (the daily job forgets older keys).
pub const KEPT_FOR: Duration = Duration::hours(24);

const KEY_CHARS: std::ops::RangeInclusive<usize> = 8..=200;

/// One write as the client named it: the key and what the request said.
#[derive(Clone, Debug)]
pub struct Retry {
    key: String,
    request_hash: Vec<u8>,
}

impl Retry {
    /// The key as sent (8–200 visible ASCII characters, such as a UUID) and a digest of the
    /// operation, the path and the body, so the same key with another request is told apart.
    pub fn new(key: &str, operation: &str, path: &str, body: &[u8]) -> Result<Retry, AppError> {
        if !KEY_CHARS.contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::invalid(HEADER, "invalid_idempotency_key"));
        }
        let mut digest = Sha256::new();
        for part in [operation.as_bytes(), path.as_bytes(), body] {
            digest.update((part.len() as u64).to_be_bytes());
            digest.update(part);
        }
        Ok(Retry {
            key: key.to_string(),
            request_hash: digest.finalize().to_vec(),
        })
    }
}

/// An answer given before: its HTTP status and body.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// The answer stored for `retry`'s key, if any; a key first used for another request is
/// refused.
pub fn earlier(
    conn: &mut PgConnection,
    tenant_id: i64,
    retry: &Retry,
) -> Result<Option<Answer>, AppError> {
    let stored: Option<(Vec<u8>, i16, Value)> = keys::table
        .find((tenant_id, &retry.key))
        .select((keys::request_hash, keys::status, keys::response))
        .first(conn)
        .optional()?;
    match stored {
        None => Ok(None),
        Some((hash, _, _)) if hash != retry.request_hash => {
            Err(AppError::invalid(HEADER, "invalid_idempotency_key_reused"))
        }
        Some((_, status, body)) => Ok(Some(Answer {
            status: status as u16,
            body,
        })),
    }
}

/// Runs `work` (a write answering `status` with its body) and, with a key, stores its answer
/// in the same transaction. The caller has asked `earlier` first (before any step a retry
/// must not repeat); a twin request that commits in between is answered here. Without a
/// key, the work simply runs: the booking services open their own transactions.
pub fn once(
    conn: &mut PgConnection,
    tenant_id: i64,
    retry: Option<&Retry>,
    now: DateTime<Utc>,
    status: u16,
    mut work: impl FnMut(&mut PgConnection) -> Result<Value, AppError>,
) -> Result<Answer, AppError> {
    let Some(retry) = retry else {
        let body = work(conn)?;
        return Ok(Answer { status, body });
    };
    let done = crate::db::transaction(conn, |conn| {
        let body = work(conn)?;
        diesel::insert_into(keys::table)
            .values((
                keys::tenant_id.eq(tenant_id),
                keys::key.eq(&retry.key),
                keys::request_hash.eq(&retry.request_hash),
                keys::status.eq(status as i16),
                keys::response.eq(&body),
                keys::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(body)
    });
    match done {
        Ok(body) => Ok(Answer { status, body }),
        // The same key in flight twice: the twin that committed first answers both (its key
        // row made this transaction wait and then fail, undoing this one's write).
        Err(e) => match earlier(conn, tenant_id, retry)? {
            Some(answer) => Ok(answer),
            None => Err(e),
        },
    }
}

/// Forgets answers older than `KEPT_FOR`; returns how many.
pub fn forget_old(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(keys::table.filter(keys::created_at.lt(now - KEPT_FOR))).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_visible_ascii_of_a_sensible_length() {
        for bad in [
            "short",
            "has space in it",
            "改行のないキーです",
            &"k".repeat(201),
        ] {
            assert!(Retry::new(bad, "book", "/", b"{}").is_err(), "{bad:?}");
        }
        assert!(Retry::new("0b7c1a52-3f7e-4d4e-9a53-6a1c4b2f9e10", "book", "/", b"{}").is_ok());
    }

    #[test]
    fn the_digest_tells_requests_apart_and_not_their_parts_run_together() {
        let hash = |op: &str, path: &str, body: &[u8]| {
            Retry::new("key-12345", op, path, body)
                .unwrap()
                .request_hash
        };
        assert_eq!(hash("book", "/a", b"{}"), hash("book", "/a", b"{}"));
        assert_ne!(hash("book", "/a", b"{}"), hash("book", "/a", b"{ }"));
        assert_ne!(hash("move", "/a", b"{}"), hash("cancel", "/a", b"{}"));
        assert_ne!(hash("book", "/ab", b"c"), hash("book", "/a", b"bc"));
    }
}
