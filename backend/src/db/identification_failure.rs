//! Failed identifications of a card number (`identification_failures`): counted per number
//! and per network to slow down guessing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::identification_failures as failures;

/// One failure to record.
#[derive(Insertable)]
#[diesel(table_name = failures)]
pub struct NewFailure<'a> {
    pub tenant_id: i64,
    pub number_key: &'a str,
    pub network: Option<&'a str>,
    pub failed_at: DateTime<Utc>,
}

impl NewFailure<'_> {
    pub fn insert(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        diesel::insert_into(failures::table)
            .values(self)
            .execute(conn)
    }
}

/// When `network` failed since `since`, newest first, at most `limit` of them.
pub fn by_network_since(
    conn: &mut PgConnection,
    tenant_id: i64,
    network: &str,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<DateTime<Utc>>> {
    failures::table
        .filter(failures::tenant_id.eq(tenant_id))
        .filter(failures::network.eq(network))
        .filter(failures::failed_at.gt(since))
        .order(failures::failed_at.desc())
        .select(failures::failed_at)
        .limit(limit)
        .load(conn)
}

/// When the number under `key` failed from `network` since `since`, newest first.
pub fn of_number_from_network_since(
    conn: &mut PgConnection,
    tenant_id: i64,
    key: &str,
    network: &str,
    since: DateTime<Utc>,
) -> QueryResult<Vec<DateTime<Utc>>> {
    failures::table
        .filter(failures::tenant_id.eq(tenant_id))
        .filter(failures::number_key.eq(key))
        .filter(failures::network.eq(network))
        .filter(failures::failed_at.gt(since))
        .order(failures::failed_at.desc())
        .select(failures::failed_at)
        .load(conn)
}

/// How many failures the number under `key` has from anywhere, and the last one.
pub fn of_number(
    conn: &mut PgConnection,
    tenant_id: i64,
    key: &str,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    failures::table
        .filter(failures::tenant_id.eq(tenant_id))
        .filter(failures::number_key.eq(key))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(failures::failed_at),
        ))
        .get_result(conn)
}

/// Forgets the failures of the number under `key`.
pub fn forget(conn: &mut PgConnection, tenant_id: i64, key: &str) -> QueryResult<usize> {
    diesel::delete(
        failures::table
            .filter(failures::tenant_id.eq(tenant_id))
            .filter(failures::number_key.eq(key)),
    )
    .execute(conn)
}
