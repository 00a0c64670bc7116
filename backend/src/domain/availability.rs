//! Open slots and their remaining places, as residents (or staff) see them.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{Duration, NaiveDate};
use diesel::PgConnection;

use super::booking::rules::deadline;
use super::calendar::{ClosedDays, ClosedReason};
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

/// How one day of the calendar stands for a resident booking online.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DayState {
    /// Before today.
    Past,
    /// Closed: a national holiday, the New Year break, or the city's own closure.
    Closed(ClosedReason),
    /// The counter has no opening hours that day (a weekend, a regular day off).
    NoHours,
    /// Further ahead than online booking reaches yet.
    NotYetOpen,
    /// Online booking for the day has ended (its cut-off has passed).
    BookingEnded,
    Full,
    /// Places left for web bookings, out of the web places of the day's open times.
    Open {
        remaining: i64,
        places: i64,
    },
}

/// The state of every day in `days` at the location, online, from `slots`: what `for_days`
/// gave for those days on the web channel.
pub fn day_states(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location: &Location,
    slots: &[SlotAvailability],
    days: RangeInclusive<NaiveDate>,
) -> Result<Vec<(NaiveDate, DayState)>, AppError> {
    let (from, to) = days.into_inner();
    let closed = ClosedDays::load(conn, tenant, from, to)?;
    // day → (has open times, has bookable times, remaining, places)
    let mut per_day: HashMap<NaiveDate, (bool, bool, i64, i64)> = HashMap::new();
    for available in slots {
        let entry = per_day
            .entry(clock.local_date(available.slot.starts_at))
            .or_default();
        entry.0 = true;
        if available.bookable {
            entry.1 = true;
            entry.2 += i64::from(available.remaining);
            entry.3 += i64::from(available.slot.web_capacity);
        }
    }
    let today = clock.today();
    let last_open_day = today + Duration::days(tenant.booking_opens_days.into());
    Ok(from
        .iter_days()
        .take_while(|day| *day <= to)
        .map(|day| {
            let (has_times, bookable, remaining, places) =
                per_day.get(&day).copied().unwrap_or_default();
            let state = if day < today {
                DayState::Past
            } else if let Some(reason) = closed.reason(location.id, day) {
                DayState::Closed(reason)
            } else if !has_times {
                DayState::NoHours
            } else if day > last_open_day {
                DayState::NotYetOpen
            } else if !bookable {
                DayState::BookingEnded
            } else if remaining == 0 {
                DayState::Full
            } else {
                DayState::Open { remaining, places }
            };
            (day, state)
        })
        .collect())
}

/// The first day, from `from` (or today, if later) to the end of the booking window, with
/// a place left online for `places` people.
pub fn first_free_day(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    location: &Location,
    procedure: &Procedure,
    places: i32,
    from: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    // Looked for a fortnight at a time: the first free day is nearly always in the first.
    const STRETCH: i64 = 14;
    let last_open_day = clock.today() + Duration::days(tenant.booking_opens_days.into());
    let mut from = from.max(clock.today());
    while from <= last_open_day {
        let to = (from + Duration::days(STRETCH - 1)).min(last_open_day);
        let slots = for_days(
            conn,
            clock,
            tenant,
            location,
            procedure,
            from..=to,
            Channel::Web,
        )?;
        if let Some(found) = first_free_in(clock, &slots, places) {
            return Ok(Some(found));
        }
        from = to + Duration::days(1);
    }
    Ok(None)
}

/// The first day among `slots` with a time still bookable online for `places` people.
pub fn first_free_in(clock: &Clock, slots: &[SlotAvailability], places: i32) -> Option<NaiveDate> {
    slots
        .iter()
        .filter(|a| a.bookable && a.remaining >= places.max(1))
        .map(|a| clock.local_date(a.slot.starts_at))
        .min()
}
