//! The tenant file's mail settings (the reminder hour), kept in `tenant_mail_settings`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use diesel::PgConnection;

#[derive(QueryableByName)]
struct Hour {
    #[diesel(sql_type = Integer)]
    reminder_hour: i32,
}

pub(super) fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    reminder_hour: i32,
    changes: &mut Vec<String>,
) -> QueryResult<()> {
    let stored: Option<Hour> =
        diesel::sql_query("SELECT reminder_hour FROM tenant_mail_settings WHERE tenant_id = $1")
            .bind::<BigInt, _>(tenant_id)
            .get_result(conn)
            .optional()?;
    // Nine o'clock is the default whether stored or not.
    if stored.map_or(9, |h| h.reminder_hour) == reminder_hour {
        return Ok(());
    }
    changes.push(format!("rules.reminder_hour: {reminder_hour}"));
    diesel::sql_query(
        "INSERT INTO tenant_mail_settings (tenant_id, reminder_hour) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET reminder_hour = excluded.reminder_hour",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Integer, _>(reminder_hour)
    .execute(conn)?;
    Ok(())
}
