use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{staff_accounts, staff_sessions};

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = staff_accounts)]
pub struct StaffAccount {
    pub id: i64,
    pub tenant_id: i64,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub location_ids: Vec<i64>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub password_expires_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = staff_accounts)]
pub struct NewStaffAccount<'a> {
    pub tenant_id: i64,
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub location_ids: Vec<i64>,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = staff_sessions)]
pub struct StaffSession {
    pub token: String,
    pub tenant_id: i64,
    pub staff_id: i64,
    pub csrf_token: String,
    pub client_addr: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl StaffAccount {
    /// Every account of a tenant, by login.
    pub fn all_of(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<StaffAccount>> {
        staff_accounts::table
            .filter(staff_accounts::tenant_id.eq(tenant_id))
            .order(staff_accounts::login)
            .select(StaffAccount::as_select())
            .load(conn)
    }

    pub fn by_login(
        conn: &mut PgConnection,
        tenant_id: i64,
        login: &str,
    ) -> QueryResult<Option<StaffAccount>> {
        staff_accounts::table
            .filter(staff_accounts::tenant_id.eq(tenant_id))
            .filter(staff_accounts::login.eq(login))
            .select(StaffAccount::as_select())
            .first(conn)
            .optional()
    }

    /// Counts an attempt as a failure before its password is checked, unless the account
    /// is locked or inactive (then `None`). The update takes the row's lock, so attempts
    /// arriving together are counted one after another; the one that reaches `lock_after`
    /// locks the account until `lock_until`.
    pub fn count_attempt(
        conn: &mut PgConnection,
        id: i64,
        lock_after: i32,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> QueryResult<Option<StaffAccount>> {
        use diesel::dsl::sql;
        use diesel::sql_types::{Integer, Nullable, Timestamptz};
        diesel::update(
            staff_accounts::table
                .find(id)
                .filter(staff_accounts::active.eq(true))
                .filter(
                    staff_accounts::locked_until
                        .is_null()
                        .or(staff_accounts::locked_until.le(now)),
                ),
        )
        .set((
            staff_accounts::failed_logins.eq(sql::<Integer>(&format!(
                "CASE WHEN failed_logins + 1 >= {lock_after} THEN 0 ELSE failed_logins + 1 END"
            ))),
            staff_accounts::locked_until.eq(sql::<Nullable<Timestamptz>>(&format!(
                "CASE WHEN failed_logins + 1 >= {lock_after} THEN "
            ))
            .bind::<Timestamptz, _>(lock_until)
            .sql(" ELSE NULL END")),
        ))
        .returning(StaffAccount::as_returning())
        .get_result(conn)
        .optional()
    }

    pub fn clear_failures(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
        diesel::update(staff_accounts::table.find(id))
            .set((
                staff_accounts::failed_logins.eq(0),
                staff_accounts::locked_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)
    }
}

impl StaffSession {
    /// The live session with its account; touching it keeps it alive.
    /// The session of `token` when it was used after `idle_since` and began after
    /// `started_since` (sessions end when idle, and after a working day in any case).
    pub fn find_live(
        conn: &mut PgConnection,
        tenant_id: i64,
        token: &str,
        idle_since: DateTime<Utc>,
        started_since: DateTime<Utc>,
    ) -> QueryResult<Option<(StaffSession, StaffAccount)>> {
        staff_sessions::table
            .inner_join(staff_accounts::table)
            .filter(staff_sessions::token.eq(token))
            .filter(staff_sessions::tenant_id.eq(tenant_id))
            .filter(staff_sessions::revoked_at.is_null())
            .filter(staff_sessions::last_seen_at.gt(idle_since))
            .filter(staff_sessions::created_at.gt(started_since))
            .filter(staff_accounts::active.eq(true))
            .select((StaffSession::as_select(), StaffAccount::as_select()))
            .first(conn)
            .optional()
    }

    pub fn touch(conn: &mut PgConnection, token: &str, now: DateTime<Utc>) -> QueryResult<usize> {
        diesel::update(staff_sessions::table.find(token))
            .set(staff_sessions::last_seen_at.eq(now))
            .execute(conn)
    }

    pub fn revoke(conn: &mut PgConnection, token: &str, now: DateTime<Utc>) -> QueryResult<usize> {
        diesel::update(staff_sessions::table.find(token))
            .set(staff_sessions::revoked_at.eq(now))
            .execute(conn)
    }
}
