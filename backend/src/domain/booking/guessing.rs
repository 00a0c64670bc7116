//! Keeping card numbers and birth dates from being guessed, without letting a stranger who
//! knows a number lock its holder out.
//!
//! Every failed identification is a row keyed by the number as typed (whether a card has it
//! or not) and the client's network. From those rows:
//! - a network that failed 5 times on one number waits 30 minutes after each further
//!   failure, and 2 hours from the 10th; other networks (the holder's own phone) are not
//!   affected;
//! - 15 failures on one number from anywhere stop it until staff unlock it after checking
//!   the caller's identity; a success or an unlock forgets the failures;
//! - a network that failed 10 times in an hour or 30 times in a day, on any numbers, waits.
//!
//! Unknown and known numbers go through the same steps, so neither the answer nor the time
//! it takes tells whether a number exists.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::audit::NewAuditEntry;
use crate::db::identification_failure as failures;
use crate::db::tenant::Tenant;
use crate::domain::Clock;
use crate::error::AppError;

/// Failures on one number from one network before it waits, and how long.
pub const NETWORK_LOCK_AFTER: usize = 5;
pub const NETWORK_LOCK: Duration = Duration::minutes(30);
pub const NETWORK_LONG_LOCK_AFTER: usize = 10;
pub const NETWORK_LONG_LOCK: Duration = Duration::hours(2);
/// Failures on one number from anywhere that stop it until staff unlock it.
pub const STAFF_UNLOCK_AFTER: i64 = 15;
/// Failures one network may make across all numbers.
pub const NETWORK_FAILURES_PER_HOUR: usize = 10;
pub const NETWORK_FAILURES_PER_DAY: usize = 30;

/// Why a number cannot be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// This network tried too often; it may try again at `until`.
    Network { until: DateTime<Utc> },
    /// Too many failures from anywhere: only staff can unlock it.
    Staff,
}

impl Lock {
    pub fn into_error(self) -> AppError {
        match self {
            Lock::Network { until } => AppError::CardLocked { until: Some(until) },
            Lock::Staff => AppError::CardLocked { until: None },
        }
    }
}

