//! The `[[closures]]` section: single closed days, city-wide or at one location.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::schema::closures;
use crate::db::timetable::Closure;

pub(super) fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    plans: &[(Option<String>, NaiveDate, String)],
    location_ids: &HashMap<String, i64>,
    changes: &mut Vec<String>,
) -> diesel::QueryResult<()> {
    let existing = Closure::for_tenant(conn, tenant_id)?;
    let mut kept = BTreeSet::new();
    for (location_code, day, reason) in plans {
        let location_id = location_code
            .as_ref()
            .and_then(|c| location_ids.get(c).copied());
        let label = format!(
            "closure {day} {}",
            location_code.as_deref().unwrap_or("(all locations)")
        );
        match existing
            .iter()
            .find(|c| c.location_id == location_id && c.day == *day)
        {
            Some(old) => {
                kept.insert(old.id);
                if &old.reason != reason {
                    changes.push(format!("~ {label}: reason"));
                    diesel::update(closures::table.find(old.id))
                        .set(closures::reason.eq(reason))
                        .execute(conn)?;
                }
            }
            None => {
                changes.push(format!("+ {label}"));
                diesel::insert_into(closures::table)
                    .values((
                        closures::tenant_id.eq(tenant_id),
                        closures::location_id.eq(location_id),
                        closures::day.eq(day),
                        closures::reason.eq(reason),
                    ))
                    .execute(conn)?;
            }
        }
    }
    for old in existing.iter().filter(|c| !kept.contains(&c.id)) {
        changes.push(format!("- closure {}", old.day));
        diesel::delete(closures::table.find(old.id)).execute(conn)?;
    }
    Ok(())
}
