//! The booking service: holds, bookings, moves and cancellations, each one transaction
//! that locks the slot rows it changes (`SELECT … FOR UPDATE`).

mod change;
mod create;
mod hold;
mod identify;
pub(crate) mod rules;

pub use change::{cancel, move_booking, set_note};
pub use create::book;
pub use hold::place_hold;
pub use identify::{find_owned, identify_card, CardIdentification, CardProof, OwnerProof};

use chrono::{DateTime, Utc};
use diesel::PgConnection;

use super::input::{Email, PhoneNumber};
use super::{Actor, Clock};
use crate::db::audit::NewAuditEntry;
use crate::db::booking::{Booking, BookingMember, NewBookingEvent};
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
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
    People(i32),
}

#[derive(Clone, Debug, Default)]
pub struct Contact {
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct BookingRequest {
    pub procedure_id: i64,
    pub placement: Placement,
    pub party: Party,
    pub contact: Contact,
    pub note: String,
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

/// Writes the booking event and the audit line of one change, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_change(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    booking: &Booking,
    kind: &str,
    actor: &Actor,
    slots: (Option<i64>, Option<i64>),
    details: serde_json::Value,
) -> Result<(), AppError> {
    let at: DateTime<Utc> = clock.now;
    let event_id = NewBookingEvent {
        tenant_id: tenant.id,
        booking_id: booking.id,
        kind,
        actor: &actor.label,
        channel: actor.channel.as_str(),
        from_slot_id: slots.0,
        to_slot_id: slots.1,
        details: details.clone(),
        created_at: at,
        client_addr: actor.client_addr.as_deref(),
    }
    .insert(conn)?;
    crate::domain::mail::notify(conn, booking, kind, event_id, at)?;
    NewAuditEntry {
        tenant_id: Some(tenant.id),
        actor: &actor.label,
        action: &format!("booking.{kind}"),
        target: &booking.code,
        client_addr: actor.client_addr.as_deref(),
        details,
        created_at: at,
    }
    .insert(conn)?;
    Ok(())
}
