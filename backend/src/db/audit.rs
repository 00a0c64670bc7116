use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::audit_log;

/// One line of the audit log: who did what, to what, when and from where.
#[derive(Insertable, Debug)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry<'a> {
    pub tenant_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub client_addr: Option<&'a str>,
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl NewAuditEntry<'_> {
    pub fn insert(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        diesel::insert_into(audit_log::table)
            .values(self)
            .execute(conn)
    }
}
