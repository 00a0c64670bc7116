//! The tenant file's mail settings (the reminder hour, confirming addresses by code), kept in
//! `tenant_mail_settings`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer};
use diesel::PgConnection;

#[derive(QueryableByName, Debug, PartialEq, Eq)]
pub(super) struct MailRules {
    #[diesel(sql_type = Integer)]
    pub(super) reminder_hour: i32,
    #[diesel(sql_type = Bool)]
    pub(super) confirm_email: bool,
}

/// What a tenant without stored settings has.
const DEFAULTS: MailRules = MailRules {
    reminder_hour: 9,
    confirm_email: false,
};

pub(super) fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    rules: &MailRules,
    changes: &mut Vec<String>,
) -> QueryResult<()> {
    let stored: MailRules = diesel::sql_query(
        "SELECT reminder_hour, confirm_email FROM tenant_mail_settings WHERE tenant_id = $1",
    )
    .bind::<BigInt, _>(tenant_id)
    .get_result(conn)
    .optional()?
    .unwrap_or(DEFAULTS);
    if stored == *rules {
        return Ok(());
    }
    if stored.reminder_hour != rules.reminder_hour {
        changes.push(format!("rules.reminder_hour: {}", rules.reminder_hour));
    }
    if stored.confirm_email != rules.confirm_email {
        changes.push(format!("rules.confirm_email: {}", rules.confirm_email));
    }
    diesel::sql_query(
        "INSERT INTO tenant_mail_settings (tenant_id, reminder_hour, confirm_email)
         VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO UPDATE
            SET reminder_hour = excluded.reminder_hour, confirm_email = excluded.confirm_email",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Integer, _>(rules.reminder_hour)
    .bind::<Bool, _>(rules.confirm_email)
    .execute(conn)?;
    Ok(())
}
