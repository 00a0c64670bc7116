//! The card's life as statuses: 受領 received → 通知済 notified → 予約済 booked →
//! 移送中 in_transfer → 移送済 transferred → 交付済 issued, or, never collected,
//! 返却対象 to_return → 返却済 returned / 廃棄 destroyed. Every change is an event with its
//! time and actor; a change the workflow does not allow is refused.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;

use crate::db::schema::{card_events, card_records};
use crate::error::AppError;

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
    let from: String = card_records::table
        .filter(card_records::tenant_id.eq(tenant_id))
        .find(card_id)
        .select(card_records::status)
        .for_update()
        .first(conn)?;
    if from == change.to {
        return Ok(from);
    }
    if !allowed(&from, change.to, change.undo) {
        return Err(AppError::CardNotAvailable);
    }
    diesel::update(card_records::table.find(card_id))
        .set((
            card_records::status.eq(change.to),
            card_records::status_changed_at.eq(change.at),
            card_records::updated_at.eq(change.at),
        ))
        .execute(conn)?;
    diesel::insert_into(card_events::table)
        .values((
            card_events::tenant_id.eq(tenant_id),
            card_events::card_id.eq(card_id),
            card_events::kind.eq("status"),
            card_events::from_status.eq(&from),
            card_events::to_status.eq(change.to),
            card_events::actor.eq(change.actor),
            card_events::details.eq(&change.details),
            card_events::created_at.eq(change.at),
        ))
        .execute(conn)?;
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
