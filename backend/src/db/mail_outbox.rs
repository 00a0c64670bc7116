//! The outbox as staff read it. Writing and claiming rows (set-based SQL with
//! `SKIP LOCKED`) lives with the mail worker in `domain::mail::outbox`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::kinds::{MailKind, MailStatus};
use super::schema::{bookings, mail_outbox};

/// One message as the console lists it.
#[derive(Queryable, Debug, Clone)]
pub struct OutboxLine {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub kind: MailKind,
    pub recipient: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The code of the booking it tells about (none for an address code).
    pub booking_code: Option<String>,
}

impl OutboxLine {
    /// The latest `limit` messages of a tenant, newest first; with `failed_only`, those
    /// that failed past the retry limit.
    pub fn latest(
        conn: &mut PgConnection,
        tenant_id: i64,
        failed_only: bool,
        limit: i64,
    ) -> QueryResult<Vec<OutboxLine>> {
        let mut query = mail_outbox::table
            .left_join(bookings::table.on(bookings::id.nullable().eq(mail_outbox::booking_id)))
            .filter(mail_outbox::tenant_id.eq(tenant_id))
            .select((
                mail_outbox::id,
                mail_outbox::created_at,
                mail_outbox::kind,
                mail_outbox::recipient,
                mail_outbox::status,
                mail_outbox::attempts,
                mail_outbox::last_error,
                bookings::code.nullable(),
            ))
            .order(mail_outbox::id.desc())
            .limit(limit)
            .into_boxed();
        if failed_only {
            query = query.filter(mail_outbox::status.eq(MailStatus::Failed));
        }
        query.load(conn)
    }

    /// The kind of a tenant's message that was sent, or `None` for a message not sent
    /// (or not the tenant's).
    pub fn sent_kind(
        conn: &mut PgConnection,
        tenant_id: i64,
        id: i64,
    ) -> QueryResult<Option<MailKind>> {
        mail_outbox::table
            .filter(mail_outbox::tenant_id.eq(tenant_id))
            .filter(mail_outbox::id.eq(id))
            .filter(mail_outbox::status.eq(MailStatus::Sent))
            .select(mail_outbox::kind)
            .first(conn)
            .optional()
    }
}
