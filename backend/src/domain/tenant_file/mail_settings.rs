//! The tenant file's mail settings, applied to `tenant_mail_settings`.

use diesel::prelude::*;
use diesel::PgConnection;

use crate::domain::mail::settings::MailRules;

pub(super) fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    rules: &MailRules,
    changes: &mut Vec<String>,
) -> QueryResult<()> {
    let stored = MailRules::of_tenant(conn, tenant_id)?;
    if stored == *rules {
        return Ok(());
    }
    if stored.reminder_hour != rules.reminder_hour {
        changes.push(format!("rules.reminder_hour: {}", rules.reminder_hour));
    }
    if stored.confirm_email != rules.confirm_email {
        changes.push(format!("rules.confirm_email: {}", rules.confirm_email));
    }
    rules.store(conn, tenant_id)?;
    Ok(())
}
