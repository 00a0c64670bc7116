//! The card's life as statuses: 受領 received → 通知済 notified → 予約済 booked →
//! 移送中 in_transfer → 移送済 transferred → 交付済 issued, or, never collected,
//! 返却対象 to_return → 返却済 returned / 廃棄 destroyed. Every change is an event with its
//! time and actor; a change the workflow does not allow is refused.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;

use crate::db::schema::card_events;
use crate::error::AppError;

use crate::db::kinds::CardEventKind;
pub use crate::db::kinds::CardStatus;
use CardStatus::*;

/// Statuses from which a card can be booked for pickup.
pub const BOOKABLE: [CardStatus; 4] = [Received, Notified, Transferred, ToReturn];

/// Whether the workflow allows `from` → `to`. Undoing a hand-over at the counter is the
/// one way back from issued.
pub fn allowed(from: CardStatus, to: CardStatus, undo: bool) -> bool {
    if undo {
        return from == Issued && matches!(to, Booked | Transferred);
    }
    matches!(
        (from, to),
        (Received, Notified | Booked | ToReturn)
            | (Notified, Booked | ToReturn)
            | (Booked, Received | Notified | Transferred | ToReturn)
            | (Booked, InTransfer | Issued)
            | (InTransfer, Transferred | Booked | Received | Notified)
            | (
                Transferred,
                Booked | Issued | ToReturn | Received | Notified
            )
            | (ToReturn, Booked | Returned | Destroyed)
            | (Returned, Destroyed)
    )
}

pub struct StatusChange<'a> {
    pub to: CardStatus,
    pub actor: &'a str,
    pub at: DateTime<Utc>,
    pub details: serde_json::Value,
    pub undo: bool,
}

/// Moves the (locked by the caller, or locked here) card to a new status and records it.
/// Returns the status it had.
pub fn change(
    conn: &mut PgConnection,
    tenant_id: i64,
    card_id: i64,
    change: &StatusChange,
) -> Result<CardStatus, AppError> {
    use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Text, Timestamptz};
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = Text)]
        from_status: CardStatus,
        #[diesel(sql_type = Bool)]
        changed: bool,
    }
    // The statuses this change may leave, so that the database can check and write in one
    // statement: lock the card, change it, and record the event.
    let allowed_from: Vec<CardStatus> = CardStatus::ALL
        .iter()
        .copied()
        .filter(|from| *from != change.to && allowed(*from, change.to, change.undo))
        .collect();
    let outcome: Option<Outcome> = diesel::sql_query(
        "WITH old AS (
           SELECT id, status FROM card_records WHERE tenant_id = $1 AND id = $2 FOR UPDATE),
         changed AS (
           UPDATE card_records c SET status = $3, status_changed_at = $4, updated_at = $4
             FROM old WHERE c.id = old.id AND old.status = ANY($5)
           RETURNING old.status AS from_status),
         logged AS (
           INSERT INTO card_events (tenant_id, card_id, kind, from_status, to_status, actor,
                                    details, created_at)
           SELECT $1, $2, $8, from_status, $3, $6, $7, $4 FROM changed)
         SELECT old.status AS from_status, EXISTS (SELECT 1 FROM changed) AS changed FROM old",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<BigInt, _>(card_id)
    .bind::<Text, _>(change.to)
    .bind::<Timestamptz, _>(change.at)
    .bind::<Array<Text>, _>(&allowed_from)
    .bind::<Text, _>(change.actor)
    .bind::<Jsonb, _>(&change.details)
    .bind::<Text, _>(CardEventKind::Status)
    .get_result(conn)
    .optional()?;
    let Some(outcome) = outcome else {
        return Err(AppError::NotFound(crate::error::Resource::Card));
    };
    let from = outcome.from_status;
    if from != change.to && !outcome.changed {
        return Err(AppError::CardNotAvailable);
    }
    Ok(from)
}

/// The status a booked card had before its booking, to return to when the booking ends
/// without a pickup (cancelled, or the visitor did not come).
pub fn before_booking(conn: &mut PgConnection, card_id: i64) -> Result<CardStatus, AppError> {
    let from: Option<Option<CardStatus>> = card_events::table
        .filter(card_events::card_id.eq(card_id))
        .filter(card_events::to_status.eq(Booked))
        .order(card_events::id.desc())
        .select(card_events::from_status)
        .first(conn)
        .optional()?;
    Ok(from.flatten().unwrap_or(Received))
}

/// Puts the cards of a booking that ends without a pickup back where they were.
pub fn release_after_booking(
    conn: &mut PgConnection,
    tenant_id: i64,
    card_ids: &[i64],
    actor: &str,
    at: DateTime<Utc>,
    booking_code: &str,
) -> Result<(), AppError> {
    for card_id in card_ids {
        let back = before_booking(conn, *card_id)?;
        let details = json!({ "booking": booking_code });
        change(
            conn,
            tenant_id,
            *card_id,
            &StatusChange {
                to: back,
                actor,
                at,
                details,
                undo: false,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::allowed;
    use super::CardStatus::*;

    #[test]
    fn the_workflow_goes_forward_and_refuses_jumps() {
        assert!(allowed(Received, Booked, false));
        assert!(allowed(Booked, Issued, false));
        assert!(
            allowed(Booked, Received, false),
            "a cancelled booking frees the card"
        );
        assert!(
            !allowed(Received, Issued, false),
            "no hand-over without a booking"
        );
        assert!(!allowed(Issued, Booked, false));
        assert!(
            allowed(Issued, Booked, true),
            "the counter may undo a hand-over"
        );
        assert!(!allowed(Destroyed, Received, false));
    }
}
