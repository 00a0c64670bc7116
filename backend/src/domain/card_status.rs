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

/// Every status a card can have.
pub const STATUSES: [&str; 9] = [
    "received",
    "notified",
    "booked",
    "in_transfer",
    "transferred",
    "issued",
    "to_return",
    "returned",
    "destroyed",
];

/// Statuses from which a card can be booked for pickup.
pub const BOOKABLE: [&str; 4] = ["received", "notified", "transferred", "to_return"];

/// Whether the workflow allows `from` → `to`. Undoing a hand-over at the counter is the
/// one way back from issued.
pub fn allowed(from: &str, to: &str, undo: bool) -> bool {
    if undo {
        return from == "issued" && matches!(to, "booked" | "transferred");
    }
    matches!(
        (from, to),
        ("received", "notified" | "booked" | "to_return")
            | ("notified", "booked" | "to_return")
            | (
                "booked",
                "received" | "notified" | "transferred" | "to_return"
            )
            | ("booked", "in_transfer" | "issued")
            | (
                "in_transfer",
                "transferred" | "booked" | "received" | "notified"
            )
            | (
                "transferred",
                "booked" | "issued" | "to_return" | "received" | "notified"
            )
            | ("to_return", "booked" | "returned" | "destroyed")
            | ("returned", "destroyed")
    )
}

pub struct StatusChange<'a> {
    pub to: &'a str,
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
) -> Result<String, AppError> {
    use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Text, Timestamptz};
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = Text)]
        from_status: String,
        #[diesel(sql_type = Bool)]
        changed: bool,
    }
    // The statuses this change may leave, so that the database can check and write in one
    // statement: lock the card, change it, and record the event.
    let allowed_from: Vec<&str> = STATUSES
        .iter()
        .copied()
        .filter(|from| *from != change.to && allowed(from, change.to, change.undo))
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
           SELECT $1, $2, 'status', from_status, $3, $6, $7, $4 FROM changed)
         SELECT old.status AS from_status, EXISTS (SELECT 1 FROM changed) AS changed FROM old",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<BigInt, _>(card_id)
    .bind::<Text, _>(change.to)
    .bind::<Timestamptz, _>(change.at)
    .bind::<Array<Text>, _>(&allowed_from)
    .bind::<Text, _>(change.actor)
    .bind::<Jsonb, _>(&change.details)
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
pub fn before_booking(conn: &mut PgConnection, card_id: i64) -> Result<String, AppError> {
    let from: Option<Option<String>> = card_events::table
        .filter(card_events::card_id.eq(card_id))
        .filter(card_events::to_status.eq("booked"))
        .order(card_events::id.desc())
        .select(card_events::from_status)
        .first(conn)
        .optional()?;
    Ok(from.flatten().unwrap_or_else(|| "received".into()))
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
                to: &back,
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

    #[test]
    fn the_workflow_goes_forward_and_refuses_jumps() {
        assert!(allowed("received", "booked", false));
        assert!(allowed("booked", "issued", false));
        assert!(
            allowed("booked", "received", false),
            "a cancelled booking frees the card"
        );
        assert!(
            !allowed("received", "issued", false),
            "no hand-over without a booking"
        );
        assert!(!allowed("issued", "booked", false));
        assert!(
            allowed("issued", "booked", true),
            "the counter may undo a hand-over"
        );
        assert!(!allowed("destroyed", "received", false));
    }
}
