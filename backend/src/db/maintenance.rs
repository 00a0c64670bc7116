//! Announced stops of the service (`maintenance_windows`): the banner every page shows
//! between `starts_at` and `ends_at`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::maintenance_windows as windows;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = windows)]
pub struct MaintenanceWindow {
    pub id: i64,
    pub tenant_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub text_ja: String,
    pub text_en: String,
    /// The stop the banner announces, when it names one: planned time for availability.
    pub stop_starts_at: Option<DateTime<Utc>>,
    pub stop_ends_at: Option<DateTime<Utc>>,
}

#[derive(Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = windows)]
pub struct NewMaintenanceWindow {
    pub tenant_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub text_ja: String,
    pub text_en: String,
    /// The stop the banner announces, when it names one: planned time for availability.
    pub stop_starts_at: Option<DateTime<Utc>>,
    pub stop_ends_at: Option<DateTime<Utc>>,
}

impl MaintenanceWindow {
    /// The tenant's windows, soonest first.
    pub fn for_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Self>> {
        windows::table
            .filter(windows::tenant_id.eq(tenant_id))
            .order((windows::starts_at, windows::id))
            .select(MaintenanceWindow::as_select())
            .load(conn)
    }

    /// The window whose banner shows at `now`, if any (the one that began first).
    pub fn showing(
        conn: &mut PgConnection,
        tenant_id: i64,
        now: DateTime<Utc>,
    ) -> QueryResult<Option<Self>> {
        windows::table
            .filter(windows::tenant_id.eq(tenant_id))
            .filter(windows::starts_at.le(now))
            .filter(windows::ends_at.gt(now))
            .order(windows::starts_at)
            .select(MaintenanceWindow::as_select())
            .first(conn)
            .optional()
    }

    pub fn fields(&self) -> NewMaintenanceWindow {
        NewMaintenanceWindow {
            tenant_id: self.tenant_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            text_ja: self.text_ja.clone(),
            text_en: self.text_en.clone(),
            stop_starts_at: self.stop_starts_at,
            stop_ends_at: self.stop_ends_at,
        }
    }
}

impl NewMaintenanceWindow {
    pub fn insert(&self, conn: &mut PgConnection) -> QueryResult<MaintenanceWindow> {
        diesel::insert_into(windows::table)
            .values(self)
            .returning(MaintenanceWindow::as_returning())
            .get_result(conn)
    }
}

/// The planned stops of a tenant's windows that overlap `from`..`to`.
pub fn planned_stops(
    conn: &mut PgConnection,
    tenant_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    type Stop = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let stops: Vec<Stop> = windows::table
        .filter(windows::tenant_id.eq(tenant_id))
        .filter(windows::stop_starts_at.lt(to))
        .filter(windows::stop_ends_at.gt(from))
        .select((windows::stop_starts_at, windows::stop_ends_at))
        .load(conn)?;
    Ok(stops
        .into_iter()
        .filter_map(|(start, end)| Some((start?, end?)))
        .collect())
}

/// Removes one of the tenant's windows; how many went (0 when it was not the tenant's).
pub fn remove(conn: &mut PgConnection, tenant_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        windows::table
            .filter(windows::tenant_id.eq(tenant_id))
            .filter(windows::id.eq(id)),
    )
    .execute(conn)
}
