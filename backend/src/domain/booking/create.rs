use crate::db::kinds::BookingEventKind;
use crate::db::kinds::CardStatus;
use crate::db::kinds::ContactRule;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::PgConnection;
use serde_json::json;

use super::identify::identify_card;
use super::request::{record_change, BookingDetails, BookingRequest, Contact, Party, Placement};
use super::rules::{ensure_bookable, ensure_party_size, ensure_room, lock_slot};
use crate::db::booking::{Booking, BookingMember, NewBooking, NewBookingMember};
use crate::db::card::CardRecord;
use crate::db::hold::Hold;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::schema::{booking_members, bookings};
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::domain::card_status::{self, StatusChange};
use crate::domain::input::BookingCode;
use crate::domain::{Actor, Channel, Clock};
use crate::error::{AppError, Resource};

/// Books a visit. Cards are identified first; then, in one transaction under the slot's
/// row lock, the rules are checked, the booking and its members are written, the slot's
/// count goes up, and the event and audit line are recorded.
pub fn book(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    request: &BookingRequest,
    actor: &Actor,
) -> Result<BookingDetails, AppError> {
    let procedure = Procedure::by_id(conn, tenant.id, request.procedure_id)
        .optional()?
        .ok_or(AppError::NotFound(Resource::Procedure))?;
    book_procedure(conn, clock, tenant, &procedure, request, actor)
}

/// `book`, for a caller that has read the request's procedure already.
pub fn book_procedure(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    procedure: &Procedure,
    request: &BookingRequest,
    actor: &Actor,
) -> Result<BookingDetails, AppError> {
    if procedure.id != request.procedure_id {
        return Err(AppError::NotFound(Resource::Procedure));
    }
    let network = actor.network();
    let cards = identify_party(
        conn,
        clock,
        tenant,
        procedure,
        &request.party,
        network.as_deref(),
    )?;
    let places = match &request.party {
        Party::Cards(_) | Party::IdentifiedCards(_) | Party::CheckedCards(_) => cards.len() as i32,
        Party::People(count) => *count,
    };
    ensure_party_size(tenant, places)?;
    ensure_contact(tenant, &request.contact, actor.channel)?;
    let person_key = cards
        .is_empty()
        .then(|| request.contact.person_key())
        .flatten();

    crate::db::transaction(conn, |conn| {
        let slot_id = match &request.placement {
            Placement::Slot { slot_id } => *slot_id,
            Placement::Hold { client_token } => {
                take_hold(conn, clock, tenant, client_token, procedure, places)?
            }
        };
        let slot = lock_slot(conn, tenant, slot_id)?;
        ensure_bookable(conn, clock, tenant, &slot, procedure.id, actor.channel)?;
        ensure_room(conn, clock, &slot, places, actor.channel)?;
        ensure_cards_can_come(conn, tenant, &slot, &cards)?;

        let booking = insert_with_fresh_code(
            conn,
            NewBooking {
                tenant_id: tenant.id,
                code: "",
                slot_id: slot.id,
                procedure_id: procedure.id,
                channel: actor.channel,
                party_size: places,
                contact_email: request.contact.email.as_ref().map(|e| e.as_str()),
                contact_phone: request.contact.phone.as_ref().map(|p| p.digits()),
                contact_name: request.contact.name.as_deref(),
                note: &request.note,
                created_at: clock.now,
                updated_at: clock.now,
                lang: request.lang.code(),
            },
        )?;
        let members: Vec<NewBookingMember> = (0..places)
            .map(|i| NewBookingMember {
                tenant_id: tenant.id,
                booking_id: booking.id,
                position: i + 1,
                procedure_id: procedure.id,
                card_id: cards.get(i as usize).map(|c| c.id),
                person_key: if i == 0 { person_key.as_deref() } else { None },
                active: true,
            })
            .collect();
        let members: Vec<BookingMember> = diesel::insert_into(booking_members::table)
            .values(&members)
            .returning(BookingMember::as_returning())
            .get_results(conn)
            .map_err(already_booked)?;
        Slot::add_booked(conn, slot.id, places)?;
        for card in &cards {
            let booked = StatusChange {
                to: CardStatus::Booked,
                actor: &actor.label,
                at: clock.now,
                details: json!({ "booking": booking.code }),
                undo: false,
            };
            card_status::change(conn, tenant.id, card.id, &booked)?;
        }
        // The details from what this transaction holds, rather than reading them back; the
        // counter before the record, whose operation-log line takes the city's log lock
        // until the commit (the lock every booking of the city waits for: see
        // docs/performance.md).
        let location = Location::by_id(conn, tenant.id, slot.location_id)?;
        record_change(
            conn,
            clock,
            tenant,
            &booking,
            BookingEventKind::Created,
            actor,
            (None, Some(slot.id)),
            json!({ "party_size": places, "procedure": procedure.code }),
        )?;
        Ok(BookingDetails {
            booking,
            slot: Slot {
                booked: slot.booked + places,
                ..slot
            },
            location,
            procedure: procedure.clone(),
            members,
        })
    })
}

/// Identifies a party's cards ahead of booking, so that a caller may book inside a
/// transaction of its own (see `idempotency::once`) while failed attempts still count: they
/// are written here, outside it, and never rolled back with a refused booking.
pub fn identify_members(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    procedure: &Procedure,
    party: Party,
    actor: &Actor,
) -> Result<Party, AppError> {
    if !matches!(party, Party::Cards(_)) {
        return Ok(party);
    }
    let network = actor.network();
    let cards = identify_party(conn, clock, tenant, procedure, &party, network.as_deref())?;
    Ok(Party::CheckedCards(cards))
}

