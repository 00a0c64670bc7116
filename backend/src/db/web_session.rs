use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::web_sessions;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = web_sessions)]
pub struct WebSession {
    pub token: String,
    pub tenant_id: i64,
    pub csrf_token: String,
    pub state: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl WebSession {
    /// The live session; with `lock`, its row stays locked until the transaction ends, so
    /// two submissions of one session (a double click) run one after the other.
    pub fn find_live(
        conn: &mut PgConnection,
        tenant_id: i64,
        token: &str,
        now: DateTime<Utc>,
        lock: bool,
    ) -> QueryResult<Option<WebSession>> {
        let query = web_sessions::table
            .find(token)
            .filter(web_sessions::tenant_id.eq(tenant_id))
            .filter(web_sessions::expires_at.gt(now))
            .select(WebSession::as_select());
        if lock {
            query.for_update().first(conn).optional()
        } else {
            query.first(conn).optional()
        }
    }

    pub fn insert(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        diesel::insert_into(web_sessions::table)
            .values(self)
            .execute(conn)
    }

    pub fn save_state(
        conn: &mut PgConnection,
        token: &str,
        state: &serde_json::Value,
        expires_at: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(web_sessions::table.find(token))
            .set((
                web_sessions::state.eq(state),
                web_sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)
    }

    /// Gives the session a new token (and CSRF token), keeping what it holds.
    pub fn rename(
        conn: &mut PgConnection,
        token: &str,
        new_token: &str,
        new_csrf: &str,
    ) -> QueryResult<usize> {
        diesel::update(web_sessions::table.find(token))
            .set((
                web_sessions::token.eq(new_token),
                web_sessions::csrf_token.eq(new_csrf),
            ))
            .execute(conn)
    }

    pub fn sweep_expired(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
        diesel::delete(web_sessions::table.filter(web_sessions::expires_at.lt(now))).execute(conn)
    }
}
