//! A tenant's mail settings, kept in `tenant_mail_settings` (the tenants table is at diesel's
//! column limit) and set by its tenant file: the reminder hour and whether addresses are
//! confirmed by code. A tenant without a row has the defaults.

use diesel::{PgConnection, QueryResult};

use crate::db::tenant_mail_settings::TenantMailSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailRules {
    /// The hour (local time) from which the day-before reminders go out.
    pub reminder_hour: i32,
    /// A one-time code by e-mail confirms the resident's address before booking.
    pub confirm_email: bool,
}

impl MailRules {
    pub const DEFAULT: MailRules = MailRules {
        reminder_hour: 9,
        confirm_email: false,
    };

    pub fn of_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<MailRules> {
        Ok(TenantMailSettings::find(conn, tenant_id)?
            .map(|row| MailRules {
                reminder_hour: row.reminder_hour,
                confirm_email: row.confirm_email,
            })
            .unwrap_or(MailRules::DEFAULT))
    }

    pub fn store(&self, conn: &mut PgConnection, tenant_id: i64) -> QueryResult<usize> {
        TenantMailSettings {
            tenant_id,
            reminder_hour: self.reminder_hour,
            confirm_email: self.confirm_email,
        }
        .upsert(conn)
    }
}
