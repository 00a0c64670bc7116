//! Proving who you are: a card's number with the birth date or password, as the tenant
//! chooses; or, for bookings without a card, the contact given when booking.

use crate::db::kinds::{PickupNumberKind, PickupProofKind};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use std::sync::LazyLock;

use chrono::NaiveDate;
use diesel::PgConnection;

use crate::db::booking::Booking;
use crate::db::card::CardRecord;
use crate::db::tenant::Tenant;
use crate::domain::input::{BookingCode, Email, ManufactureNumber, PhoneNumber, ReservationNumber};
use crate::domain::Clock;
use crate::error::{AppError, Resource};

use super::guessing::{ensure_network_budget, ensure_open, forget, number_key, record_failure};

/// Checked for numbers no card has, so that they take as long as a wrong password.
static DUMMY_CARD_HASH: LazyLock<String> =
    LazyLock::new(|| crate::domain::card_import::notices::hash("not a card").unwrap_or_default());

#[derive(Clone, Debug)]
pub enum CardProof {
    BirthDate(NaiveDate),
    Password(String),
}

#[derive(Clone, Debug)]
pub struct CardIdentification {
    /// The number as typed: 予約番号 or 製造管理番号, whichever the tenant uses.
    pub number: String,
    pub proof: CardProof,
}

#[derive(Clone, Debug)]
pub enum OwnerProof {
    Card(CardIdentification),
    /// The e-mail address or phone number given when booking.
    Contact(String),
    /// The date of birth of a person whose card the booking is for (with the booking code,
    /// on the "manage my booking" page). Failures count under the booking code.
    BirthDate(NaiveDate),
}

/// Finds the card and checks the proof, from `network` (the resident's, or `None` when
/// staff typed it). An unknown number and a wrong proof get the same answer after the
/// same work; failures are counted so that guessing stays hopeless (see `guessing`).
pub fn identify_card(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    identification: &CardIdentification,
    network: Option<&str>,
) -> Result<CardRecord, AppError> {
    let uses_password = tenant.pickup_proof_kind == PickupProofKind::Password;
    match (&identification.proof, uses_password) {
        (CardProof::BirthDate(_), false) | (CardProof::Password(_), true) => {}
        (_, true) => return Err(AppError::invalid("password", "invalid_password_missing")),
        (_, false) => {
            return Err(AppError::invalid(
                "birth_date",
                "invalid_birth_date_missing",
            ))
        }
    }
    let by_manufacture_number = tenant.pickup_number_kind == PickupNumberKind::ManufactureNumber;
    let number = if by_manufacture_number {
        ManufactureNumber::parse(&identification.number)
            .map(|n| n.as_str().to_string())
            .ok_or_else(|| AppError::invalid("number", "invalid_manufacture_number_format"))?
    } else {
        ReservationNumber::parse(&identification.number)
            .map(|n| n.as_str().to_string())
            .ok_or_else(|| AppError::invalid("number", "invalid_reservation_number_format"))?
    };
    ensure_network_budget(conn, clock, tenant, network)?;
    let card = if by_manufacture_number {
        CardRecord::by_manufacture_number(conn, tenant.id, &number)?
    } else {
        CardRecord::by_reservation_number(conn, tenant.id, &number)?
    };
    let key = number_key(tenant.id, &number);
    let had_failures = ensure_open(conn, clock, tenant, &key, network)?;
    let proven = match &identification.proof {
        CardProof::BirthDate(date) => card.as_ref().is_some_and(|c| c.birth_date == *date),
        CardProof::Password(password) => {
            // An unknown number checks a dummy hash: the same time as a wrong password.
            let hash = card.as_ref().and_then(|c| c.password_hash.as_deref());
            password_matches(hash, password) && card.is_some()
        }
    };
    match card {
        Some(card) if proven => {
            // Most numbers have no failed tries to forget: no write for them.
            if had_failures {
                forget(conn, tenant, &key)?;
            }
            Ok(card)
        }
        card => {
            let target = card.map(|c| c.manufacture_number);
            if let Some(lock) =
                record_failure(conn, clock, tenant, &key, network, target.as_deref())?
            {
                return Err(lock.into_error());
            }
            Err(AppError::IdentificationFailed {
                field: "number".to_string(),
            })
        }
    }
}

fn password_matches(hash: Option<&str>, password: &str) -> bool {
    let Some(parsed) = PasswordHash::new(hash.unwrap_or(DUMMY_CARD_HASH.as_str())).ok() else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// The booking with `code`, when `proof` shows the caller owns it. A wrong code and a
/// proof that does not match give the same answer, so codes cannot be probed.
pub fn find_owned(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    code: &BookingCode,
    proof: &OwnerProof,
    network: Option<&str>,
) -> Result<Booking, AppError> {
    ensure_network_budget(conn, clock, tenant, network)?;
    // Failures are counted on the code as on a card number, whether a booking has it or not.
    let key = number_key(tenant.id, &format!("booking {}", code.as_str()));
    let had_failures = ensure_open(conn, clock, tenant, &key, network)?;
    let booking = Booking::by_code(conn, tenant.id, code.as_str())?;
    let owns = match (&booking, proof) {
        (_, OwnerProof::Card(identification)) => {
            // The card's own number counts this failure.
            match identify_card(conn, clock, tenant, identification, network) {
                Ok(card) => match &booking {
                    Some(booking) => booking
                        .members(conn)?
                        .iter()
                        .any(|member| member.card_id == Some(card.id)),
                    None => false,
                },
                Err(AppError::IdentificationFailed { .. }) => {
                    return Err(AppError::NotFound(Resource::Booking))
                }
                Err(other) => return Err(other),
            }
        }
        (None, _) => false,
        (Some(booking), OwnerProof::BirthDate(date)) => {
            CardRecord::of_booking(conn, tenant.id, booking.id)?
                .iter()
                .any(|card| card.birth_date == *date)
        }
        (Some(booking), OwnerProof::Contact(contact)) => {
            // Compared in the one normal form the booking's own rules use.
            let stored_email = booking.contact_email.as_deref().and_then(Email::parse);
            let stored_phone = booking
                .contact_phone
                .as_deref()
                .and_then(PhoneNumber::parse);
            let by_email = Email::parse(contact)
                .is_some_and(|email| stored_email.is_some_and(|s| s.key() == email.key()));
            let by_phone = PhoneNumber::parse(contact)
                .is_some_and(|phone| stored_phone.is_some_and(|s| s.key() == phone.key()));
            by_email || by_phone
        }
    };
    match booking {
        Some(booking) if owns => {
            if had_failures {
                forget(conn, tenant, &key)?;
            }
            Ok(booking)
        }
        _ => {
            if let Some(lock) = record_failure(conn, clock, tenant, &key, network, None)? {
                return Err(lock.into_error());
            }
            Err(AppError::NotFound(Resource::Booking))
        }
    }
}
