use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{holds, slots};

#[derive(Queryable, QueryableByName, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = slots)]
pub struct Slot {
    pub id: i64,
    pub tenant_id: i64,
    pub location_id: i64,
    pub lane_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub web_capacity: i32,
    pub booked: i32,
    pub closed: bool,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = slots)]
pub struct NewSlot {
    pub tenant_id: i64,
    pub location_id: i64,
    pub lane_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub web_capacity: i32,
}

impl Slot {
    pub fn find(conn: &mut PgConnection, tenant_id: i64, id: i64) -> QueryResult<Option<Slot>> {
        slots::table
            .filter(slots::tenant_id.eq(tenant_id))
            .find(id)
            .select(Slot::as_select())
            .first(conn)
            .optional()
    }

    /// Reads the slot and locks its row until the transaction ends; every change to the
    /// places of a slot happens under this lock.
    pub fn lock(conn: &mut PgConnection, tenant_id: i64, id: i64) -> QueryResult<Option<Slot>> {
        slots::table
            .filter(slots::tenant_id.eq(tenant_id))
            .find(id)
            .select(Slot::as_select())
            .for_update()
            .first(conn)
            .optional()
    }

    pub fn on_lane_at(
        conn: &mut PgConnection,
        lane_id: i64,
        starts_at: DateTime<Utc>,
    ) -> QueryResult<Option<Slot>> {
        slots::table
            .filter(slots::lane_id.eq(lane_id))
            .filter(slots::starts_at.eq(starts_at))
            .select(Slot::as_select())
            .first(conn)
            .optional()
    }

    pub fn on_lane_between(
        conn: &mut PgConnection,
        lane_id: i64,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> QueryResult<Vec<Slot>> {
        slots::table
            .filter(slots::lane_id.eq(lane_id))
            .filter(slots::starts_at.ge(from))
            .filter(slots::starts_at.lt(until))
            .order(slots::starts_at)
            .select(Slot::as_select())
            .load(conn)
    }

    /// Places held by unexpired holds on each of `slot_ids`, leaving out `except_client`'s.
    pub fn held_places(
        conn: &mut PgConnection,
        slot_ids: &[i64],
        now: DateTime<Utc>,
        except_client: Option<&str>,
    ) -> QueryResult<Vec<(i64, i64)>> {
        let mut query = holds::table
            .filter(holds::slot_id.eq_any(slot_ids))
            .filter(holds::expires_at.gt(now))
            .group_by(holds::slot_id)
            .select((holds::slot_id, diesel::dsl::sum(holds::places)))
            .into_boxed();
        if let Some(client) = except_client {
            query = query.filter(holds::client_token.ne(client.to_string()));
        }
        let rows: Vec<(i64, Option<i64>)> = query.load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(id, places)| (id, places.unwrap_or(0)))
            .collect())
    }

    pub fn add_booked(conn: &mut PgConnection, id: i64, places: i32) -> QueryResult<usize> {
        diesel::update(slots::table.find(id))
            .set(slots::booked.eq(slots::booked + places))
            .execute(conn)
    }
}
