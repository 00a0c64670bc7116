use chrono::Duration;
use diesel::PgConnection;

use super::request::HoldRequest;
use super::rules::{ensure_bookable, ensure_party_size, ensure_room, lock_slot};
use crate::db::hold::{Hold, NewHold};
use crate::db::tenant::Tenant;
use crate::domain::{Actor, Clock};
use crate::error::AppError;

/// Holds places in a slot for one client for the tenant's hold minutes. A client has one
/// hold at a time: a new pick releases the previous one. An expired hold simply stops
/// counting; nothing has to sweep it for the place to be free again.
pub fn place_hold(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    request: &HoldRequest,
    actor: &Actor,
) -> Result<Hold, AppError> {
    ensure_party_size(tenant, request.places)?;
    let client_key = actor.network();
    crate::db::transaction(conn, |conn| {
        Hold::release_client(conn, tenant.id, &request.client_token)?;
        let slot = lock_slot(conn, tenant, request.slot_id)?;
        ensure_bookable(
            conn,
            clock,
            tenant,
            &slot,
            request.procedure_id,
            actor.channel,
        )?;
        ensure_room(conn, clock, &slot, request.places, actor.channel)?;
        let hold = diesel::insert_into(crate::db::schema::holds::table)
            .values(NewHold {
                tenant_id: tenant.id,
                slot_id: slot.id,
                client_token: &request.client_token,
                procedure_id: request.procedure_id,
                places: request.places,
                channel: actor.channel,
                created_at: clock.now,
                expires_at: clock.now + Duration::minutes(tenant.hold_minutes.into()),
                client_key: client_key.as_deref(),
            })
            .returning(Hold::as_returning())
            .get_result(conn)?;
        Ok(hold)
    })
}

use diesel::prelude::*;

/// However many sessions or tokens it uses, one network (an IPv4 address or an IPv6 /64)
/// holds at most `cap` places at once: a resident holds one time at a time, so this is
/// about `cap` residents choosing a time in the same minutes behind one carrier address.
/// Staff on the phone or at the counter are not counted.
pub fn ensure_address_share(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    actor: &Actor,
    request: &HoldRequest,
    cap: i64,
) -> Result<(), AppError> {
    let key = actor.network();
    let Some(key) = key else {
        return Ok(());
    };
    // One network's holds are counted and added one request at a time (the caller holds
    // a transaction around this and the hold it then places).
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('held places ' || $1))")
        .bind::<diesel::sql_types::Text, _>(&key)
        .execute(conn)?;
    let held = Hold::places_held_by_key(conn, &key, &request.client_token, clock.now)?;
    if held + i64::from(request.places) > cap {
        return Err(AppError::Throttled {
            seconds: u64::try_from(tenant.hold_minutes).unwrap_or(10) * 60,
        });
    }
    Ok(())
}
