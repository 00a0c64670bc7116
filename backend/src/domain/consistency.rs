//! What the booking data must always be, read from the database itself: no slot holds more
//! than its capacity or its online share, each slot's kept count matches its bookings, and no
//! card has two active bookings. The load tests run it after every scenario.

use crate::db::booking::ONGOING_STATUSES;
use crate::db::kinds::{sql_list, BookingStatus};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

#[derive(Serialize, Clone, Debug, Default)]
pub struct Consistency {
    /// Slots whose active bookings take more places than the slot has.
    pub overbooked_slots: i64,
    /// Slots taking more online bookings than their online share.
    pub over_web_share_slots: i64,
    /// Slots whose kept count differs from their active bookings.
    pub miscounted_slots: i64,
    /// Cards with more than one active booking.
    pub cards_booked_twice: i64,
    /// Active bookings of the tenant, and the places they take.
    pub active_bookings: i64,
    pub places_taken: i64,
}

impl Consistency {
    pub fn holds(&self) -> bool {
        self.overbooked_slots == 0
            && self.over_web_share_slots == 0
            && self.miscounted_slots == 0
            && self.cards_booked_twice == 0
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str, tenant: &str) -> QueryResult<i64> {
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Text, _>(tenant)
        .get_result::<Count>(conn)
        .map(|c| c.n)
}

pub fn check(conn: &mut PgConnection, tenant: &str) -> QueryResult<Consistency> {
    let active = format!("b.status IN ({})", sql_list(&BookingStatus::HOLDING_PLACES));
    let per_slot = format!(
        "SELECT s.id, s.capacity, s.web_capacity, s.booked,
                coalesce(sum(b.party_size) FILTER (WHERE {active}), 0) AS places,
                coalesce(sum(b.party_size) FILTER (WHERE {active} AND b.channel = 'web'), 0) AS web
           FROM slots s LEFT JOIN bookings b ON b.slot_id = s.id
          WHERE s.tenant_id = (SELECT id FROM tenants WHERE code = $1)
          GROUP BY s.id"
    );
    Ok(Consistency {
        overbooked_slots: count(
            conn,
            &format!("SELECT count(*) AS n FROM ({per_slot}) t WHERE places > capacity"),
            tenant,
        )?,
        over_web_share_slots: count(
            conn,
            &format!("SELECT count(*) AS n FROM ({per_slot}) t WHERE web > web_capacity"),
            tenant,
        )?,
        miscounted_slots: count(
            conn,
            &format!("SELECT count(*) AS n FROM ({per_slot}) t WHERE places <> booked"),
            tenant,
        )?,
        cards_booked_twice: count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM (
               SELECT m.card_id FROM booking_members m JOIN bookings b ON b.id = m.booking_id
                WHERE b.tenant_id = (SELECT id FROM tenants WHERE code = $1)
                  AND m.card_id IS NOT NULL AND b.status IN ({})
                GROUP BY m.card_id HAVING count(*) > 1) t",
                sql_list(&ONGOING_STATUSES)
            ),
            tenant,
        )?,
        active_bookings: count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM bookings b
                  WHERE b.tenant_id = (SELECT id FROM tenants WHERE code = $1) AND {active}"
            ),
            tenant,
        )?,
        places_taken: count(
            conn,
            &format!(
                "SELECT coalesce(sum(b.party_size), 0)::bigint AS n FROM bookings b
                  WHERE b.tenant_id = (SELECT id FROM tenants WHERE code = $1) AND {active}"
            ),
            tenant,
        )?,
    })
}
