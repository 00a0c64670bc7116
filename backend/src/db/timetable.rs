//! Timetables, their opening periods, tenant closures and national holidays.

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;

use super::schema::{closures, national_holidays, timetable_periods, timetables};

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = timetables)]
pub struct Timetable {
    pub id: i64,
    pub tenant_id: i64,
    pub lane_id: i64,
    pub effective_from: NaiveDate,
    pub slot_minutes: i32,
    pub capacity: i32,
    pub web_capacity: i32,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = timetable_periods)]
pub struct Period {
    pub timetable_id: i64,
    pub weekday: i16,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = closures)]
pub struct Closure {
    pub id: i64,
    pub tenant_id: i64,
    pub location_id: Option<i64>,
    pub day: NaiveDate,
    pub reason: String,
}

impl Timetable {
    pub fn for_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Timetable>> {
        timetables::table
            .filter(timetables::tenant_id.eq(tenant_id))
            .order((timetables::lane_id, timetables::effective_from))
            .select(Timetable::as_select())
            .load(conn)
    }

    pub fn periods_of(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<Period>> {
        timetable_periods::table
            .filter(timetable_periods::timetable_id.eq_any(ids))
            .order((
                timetable_periods::timetable_id,
                timetable_periods::weekday,
                timetable_periods::opens,
            ))
            .select(Period::as_select())
            .load(conn)
    }
}

impl Closure {
    pub fn for_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Closure>> {
        closures::table
            .filter(closures::tenant_id.eq(tenant_id))
            .order((closures::day, closures::location_id))
            .select(Closure::as_select())
            .load(conn)
    }
}

impl Closure {
    /// Closes a day (city-wide without `location_id`); a closure of that day and place
    /// already there keeps its row and takes the new reason.
    pub fn upsert(
        conn: &mut PgConnection,
        tenant_id: i64,
        location_id: Option<i64>,
        day: NaiveDate,
        reason: &str,
    ) -> QueryResult<Closure> {
        let existing = closures::table
            .filter(closures::tenant_id.eq(tenant_id))
            .filter(closures::day.eq(day))
            .select(Closure::as_select())
            .load(conn)?
            .into_iter()
            .find(|c| c.location_id == location_id);
        match existing {
            Some(found) => diesel::update(closures::table.find(found.id))
                .set(closures::reason.eq(reason))
                .returning(Closure::as_returning())
                .get_result(conn),
            None => diesel::insert_into(closures::table)
                .values((
                    closures::tenant_id.eq(tenant_id),
                    closures::location_id.eq(location_id),
                    closures::day.eq(day),
                    closures::reason.eq(reason),
                ))
                .returning(Closure::as_returning())
                .get_result(conn),
        }
    }

    /// Removes one of the tenant's closures; `None` when it is not the tenant's.
    pub fn delete(
        conn: &mut PgConnection,
        tenant_id: i64,
        id: i64,
    ) -> QueryResult<Option<Closure>> {
        diesel::delete(
            closures::table
                .filter(closures::tenant_id.eq(tenant_id))
                .filter(closures::id.eq(id)),
        )
        .returning(Closure::as_returning())
        .get_result(conn)
        .optional()
    }
}

pub fn holidays_between(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, String)>> {
    national_holidays::table
        .filter(national_holidays::day.between(from, to))
        .order(national_holidays::day)
        .select((national_holidays::day, national_holidays::name))
        .load(conn)
}
