//! The `[card_columns]` section: the header names a tenant's J-LIS files use instead of the
//! standard ones, kept in a table of their own.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::tenant_card_columns as names;
use crate::db::tenant::card_column_names;

pub(super) fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    wanted: &BTreeMap<String, String>,
    changes: &mut Vec<String>,
) -> QueryResult<()> {
    let stored = card_column_names(conn, tenant_id)?;
    if &stored == wanted {
        return Ok(());
    }
    for (standard, file_name) in wanted {
        if stored.get(standard) != Some(file_name) {
            changes.push(format!("card column {standard}: \"{file_name}\""));
        }
    }
    for standard in stored.keys().filter(|s| !wanted.contains_key(*s)) {
        changes.push(format!("- card column {standard}"));
    }
    diesel::delete(names::table.filter(names::tenant_id.eq(tenant_id))).execute(conn)?;
    let rows: Vec<_> = wanted
        .iter()
        .map(|(standard, file_name)| {
            (
                names::tenant_id.eq(tenant_id),
                names::standard_name.eq(standard),
                names::file_name.eq(file_name),
            )
        })
        .collect();
    diesel::insert_into(names::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}
