//! Slot generation from timetables: idempotent, skips closed days, and never deletes a
//! slot or leaves one with fewer places than it has booked.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use super::calendar::ClosedDays;
use super::Clock;
use crate::db::lane::Lane;
use crate::db::schema::slots;
use crate::db::slot::{NewSlot, Slot};
use crate::db::tenant::Tenant;
use crate::db::timetable::{Period, Timetable};
use crate::error::AppError;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GenerationReport {
    pub created: usize,
    pub updated: usize,
    pub closed: usize,
    pub reopened: usize,
    /// Slots that keep bookings although the timetable no longer has them or has fewer
    /// places; staff must move those bookings.
    pub needing_attention: Vec<SlotAttention>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotAttention {
    pub slot_id: i64,
    pub starts_at: DateTime<Utc>,
    pub booked: i32,
    /// Places the timetable now gives this time (0 when it has no slot there).
    pub timetable_capacity: i32,
}

struct Expected {
    ends_at: DateTime<Utc>,
    capacity: i32,
    web_capacity: i32,
}

/// Brings the slots of every active lane of `tenant` in `from..=to` in line with the
/// timetables and closed days.
pub fn generate(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<GenerationReport, AppError> {
    crate::db::transaction(conn, |conn| {
        // One generator per tenant at a time, whichever server runs it.
        diesel::sql_query("SELECT pg_advisory_xact_lock(7243, $1::int)")
            .bind::<diesel::sql_types::Integer, _>(tenant.id as i32)
            .execute(conn)?;
        generate_locked(conn, clock, tenant, from, to)
    })
}

fn generate_locked(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<GenerationReport, AppError> {
    let closed = ClosedDays::load(conn, tenant, from, to)?;
    let timetables = Timetable::for_tenant(conn, tenant.id)?;
    let ids: Vec<i64> = timetables.iter().map(|t| t.id).collect();
    let mut periods: HashMap<i64, Vec<Period>> = HashMap::new();
    for period in Timetable::periods_of(conn, &ids)? {
        periods.entry(period.timetable_id).or_default().push(period);
    }
    let mut report = GenerationReport::default();
    let range_start = clock.start_of(from);
    let range_end = clock.start_of(to + Duration::days(1));

    for lane in Lane::for_tenant(conn, tenant.id)? {
        let lane_timetables: Vec<&Timetable> =
            timetables.iter().filter(|t| t.lane_id == lane.id).collect();
        let mut expected: HashMap<DateTime<Utc>, Expected> = HashMap::new();
        if lane.active {
            let mut day = from;
            while day <= to {
                if !closed.location_closed(lane.location_id, day) {
                    // timetables are sorted by effective_from: the last one started wins
                    if let Some(timetable) = lane_timetables
                        .iter()
                        .rev()
                        .find(|t| t.effective_from <= day)
                    {
                        add_day_slots(clock, timetable, &periods, day, &mut expected);
                    }
                }
                day += Duration::days(1);
            }
        }

        let existing = Slot::on_lane_between(conn, lane.id, range_start, range_end)?;
        let mut new_slots = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for slot in &existing {
            seen.insert(slot.starts_at);
            match expected.get(&slot.starts_at) {
                Some(want) => reconcile(conn, slot, want, &mut report)?,
                None => {
                    if !slot.closed {
                        diesel::update(slots::table.find(slot.id))
                            .set(slots::closed.eq(true))
                            .execute(conn)?;
                        report.closed += 1;
                    }
                    if slot.booked > 0 {
                        report.needing_attention.push(SlotAttention {
                            slot_id: slot.id,
                            starts_at: slot.starts_at,
                            booked: slot.booked,
                            timetable_capacity: 0,
                        });
                    }
                }
            }
        }
        for (starts_at, want) in &expected {
            if !seen.contains(starts_at) {
                new_slots.push(NewSlot {
                    tenant_id: tenant.id,
                    location_id: lane.location_id,
                    lane_id: lane.id,
                    starts_at: *starts_at,
                    ends_at: want.ends_at,
                    capacity: want.capacity,
                    web_capacity: want.web_capacity,
                });
            }
        }
        new_slots.sort_by_key(|s| s.starts_at);
        for chunk in new_slots.chunks(2000) {
            report.created += diesel::insert_into(slots::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(conn)?;
        }
    }
    Ok(report)
}

fn add_day_slots(
    clock: &Clock,
    timetable: &Timetable,
    periods: &HashMap<i64, Vec<Period>>,
    day: NaiveDate,
    expected: &mut HashMap<DateTime<Utc>, Expected>,
) {
    let weekday = day.weekday().number_from_monday() as i16;
    let length = Duration::minutes(timetable.slot_minutes.into());
    for period in periods
        .get(&timetable.id)
        .into_iter()
        .flatten()
        .filter(|p| p.weekday == weekday)
    {
        let mut start = day.and_time(period.opens);
        let close = day.and_time(period.closes);
        while start + length <= close {
            expected.insert(
                clock.instant(start),
                Expected {
                    ends_at: clock.instant(start + length),
                    capacity: timetable.capacity,
                    web_capacity: timetable.web_capacity,
                },
            );
            start += length;
        }
    }
}

/// Updates one existing slot to what the timetable wants. A slot with bookings keeps its
/// length and never has fewer places than it has booked (a smaller timetable shrinks it to
/// its bookings, so no one new takes a place the city removed); the SQL reads `booked`
/// under the row lock, since a booking may have arrived since we read it.
fn reconcile(
    conn: &mut PgConnection,
    slot: &Slot,
    want: &Expected,
    report: &mut GenerationReport,
) -> Result<(), AppError> {
    if slot.closed {
        diesel::update(slots::table.find(slot.id))
            .set(slots::closed.eq(false))
            .execute(conn)?;
        report.reopened += 1;
    }
    let same = slot.capacity == want.capacity
        && slot.web_capacity == want.web_capacity
        && slot.ends_at == want.ends_at;
    if !same {
        let updated: Option<Slot> = diesel::sql_query(
            "UPDATE slots SET \
               capacity = greatest(booked, $2), \
               web_capacity = least($3, greatest(booked, $2)), \
               ends_at = CASE WHEN booked = 0 THEN $4 ELSE ends_at END \
             WHERE id = $1 RETURNING *",
        )
        .bind::<diesel::sql_types::BigInt, _>(slot.id)
        .bind::<diesel::sql_types::Integer, _>(want.capacity)
        .bind::<diesel::sql_types::Integer, _>(want.web_capacity)
        .bind::<diesel::sql_types::Timestamptz, _>(want.ends_at)
        .get_result::<Slot>(conn)
        .optional()?;
        report.updated += 1;
        if let Some(updated) = updated {
            if updated.booked > want.capacity {
                report.needing_attention.push(SlotAttention {
                    slot_id: updated.id,
                    starts_at: updated.starts_at,
                    booked: updated.booked,
                    timetable_capacity: want.capacity,
                });
            }
        }
    }
    Ok(())
}

/// Generates the tenant's slots from today over its horizon.
pub fn generate_horizon(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
) -> Result<GenerationReport, AppError> {
    let today = clock.today();
    let to = today + Duration::days(tenant.slot_horizon_days.into());
    generate(conn, clock, tenant, today, to)
}
