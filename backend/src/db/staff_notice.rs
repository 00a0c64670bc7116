//! Notices to a city's staff (`staff_notices`): the console shows each within its display
//! period, or from when it was posted until it is removed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::staff_notices as notices;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = notices)]
pub struct StaffNotice {
    pub id: i64,
    pub tenant_id: i64,
    pub body: String,
    pub shows_from: Option<DateTime<Utc>>,
    pub shows_until: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = notices)]
pub struct NewStaffNotice {
    pub tenant_id: i64,
    pub body: String,
    pub shows_from: Option<DateTime<Utc>>,
    pub shows_until: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl StaffNotice {
    /// The tenant's notices not yet past their period, newest first.
    pub fn current_and_coming(
        conn: &mut PgConnection,
        tenant_id: i64,
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<Self>> {
        notices::table
            .filter(notices::tenant_id.eq(tenant_id))
            .filter(
                notices::shows_until
                    .is_null()
                    .or(notices::shows_until.gt(now)),
            )
            .order((notices::created_at.desc(), notices::id.desc()))
            .select(StaffNotice::as_select())
            .load(conn)
    }

    /// The notices shown at `now`, newest first.
    pub fn showing(
        conn: &mut PgConnection,
        tenant_id: i64,
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<Self>> {
        Ok(Self::current_and_coming(conn, tenant_id, now)?
            .into_iter()
            .filter(|n| n.shows_from.is_none_or(|from| from <= now))
            .collect())
    }
}

impl NewStaffNotice {
    pub fn insert(&self, conn: &mut PgConnection) -> QueryResult<StaffNotice> {
        diesel::insert_into(notices::table)
            .values(self)
            .returning(StaffNotice::as_returning())
            .get_result(conn)
    }
}

/// Removes one of the tenant's notices; the notice removed, if it was the tenant's.
pub fn remove(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> QueryResult<Option<StaffNotice>> {
    diesel::delete(
        notices::table
            .filter(notices::tenant_id.eq(tenant_id))
            .filter(notices::id.eq(id)),
    )
    .returning(StaffNotice::as_returning())
    .get_result(conn)
    .optional()
}