/// The key under which failures on `number` (already in its normal form) are counted.
pub fn number_key(tenant_id: i64, number: &str) -> String {
    let digest = Sha256::new()
        .chain_update(tenant_id.to_be_bytes())
        .chain_update(number.as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key of the number a card is identified by in this tenant.
pub fn card_number_key(tenant: &Tenant, card: &crate::db::card::CardRecord) -> Option<String> {
    let number = match tenant.pickup_number_kind.as_str() {
        "manufacture_number" => card.manufacture_number.clone(),
        _ => card.reservation_number.clone()?,
    };
    Some(number_key(tenant.id, &number))
}

/// A 429 when `network` has failed too often lately, on whatever numbers.
pub fn ensure_network_budget(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    network: Option<&str>,
) -> Result<(), AppError> {
    let Some(network) = network else {
        return Ok(());
    };
    let recent = failures::by_network_since(
        conn,
        tenant.id,
        network,
        clock.now - Duration::days(1),
        NETWORK_FAILURES_PER_DAY as i64,
    )?;
    let hour_ago = clock.now - Duration::hours(1);
    let in_hour = recent.iter().filter(|at| **at > hour_ago).count();
    let free_at = if in_hour >= NETWORK_FAILURES_PER_HOUR {
        recent[NETWORK_FAILURES_PER_HOUR - 1] + Duration::hours(1)
    } else if recent.len() >= NETWORK_FAILURES_PER_DAY {
        recent[NETWORK_FAILURES_PER_DAY - 1] + Duration::days(1)
    } else {
        return Ok(());
    };
    Err(AppError::Throttled {
        seconds: (free_at - clock.now).num_seconds().max(1) as u64,
    })
}

/// Refuses the number under `key` when it may not be tried from `network` now; otherwise
/// says whether it has failures on record (which a success then forgets).
pub fn ensure_open(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    key: &str,
    network: Option<&str>,
) -> Result<bool, AppError> {
    match standing(conn, clock, tenant, key, network)? {
        (_, Some(lock)) => Err(lock.into_error()),
        (failures, None) => Ok(failures > 0),
    }
}

/// The number's failures on record from anywhere, and its lock for `network` if any.
fn standing(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    key: &str,
    network: Option<&str>,
) -> Result<(i64, Option<Lock>), AppError> {
    let (everywhere, _) = failures::of_number(conn, tenant.id, key)?;
    if everywhere == 0 {
        return Ok((0, None));
    }
    if everywhere >= STAFF_UNLOCK_AFTER {
        return Ok((everywhere, Some(Lock::Staff)));
    }
    let Some(network) = network else {
        return Ok((everywhere, None));
    };
    let mine = failures::of_number_from_network_since(
        conn,
        tenant.id,
        key,
        network,
        clock.now - Duration::days(1),
    )?;
    let wait = match mine.len() {
        n if n >= NETWORK_LONG_LOCK_AFTER => NETWORK_LONG_LOCK,
        n if n >= NETWORK_LOCK_AFTER => NETWORK_LOCK,
        _ => return Ok((everywhere, None)),
    };
    let until = mine[0] + wait;
    Ok((
        everywhere,
        (until > clock.now).then_some(Lock::Network { until }),
    ))
}

/// Counts a failure; when it starts a lock, staff see it in the operation log.
pub fn record_failure(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    key: &str,
    network: Option<&str>,
    card: Option<&str>,
) -> Result<Option<Lock>, AppError> {
    failures::NewFailure {
        tenant_id: tenant.id,
        number_key: key,
        network,
        failed_at: clock.now,
    }
    .insert(conn)?;
    let (_, lock) = standing(conn, clock, tenant, key, network)?;
    if let Some(lock) = lock {
        let details = match lock {
            Lock::Network { until } => json!({ "network": network, "until": until }),
            Lock::Staff => json!({ "network": network, "until": "staff" }),
        };
        NewAuditEntry {
            tenant_id: Some(tenant.id),
            actor: "resident",
            action: "card.locked",
            target: card.unwrap_or("(no such card)"),
            client_addr: network,
            details,
            created_at: clock.now,
        }
        .insert(conn)?;
    }
    Ok(lock)
}

/// Forgets the failures on a number: after a success, or when staff unlock it.
pub fn forget(conn: &mut PgConnection, tenant: &Tenant, key: &str) -> Result<usize, AppError> {
    Ok(failures::forget(conn, tenant.id, key)?)
}

/// How many failures a number has, and whether it waits for staff, for a card's page.
pub fn failures_of(
    conn: &mut PgConnection,
    tenant: &Tenant,
    key: &str,
) -> Result<(i64, Option<DateTime<Utc>>), AppError> {
    Ok(failures::of_number(conn, tenant.id, key)?)
}

/// A card whose number is stopped for everyone, waiting for its holder to call.
pub struct StoppedCard {
    pub card: crate::db::card::CardRecord,
    pub failures: i64,
    pub last_failure: Option<DateTime<Utc>>,
}

/// The cards stopped after guessing: those the operation log says were stopped in the last
/// 30 days (`record_failure` writes the line) that are still stopped now.
pub fn stopped_cards(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
) -> Result<Vec<StoppedCard>, AppError> {
    use crate::db::card::CardRecord;
    use crate::db::schema::audit_log;
    let targets: Vec<String> = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("card.locked"))
        .filter(audit_log::created_at.gt(clock.now - Duration::days(30)))
        .filter(audit_log::details.retrieve_as_text("until").eq("staff"))
        .select(audit_log::target)
        .distinct()
        .limit(200)
        .load(conn)?;
    let mut stopped = Vec::new();
    for target in targets {
        let Some(card) = CardRecord::by_manufacture_number(conn, tenant.id, &target)? else {
            continue;
        };
        let Some(key) = card_number_key(tenant, &card) else {
            continue;
        };
        let (failures, last_failure) = failures_of(conn, tenant, &key)?;
        if failures >= STAFF_UNLOCK_AFTER {
            stopped.push(StoppedCard {
                card,
                failures,
                last_failure,
            });
        }
    }
    Ok(stopped)
}