fn identify_party(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    procedure: &Procedure,
    party: &Party,
    network: Option<&str>,
) -> Result<Vec<CardRecord>, AppError> {
    match party {
        Party::Cards(identifications) if procedure.needs_card => {
            if identifications.is_empty() {
                return Err(AppError::invalid("members", "invalid_members_missing"));
            }
            let mut cards: Vec<CardRecord> = Vec::new();
            for (i, identification) in identifications.iter().enumerate() {
                let card = identify_card(conn, clock, tenant, identification, network)
                    .map_err(|e| prefix_field(e, &format!("members[{i}].")))?;
                if cards.iter().any(|c| c.id == card.id) {
                    return Err(AppError::invalid(
                        &format!("members[{i}].number"),
                        "invalid_member_repeated",
                    ));
                }
                cards.push(card);
            }
            Ok(cards)
        }
        Party::IdentifiedCards(ids) if procedure.needs_card && !ids.is_empty() => {
            let cards = CardRecord::by_ids(conn, tenant.id, ids)?;
            if cards.len() != ids.len() {
                return Err(AppError::NotFound(Resource::Card));
            }
            Ok(cards)
        }
        Party::CheckedCards(cards) if procedure.needs_card && !cards.is_empty() => {
            Ok(cards.clone())
        }
        Party::Cards(_) | Party::IdentifiedCards(_) | Party::CheckedCards(_) => {
            Err(AppError::invalid("members", "invalid_members_not_taken"))
        }
        Party::People(_) if procedure.needs_card => {
            Err(AppError::invalid("members", "invalid_members_needed"))
        }
        Party::People(_) => Ok(Vec::new()),
    }
}

fn prefix_field(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::Invalid {
            field,
            message,
            args,
        } => AppError::Invalid {
            field: format!("{prefix}{field}"),
            message,
            args,
        },
        AppError::IdentificationFailed { field } => AppError::IdentificationFailed {
            field: format!("{prefix}{field}"),
        },
        other => other,
    }
}

/// Online, the tenant's contact rules apply. Staff booking for a caller or a visitor
/// record what the person gives, as long as there is one way to reach them.
fn ensure_contact(tenant: &Tenant, contact: &Contact, channel: Channel) -> Result<(), AppError> {
    if !channel.uses_web_share() {
        if contact.email.is_none() && contact.phone.is_none() {
            return Err(AppError::invalid(
                "contact.phone",
                "invalid_contact_missing",
            ));
        }
        return Ok(());
    }
    if tenant.contact_email == ContactRule::Required && contact.email.is_none() {
        return Err(AppError::invalid("contact.email", "invalid_email_missing"));
    }
    if tenant.contact_phone == ContactRule::Required && contact.phone.is_none() {
        return Err(AppError::invalid("contact.phone", "invalid_phone_missing"));
    }
    if tenant.contact_name == ContactRule::Required
        && contact.name.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(AppError::invalid("contact.name", "invalid_name_missing"));
    }
    Ok(())
}

/// Consumes the client's unexpired hold and returns its slot.
pub(super) fn take_hold(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    client_token: &str,
    procedure: &Procedure,
    places: i32,
) -> Result<i64, AppError> {
    let hold = Hold::of_client(conn, tenant.id, client_token)?
        .filter(|hold| hold.expires_at > clock.now)
        .ok_or(AppError::HoldExpired)?;
    if hold.procedure_id != procedure.id {
        return Err(AppError::invalid("procedure", "invalid_procedure_not_held"));
    }
    if places > hold.places {
        return Err(AppError::invalid("party_size", "invalid_party_above_hold"));
    }
    Hold::release_client(conn, tenant.id, client_token)?;
    Ok(hold.slot_id)
}

/// A card is picked up where it is kept, or at any issuing location when the tenant moves
/// cards between locations.
pub(super) fn ensure_cards_can_come(
    conn: &mut PgConnection,
    tenant: &Tenant,
    slot: &Slot,
    cards: &[CardRecord],
) -> Result<(), AppError> {
    if cards
        .iter()
        .all(|card| card.location_id == slot.location_id)
    {
        return Ok(());
    }
    if tenant.allow_transfers && Location::by_id(conn, tenant.id, slot.location_id)?.issues_cards {
        return Ok(());
    }
    Err(AppError::WrongLocation)
}

/// Inserts the booking under a new random code; the unique index on codes decides, and the
/// rare code already taken is simply drawn again.
fn insert_with_fresh_code(
    conn: &mut PgConnection,
    booking: NewBooking<'_>,
) -> Result<Booking, AppError> {
    let mut rng = rand::thread_rng();
    loop {
        let code = BookingCode::generate(&mut rng);
        let inserted = diesel::insert_into(bookings::table)
            .values(NewBooking {
                code: code.as_str(),
                ..booking
            })
            .on_conflict((bookings::tenant_id, bookings::code))
            .do_nothing()
            .returning(Booking::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(inserted) = inserted {
            return Ok(inserted);
        }
    }
}

/// The unique partial indexes on booking members speak for "one active booking per card
/// and per person": a racing second request fails there.
pub(super) fn already_booked(error: DieselError) -> AppError {
    match &error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info
                .constraint_name()
                .is_some_and(|name| name.starts_with("booking_members_one_active")) =>
        {
            AppError::AlreadyBooked
        }
        _ => AppError::from(error),
    }
}
