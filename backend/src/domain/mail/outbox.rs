//! The outbox: messages to send, written with the change they tell about. Workers claim due
//! rows with `FOR UPDATE SKIP LOCKED` and lease them for a while, so any number of workers
//! (in any number of server processes) never take the same row at once.

use crate::db::kinds::MailStatus;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use diesel::PgConnection;

/// After this many failed attempts a message waits for staff to resend it.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a claimed row belongs to its worker before another may try it.
const LEASE: Duration = Duration::minutes(5);

#[derive(Clone, Debug, QueryableByName)]
pub struct OutboxRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub tenant_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub booking_id: Option<i64>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// The code an `address_code` message carries, until it is sent.
    #[diesel(sql_type = Nullable<Text>)]
    pub one_time_code: Option<String>,
    /// What staff wrote to the resident with this change (a cancellation's reason).
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
    /// The language of a message without a booking (an address code).
    #[diesel(sql_type = Nullable<Text>)]
    pub lang: Option<String>,
}

/// A message to queue. Booking changes and reminders queue theirs in set-based SQL of their
/// own (`booking::record_change`, `reminders::queue_due`); this is the one-by-one way in.
pub struct NewMessage<'a> {
    pub tenant_id: i64,
    /// The booking it tells about; none for an address code, sent before any booking.
    pub booking_id: Option<i64>,
    pub kind: &'a str,
    pub recipient: &'a str,
    /// The code an `address_code` message carries.
    pub one_time_code: Option<&'a str>,
    pub dedupe_key: &'a str,
    /// The network that asked for it (address codes), see `domain::client_key`.
    pub requested_from: Option<&'a str>,
    /// The language to write it in when no booking says (address codes).
    pub lang: Option<&'a str>,
}

/// Adds a message to send, due now, once: a second call with the same key changes nothing.
pub fn enqueue(
    conn: &mut PgConnection,
    message: &NewMessage,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO mail_outbox (tenant_id, booking_id, kind, recipient, one_time_code,
                                  dedupe_key, next_attempt_at, created_at, requested_from, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING",
    )
    .bind::<BigInt, _>(message.tenant_id)
    .bind::<Nullable<BigInt>, _>(message.booking_id)
    .bind::<Text, _>(message.kind)
    .bind::<Text, _>(message.recipient)
    .bind::<Nullable<Text>, _>(message.one_time_code)
    .bind::<Text, _>(message.dedupe_key)
    .bind::<Timestamptz, _>(now)
    .bind::<Nullable<Text>, _>(message.requested_from)
    .bind::<Nullable<Text>, _>(message.lang)
    .execute(conn)
}

/// Address codes queued since `since` to `recipient` (in any case) and from `requested_from`.
pub fn address_codes_since(
    conn: &mut PgConnection,
    recipient: &str,
    requested_from: Option<&str>,
    since: DateTime<Utc>,
) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        to_recipient: i64,
        #[diesel(sql_type = BigInt)]
        from_network: i64,
    }
    let counts: Counts = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE lower(recipient) = lower($1)) AS to_recipient,
                count(*) FILTER (WHERE requested_from = $2) AS from_network
           FROM mail_outbox WHERE kind = 'address_code' AND created_at > $3",
    )
    .bind::<Text, _>(recipient)
    .bind::<Nullable<Text>, _>(requested_from)
    .bind::<Timestamptz, _>(since)
    .get_result(conn)?;
    Ok((counts.to_recipient, counts.from_network))
}

/// Takes up to `limit` due messages for this worker.
pub fn claim(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    diesel::sql_query(
        "UPDATE mail_outbox SET next_attempt_at = $2
          WHERE id IN (SELECT id FROM mail_outbox
                        WHERE status = $4 AND next_attempt_at <= $1
                        ORDER BY next_attempt_at, id
                        LIMIT $3
                        FOR UPDATE SKIP LOCKED)
         RETURNING id, tenant_id, booking_id, kind, recipient, attempts, one_time_code, note,
                   lang",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(now + LEASE)
    .bind::<BigInt, _>(limit)
    .bind::<Text, _>(MailStatus::Pending)
    .load(conn)
}

pub fn mark_sent(
    conn: &mut PgConnection,
    id: i64,
    message_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE mail_outbox SET status = $4, sent_at = $2, message_id = $3,
                attempts = attempts + 1, last_error = NULL, one_time_code = NULL
          WHERE id = $1",
    )
    .bind::<BigInt, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(message_id)
    .bind::<Text, _>(MailStatus::Sent)
    .execute(conn)
}

/// Records a failed attempt: the message is due again after a growing pause (30 s, 1 min,
/// 2 min … up to an hour), or, past the limit, waits for staff.
pub fn mark_failed(
    conn: &mut PgConnection,
    row: &OutboxRow,
    error: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let attempts = row.attempts + 1;
    let pause = Duration::seconds((30_i64 << (attempts - 1).clamp(0, 7)).min(3600));
    let status = if attempts >= MAX_ATTEMPTS {
        MailStatus::Failed
    } else {
        MailStatus::Pending
    };
    diesel::sql_query(
        "UPDATE mail_outbox SET attempts = $2, status = $3, next_attempt_at = $4, last_error = $5
          WHERE id = $1",
    )
    .bind::<BigInt, _>(row.id)
    .bind::<Integer, _>(attempts)
    .bind::<Text, _>(status)
    .bind::<Timestamptz, _>(now + pause)
    .bind::<Text, _>(error)
    .execute(conn)
}

/// Why a message can never be sent, as stored in `last_error` (the console says it in
/// words): its address is one no mail server takes.
pub const UNDELIVERABLE_ADDRESS: &str = "undeliverable_address";

/// Fails a message for good at once, without retries: it can never be sent as it is.
pub fn mark_undeliverable(
    conn: &mut PgConnection,
    row: &OutboxRow,
    reason: &str,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE mail_outbox SET attempts = $2, status = $4, last_error = $3 WHERE id = $1",
    )
    .bind::<BigInt, _>(row.id)
    .bind::<Integer, _>(row.attempts + 1)
    .bind::<Text, _>(reason)
    .bind::<Text, _>(MailStatus::Failed)
    .execute(conn)
}

/// Puts a message that failed for good back in the queue, due now (the console's resend).
pub fn resend(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE mail_outbox SET status = $4, attempts = 0, next_attempt_at = $3
          WHERE id = $1 AND tenant_id = $2 AND status = $5",
    )
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(tenant_id)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(MailStatus::Pending)
    .bind::<Text, _>(MailStatus::Failed)
    .execute(conn)
}

/// A reminder whose booking was cancelled before it went out.
pub fn mark_skipped(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::sql_query("UPDATE mail_outbox SET status = $2 WHERE id = $1")
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(MailStatus::Skipped)
        .execute(conn)
}
