//! Open slots and their remaining places, as residents (or staff) see them.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{Duration, NaiveDate};
use diesel::PgConnection;

use super::booking::rules::deadline;
use super::{Channel, Clock};
use crate::db::lane::Lane;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::error::AppError;

pub struct SlotAvailability {
    pub slot: Slot,
    /// Places still free for the channel: the web share online, the whole slot for staff.
    pub remaining: i32,
    /// Online: inside the booking window and before the cut-off. Staff: before the start.
    pub bookable: bool,
}

pub fn for_days(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location: &Location,
    procedure: &Procedure,
    days: RangeInclusive<NaiveDate>,
    channel: Channel,
) -> Result<Vec<SlotAvailability>, AppError> {
    let (from, to) = days.into_inner();
    let lane =
        Lane::serving(conn, location.id, procedure.id)?.ok_or(AppError::ProcedureNotOffered)?;
    let start = clock.start_of(from);
    let end = clock.start_of(to + Duration::days(1));
    let slots: Vec<Slot> = Slot::on_lane_between(conn, lane.id, start, end)?
        .into_iter()
        .filter(|slot| !slot.closed)
        .collect();
    let ids: Vec<i64> = slots.iter().map(|s| s.id).collect();
    let held: HashMap<i64, i64> = Slot::held_places(conn, &ids, clock.now, None)?
        .into_iter()
        .collect();
    let last_open_day = clock.today() + Duration::days(tenant.booking_opens_days.into());
    let mut cutoffs = HashMap::new();
    let mut result = Vec::with_capacity(slots.len());
    for slot in slots {
        let day = clock.local_date(slot.starts_at);
        let taken = i64::from(slot.booked) + held.get(&slot.id).copied().unwrap_or(0);
        if !channel.uses_web_share() {
            let remaining = (i64::from(slot.capacity) - taken).max(0) as i32;
            let bookable = clock.now < slot.starts_at;
            result.push(SlotAvailability {
                slot,
                remaining,
                bookable,
            });
            continue;
        }
        let cutoff = match cutoffs.get(&day) {
            Some(cutoff) => *cutoff,
            None => {
                let cutoff = deadline(
                    conn,
                    clock,
                    tenant,
                    day,
                    tenant.cutoff_days_before,
                    tenant.cutoff_time,
                )?;
                cutoffs.insert(day, cutoff);
                cutoff
            }
        };
        let remaining = (i64::from(slot.web_capacity) - taken).max(0) as i32;
        let bookable = day <= last_open_day && clock.now < cutoff && clock.now < slot.starts_at;
        result.push(SlotAvailability {
            slot,
            remaining,
            bookable,
        });
    }
    Ok(result)
}
