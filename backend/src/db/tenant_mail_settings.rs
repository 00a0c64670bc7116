//! A tenant's mail settings (`tenant_mail_settings`, beside `tenants`, which is at
//! diesel's column limit): the reminder hour and whether addresses are confirmed by code.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel::PgConnection;

use crate::db::schema::tenant_mail_settings as settings;

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Copy)]
#[diesel(table_name = settings)]
pub struct TenantMailSettings {
    pub tenant_id: i64,
    pub reminder_hour: i32,
    pub confirm_email: bool,
}

impl TenantMailSettings {
    /// The tenant's row; `None` for a tenant that keeps the defaults.
    pub fn find(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Option<Self>> {
        settings::table
            .find(tenant_id)
            .select(TenantMailSettings::as_select())
            .first(conn)
            .optional()
    }

    pub fn upsert(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        diesel::insert_into(settings::table)
            .values(self)
            .on_conflict(settings::tenant_id)
            .do_update()
            .set((
                settings::reminder_hour.eq(excluded(settings::reminder_hour)),
                settings::confirm_email.eq(excluded(settings::confirm_email)),
            ))
            .execute(conn)
    }
}
