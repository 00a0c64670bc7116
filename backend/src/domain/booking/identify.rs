//! Proving who you are: a card's number with the birth date or password, as the tenant
//! chooses; or, for bookings without a card, the contact given when booking.

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use chrono::{Duration, NaiveDate};
use diesel::PgConnection;

use crate::db::booking::Booking;
use crate::db::card::CardRecord;
use crate::db::tenant::Tenant;
use crate::domain::input::{BookingCode, Email, ManufactureNumber, PhoneNumber, ReservationNumber};
use crate::domain::Clock;
use crate::error::{AppError, Resource};

/// Failed proofs in a row that lock a card number, and for how long.
pub const LOCK_AFTER_FAILURES: i32 = 5;
pub const LOCK_MINUTES: i64 = 30;

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
    /// on the "manage my booking" page). Failures count towards the card's lockout.
    BirthDate(NaiveDate),
}

/// Finds the card and checks the proof. Failures are counted in their own transaction so
/// that they stick; the fifth in a row locks the number for 30 minutes.
pub fn identify_card(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    identification: &CardIdentification,
) -> Result<CardRecord, AppError> {
    let card = match tenant.pickup_number_kind.as_str() {
        "manufacture_number" => {
            let number = ManufactureNumber::parse(&identification.number).ok_or_else(|| {
                AppError::invalid(
                    "number",
                    "製造管理番号は英数字8〜20桁で入力してください。",
                    "Enter the card manufacture number: 8 to 20 letters and digits.",
                )
            })?;
            CardRecord::by_manufacture_number(conn, tenant.id, number.as_str())?
        }
        _ => {
            let number = ReservationNumber::parse(&identification.number).ok_or_else(|| {
                AppError::invalid(
                    "number",
                    "予約番号は「1AB-123456」の形で入力してください。",
                    "Enter the reservation number like 1AB-123456.",
                )
            })?;
            CardRecord::by_reservation_number(conn, tenant.id, number.as_str())?
        }
    }
    .ok_or(AppError::NotFound(Resource::Card))?;

    if let Some(until) = card.locked_until.filter(|until| *until > clock.now) {
        return Err(AppError::CardLocked { until });
    }
    let (proven, field) = match (&identification.proof, tenant.pickup_proof_kind.as_str()) {
        (CardProof::BirthDate(date), "birth_date") => (*date == card.birth_date, "birth_date"),
        (CardProof::Password(password), "password") => (
            password_matches(card.password_hash.as_deref(), password),
            "password",
        ),
        (_, "password") => {
            return Err(AppError::invalid(
                "password",
                "パスワードを入力してください。",
                "Enter the password printed on your notice.",
            ))
        }
        _ => {
            return Err(AppError::invalid(
                "birth_date",
                "生年月日を入力してください。",
                "Enter your date of birth.",
            ))
        }
    };
    if !proven {
        let lock_until = clock.now + Duration::minutes(LOCK_MINUTES);
        let updated =
            CardRecord::record_failed_proof(conn, card.id, LOCK_AFTER_FAILURES, lock_until)?;
        if let Some(until) = updated.locked_until.filter(|until| *until > clock.now) {
            return Err(AppError::CardLocked { until });
        }
        return Err(AppError::IdentificationFailed {
            field: field.to_string(),
        });
    }
    // Most cards have no failed tries to forget: no write for them.
    if card.failed_proofs != 0 {
        CardRecord::clear_failed_proofs(conn, card.id)?;
    }
    Ok(card)
}

fn password_matches(hash: Option<&str>, password: &str) -> bool {
    let Some(parsed) = hash.and_then(|h| PasswordHash::new(h).ok()) else {
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
) -> Result<Booking, AppError> {
    let booking = Booking::by_code(conn, tenant.id, code.as_str())?
        .ok_or(AppError::NotFound(Resource::Booking))?;
    let owns = match proof {
        OwnerProof::Card(identification) => {
            let card = identify_card(conn, clock, tenant, identification)?;
            booking
                .members(conn)?
                .iter()
                .any(|member| member.card_id == Some(card.id))
        }
        OwnerProof::BirthDate(date) => {
            let cards = CardRecord::of_booking(conn, tenant.id, booking.id)?;
            if let Some(until) = cards
                .iter()
                .filter_map(|c| c.locked_until)
                .find(|u| *u > clock.now)
            {
                return Err(AppError::CardLocked { until });
            }
            let owns = cards.iter().any(|card| card.birth_date == *date);
            if !owns {
                if let Some(card) = cards.first() {
                    let lock_until = clock.now + Duration::minutes(LOCK_MINUTES);
                    let updated = CardRecord::record_failed_proof(
                        conn,
                        card.id,
                        LOCK_AFTER_FAILURES,
                        lock_until,
                    )?;
                    if let Some(until) = updated.locked_until.filter(|until| *until > clock.now) {
                        return Err(AppError::CardLocked { until });
                    }
                }
            }
            owns
        }
        OwnerProof::Contact(contact) => {
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
    if owns {
        Ok(booking)
    } else {
        Err(AppError::NotFound(Resource::Booking))
    }
}
