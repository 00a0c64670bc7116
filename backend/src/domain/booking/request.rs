//! What the booking service is asked and answers: a booking's request, its party,
//! contact and placement, the booking with everything shown about it, and the event
//! written for each change.

use diesel::{PgConnection, RunQueryDsl};

use super::identify::CardIdentification;
use crate::db::booking::{Booking, BookingMember};
use crate::db::kinds::BookingEventKind;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::domain::input::{Email, PhoneNumber};
use crate::domain::{Actor, Clock};
use crate::error::AppError;

/// Staff notes on a booking are read at a glance at the counter; longer text is refused.
pub const NOTE_MAX_CHARS: usize = 500;

/// Where a booking goes: onto the place a client holds, or straight into a slot.
#[derive(Clone, Debug)]
pub enum Placement {
    Hold { client_token: String },
    Slot { slot_id: i64 },
}

#[derive(Clone, Debug)]
pub struct HoldRequest {
    pub slot_id: i64,
    pub procedure_id: i64,
    pub places: i32,
    pub client_token: String,
}

/// Who the booking is for: each pickup member proves their own card; other procedures
/// only count people.
#[derive(Clone, Debug)]
pub enum Party {
    Cards(Vec<CardIdentification>),
    /// Cards already identified earlier in the same web session, by id.
    IdentifiedCards(Vec<i64>),
    /// Cards identified earlier in this same request, as they were read then.
    CheckedCards(Vec<crate::db::card::CardRecord>),
    People(i32),
}

#[derive(Clone, Debug, Default)]
pub struct Contact {
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub name: Option<String>,
}

impl Contact {
    /// What makes a person unique for procedures without a card: their e-mail address, or
    /// else their phone number, each in its one normal form (the same the look-up uses).
    pub fn person_key(&self) -> Option<String> {
        self.email
            .as_ref()
            .map(|e| format!("mail:{}", e.key()))
            .or_else(|| self.phone.as_ref().map(|p| format!("tel:{}", p.key())))
    }
}

#[derive(Clone, Debug)]
pub struct BookingRequest {
    pub procedure_id: i64,
    pub placement: Placement,
    pub party: Party,
    pub contact: Contact,
    pub note: String,
    /// The language the resident uses: the booking's e-mail links open in it.
    pub lang: madoguchi_frontend::i18n::Lang,
}

/// A booking with everything needed to show it.
#[derive(Clone, Debug)]
pub struct BookingDetails {
    pub booking: Booking,
    pub slot: Slot,
    pub location: Location,
    pub procedure: Procedure,
    pub members: Vec<BookingMember>,
}

impl BookingDetails {
    pub fn load(
        conn: &mut PgConnection,
        tenant: &Tenant,
        booking: Booking,
    ) -> Result<BookingDetails, AppError> {
        let slot = Slot::find(conn, tenant.id, booking.slot_id)?
            .ok_or(AppError::NotFound(crate::error::Resource::Slot))?;
        let location = Location::by_id(conn, tenant.id, slot.location_id)?;
        let procedure = Procedure::by_id(conn, tenant.id, booking.procedure_id)?;
        let members = booking.members(conn)?;
        Ok(BookingDetails {
            booking,
            slot,
            location,
            procedure,
            members,
        })
    }
}

/// Writes the booking event, the audit line and, when the change calls for one, the e-mail
/// to send, in the caller's transaction: one statement, since every booking change pays for
/// its round trips.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_change(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    booking: &Booking,
    kind: BookingEventKind,
    actor: &Actor,
    slots: (Option<i64>, Option<i64>),
    details: serde_json::Value,
) -> Result<(), AppError> {
    use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz};
    let mail_kind = kind.mail();
    diesel::sql_query(
        "WITH event AS (
           INSERT INTO booking_events (tenant_id, booking_id, kind, actor, channel, from_slot_id,
                                       to_slot_id, details, created_at, client_addr)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING id),
         audit AS (
           INSERT INTO audit_log (tenant_id, actor, action, target, client_addr, details, created_at)
           VALUES ($1, $4, 'booking.' || $3, $11, $10, $8, $9))
         INSERT INTO mail_outbox (tenant_id, booking_id, kind, recipient, dedupe_key,
                                  next_attempt_at, created_at, note)
         SELECT $1, $2, $12, $13, $12 || ':' || event.id, $9, $9, $8->>'message'
           FROM event WHERE $12 IS NOT NULL AND $13 IS NOT NULL
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING",
    )
    .bind::<BigInt, _>(tenant.id)
    .bind::<BigInt, _>(booking.id)
    .bind::<Text, _>(kind)
    .bind::<Text, _>(&actor.label)
    .bind::<Text, _>(actor.channel)
    .bind::<Nullable<BigInt>, _>(slots.0)
    .bind::<Nullable<BigInt>, _>(slots.1)
    .bind::<Jsonb, _>(details)
    .bind::<Timestamptz, _>(clock.now)
    .bind::<Nullable<Text>, _>(actor.client_addr.as_deref())
    .bind::<Text, _>(&booking.code)
    .bind::<Nullable<Text>, _>(mail_kind)
    .bind::<Nullable<Text>, _>(booking.contact_email.as_deref())
    .execute(conn)?;
    Ok(())
}
