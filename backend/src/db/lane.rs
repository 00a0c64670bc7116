use diesel::prelude::*;

use super::schema::{lane_procedures, lanes};

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = lanes)]
pub struct Lane {
    pub id: i64,
    pub tenant_id: i64,
    pub location_id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = lane_procedures)]
pub struct NewLaneProcedure {
    pub lane_id: i64,
    pub location_id: i64,
    pub procedure_id: i64,
    pub tenant_id: i64,
}

impl Lane {
    pub fn for_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Lane>> {
        lanes::table
            .filter(lanes::tenant_id.eq(tenant_id))
            .order((lanes::location_id, lanes::code))
            .select(Lane::as_select())
            .load(conn)
    }

    /// The active lane serving `procedure_id` at `location_id`, if any.
    pub fn serving(
        conn: &mut PgConnection,
        location_id: i64,
        procedure_id: i64,
    ) -> QueryResult<Option<Lane>> {
        lanes::table
            .inner_join(lane_procedures::table)
            .filter(lane_procedures::location_id.eq(location_id))
            .filter(lane_procedures::procedure_id.eq(procedure_id))
            .filter(lanes::active.eq(true))
            .select(Lane::as_select())
            .first(conn)
            .optional()
    }

    pub fn offers(conn: &mut PgConnection, lane_id: i64, procedure_id: i64) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            lane_procedures::table
                .filter(lane_procedures::lane_id.eq(lane_id))
                .filter(lane_procedures::procedure_id.eq(procedure_id)),
        ))
        .get_result(conn)
    }

    pub fn procedure_ids(conn: &mut PgConnection, lane_id: i64) -> QueryResult<Vec<i64>> {
        lane_procedures::table
            .filter(lane_procedures::lane_id.eq(lane_id))
            .order(lane_procedures::procedure_id)
            .select(lane_procedures::procedure_id)
            .load(conn)
    }
}
