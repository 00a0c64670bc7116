//! Keys the service signs with (`signing_keys`), by name.

use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::signing_keys as keys;

/// The key stored under `name`, if any.
pub fn find(conn: &mut PgConnection, name: &str) -> QueryResult<Option<Vec<u8>>> {
    keys::table
        .find(name)
        .select(keys::key)
        .first(conn)
        .optional()
}

/// Stores `key` under `name` unless a key is there already (another process may have
/// made one first).
pub fn insert_if_missing(conn: &mut PgConnection, name: &str, key: &[u8]) -> QueryResult<usize> {
    diesel::insert_into(keys::table)
        .values((keys::name.eq(name), keys::key.eq(key)))
        .on_conflict_do_nothing()
        .execute(conn)
}
