//! Day-before reminders: from the tenant's hour (9:00 unless set), every booking still active
//! for tomorrow that has an address gets one reminder. The outbox key names the booking and
//! the day, so running this again the same day queues nothing new.

use chrono::{Duration, Timelike};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Timestamptz};
use diesel::PgConnection;

use super::settings::MailRules;
use crate::db::kinds::{BookingStatus, MailKind};
use crate::db::tenant::Tenant;
use crate::domain::Clock;
use crate::error::AppError;

/// Queues the reminders due now; returns how many were new.
pub fn queue_due(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
) -> Result<usize, AppError> {
    let local = clock.now.with_timezone(&clock.tz);
    let hour = MailRules::of_tenant(conn, tenant.id)?
        .reminder_hour
        .clamp(0, 23) as u32;
    if local.hour() < hour {
        return Ok(0);
    }
    let tomorrow = clock.today() + Duration::days(1);
    let queued = diesel::sql_query(
        "INSERT INTO mail_outbox (tenant_id, booking_id, kind, recipient, dedupe_key,
                                  next_attempt_at, created_at)
         SELECT b.tenant_id, b.id, $7, b.contact_email,
                'reminder:' || b.id || ':' || $2::date, $5, $5
           FROM bookings b JOIN slots s ON s.id = b.slot_id
          WHERE b.tenant_id = $1 AND b.status = $6 AND b.contact_email IS NOT NULL
            AND s.starts_at >= $3 AND s.starts_at < $4
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING",
    )
    .bind::<BigInt, _>(tenant.id)
    .bind::<Date, _>(tomorrow)
    .bind::<Timestamptz, _>(clock.start_of(tomorrow))
    .bind::<Timestamptz, _>(clock.start_of(tomorrow + Duration::days(1)))
    .bind::<Timestamptz, _>(clock.now)
    .bind::<diesel::sql_types::Text, _>(BookingStatus::Booked)
    .bind::<diesel::sql_types::Text, _>(MailKind::Reminder)
    .execute(conn)?;
    Ok(queued)
}
