//! A one-time code that shows the resident reads the address they typed, for tenants that ask
//! for it before a booking is made. The code goes out through the outbox like every message;
//! the resident's session keeps only a hash of it.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::outbox;
use crate::error::AppError;

/// How long a code may be used.
pub const VALID_MINUTES: i64 = 15;
/// Wrong entries allowed per code; then a new one must be sent.
pub const MAX_TRIES: u32 = 5;
/// Codes one booking in progress may ask for, so the form cannot be used to flood an address.
pub const MAX_SENDS: u32 = 5;

/// Whether the tenant confirms addresses before booking (`confirm_email` in its file).
pub fn required(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<bool> {
    Ok(super::settings::MailRules::of_tenant(conn, tenant_id)?.confirm_email)
}

/// A code sent and not yet entered, as the session keeps it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PendingCode {
    pub email: String,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub wrong_tries: u32,
    /// Codes sent for this booking so far, this one included.
    pub sends: u32,
}

impl PendingCode {
    /// Whether the code can still be entered: not too old, not mistyped too often.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        now <= self.expires_at && self.wrong_tries < MAX_TRIES
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Confirmed,
    Wrong {
        tries_left: u32,
    },
    /// Too old, or too many wrong tries: a new code is needed.
    Spent,
}

/// Codes one address receives in an hour, whichever sessions asked for them.
pub const MAX_PER_RECIPIENT_PER_HOUR: i64 = 5;
/// Codes one network (an IPv4 address or an IPv6 /64) may have sent in an hour.
pub const MAX_PER_NETWORK_PER_HOUR: i64 = 30;

fn hash(salt: &str, email: &str, code: &str) -> String {
    crate::domain::secret::hex(&Sha256::digest(format!("{salt}\n{email}\n{code}")))
}

/// Who asks for a code: their network (`domain::client_key`), and the language of the page,
/// which the message is written in.
pub struct Asker<'a> {
    pub network: Option<&'a str>,
    pub lang: madoguchi_frontend::i18n::Lang,
}

/// Queues a new code for `email` in the caller's transaction and returns what the session
/// keeps; `None` once `MAX_SENDS` codes went out. `salt` is private to the session.
pub fn send(
    conn: &mut PgConnection,
    tenant_id: i64,
    email: &str,
    salt: &str,
    previous: Option<&PendingCode>,
    asker: Asker,
    now: DateTime<Utc>,
) -> Result<Option<PendingCode>, AppError> {
    let requested_from = asker.network;
    let sends = previous.map_or(0, |p| p.sends) + 1;
    if sends > MAX_SENDS {
        return Ok(None);
    }
    // Across sessions too: nobody's mailbox is filled with codes, and no network sends
    // codes to one address after another.
    let (to_recipient, from_network) =
        outbox::address_codes_since(conn, email, requested_from, now - Duration::hours(1))?;
    if to_recipient >= MAX_PER_RECIPIENT_PER_HOUR
        || (requested_from.is_some() && from_network >= MAX_PER_NETWORK_PER_HOUR)
    {
        return Ok(None);
    }
    let mut rng = rand::thread_rng();
    let code = format!("{:06}", rng.gen_range(0..1_000_000));
    let dedupe_key = format!(
        "address_code:{}",
        crate::domain::input::new_client_token(&mut rng)
    );
    let message = outbox::NewMessage {
        tenant_id,
        booking_id: None,
        kind: "address_code",
        recipient: email,
        one_time_code: Some(&code),
        dedupe_key: &dedupe_key,
        requested_from,
        lang: Some(asker.lang.code()),
    };
    outbox::enqueue(conn, &message, now)?;
    Ok(Some(PendingCode {
        email: email.to_string(),
        code_hash: hash(salt, email, &code),
        expires_at: now + Duration::minutes(VALID_MINUTES),
        wrong_tries: 0,
        sends,
    }))
}

/// Checks what the resident typed (full-width digits and spaces allowed) against `pending`,
/// counting a wrong try.
pub fn check(pending: &mut PendingCode, salt: &str, typed: &str, now: DateTime<Utc>) -> Verdict {
    if !pending.usable(now) {
        return Verdict::Spent;
    }
    let typed = crate::domain::input::letters_and_digits(typed);
    let given = hash(salt, &pending.email, &typed);
    if crate::domain::secret::same(given.as_bytes(), pending.code_hash.as_bytes()) {
        return Verdict::Confirmed;
    }
    pending.wrong_tries += 1;
    match MAX_TRIES - pending.wrong_tries {
        0 => Verdict::Spent,
        tries_left => Verdict::Wrong { tries_left },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(code: &str, now: DateTime<Utc>) -> PendingCode {
        PendingCode {
            email: "a@example.jp".into(),
            code_hash: hash("salt", "a@example.jp", code),
            expires_at: now + Duration::minutes(VALID_MINUTES),
            wrong_tries: 0,
            sends: 1,
        }
    }

    #[test]
    fn the_right_code_confirms_even_typed_in_full_width() {
        let now = Utc::now();
        assert_eq!(
            check(&mut pending("012345", now), "salt", "０１２ ３４５", now),
            Verdict::Confirmed
        );
    }

    #[test]
    fn wrong_codes_count_down_and_then_the_code_is_spent() {
        let now = Utc::now();
        let mut sent = pending("012345", now);
        for left in (1..MAX_TRIES).rev() {
            assert_eq!(
                check(&mut sent, "salt", "999999", now),
                Verdict::Wrong { tries_left: left }
            );
        }
        assert_eq!(check(&mut sent, "salt", "999999", now), Verdict::Spent);
        // Even the right code is refused now.
        assert_eq!(check(&mut sent, "salt", "012345", now), Verdict::Spent);
    }

    #[test]
    fn a_code_is_spent_after_its_minutes_and_bound_to_its_session() {
        let now = Utc::now();
        let mut sent = pending("012345", now);
        assert_eq!(
            check(&mut sent, "other-session", "012345", now),
            Verdict::Wrong {
                tries_left: MAX_TRIES - 1
            }
        );
        let later = now + Duration::minutes(VALID_MINUTES) + Duration::seconds(1);
        assert_eq!(check(&mut sent, "salt", "012345", later), Verdict::Spent);
    }
}
