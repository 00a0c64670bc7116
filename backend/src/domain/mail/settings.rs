//! A tenant's mail settings, kept in `tenant_mail_settings` (the tenants table is at diesel's
//! column limit) and set by its tenant file: the reminder hour and whether addresses are
//! confirmed by code. A tenant without a row has the defaults.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer};
use diesel::PgConnection;

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailRules {
    /// The hour (local time) from which the day-before reminders go out.
    #[diesel(sql_type = Integer)]
    pub reminder_hour: i32,
    /// A one-time code by e-mail confirms the resident's address before booking.
    #[diesel(sql_type = Bool)]
    pub confirm_email: bool,
}

impl MailRules {
    pub const DEFAULT: MailRules = MailRules {
        reminder_hour: 9,
        confirm_email: false,
    };

    pub fn of_tenant(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<MailRules> {
        Ok(diesel::sql_query(
            "SELECT reminder_hour, confirm_email FROM tenant_mail_settings WHERE tenant_id = $1",
        )
        .bind::<BigInt, _>(tenant_id)
        .get_result(conn)
        .optional()?
        .unwrap_or(MailRules::DEFAULT))
    }

    pub fn store(&self, conn: &mut PgConnection, tenant_id: i64) -> QueryResult<usize> {
        diesel::sql_query(
            "INSERT INTO tenant_mail_settings (tenant_id, reminder_hour, confirm_email)
             VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO UPDATE
                SET reminder_hour = excluded.reminder_hour, confirm_email = excluded.confirm_email",
        )
        .bind::<BigInt, _>(tenant_id)
        .bind::<Integer, _>(self.reminder_hour)
        .bind::<Bool, _>(self.confirm_email)
        .execute(conn)
    }
}
