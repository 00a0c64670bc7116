use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::kinds::Channel;
use super::schema::holds;

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = holds)]
pub struct Hold {
    pub id: i64,
    pub tenant_id: i64,
    pub slot_id: i64,
    pub client_token: String,
    pub procedure_id: i64,
    pub places: i32,
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The network it came from, for residents online (see `domain::client_key`).
    pub client_key: Option<String>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = holds)]
pub struct NewHold<'a> {
    pub tenant_id: i64,
    pub slot_id: i64,
    pub client_token: &'a str,
    pub procedure_id: i64,
    pub places: i32,
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub client_key: Option<&'a str>,
}

impl Hold {
    /// Places held now from one network, other than by `except_token`'s own hold.
    pub fn places_held_by_key(
        conn: &mut PgConnection,
        client_key: &str,
        except_token: &str,
        now: DateTime<Utc>,
    ) -> QueryResult<i64> {
        holds::table
            .filter(holds::client_key.eq(client_key))
            .filter(holds::expires_at.gt(now))
            .filter(holds::client_token.ne(except_token))
            .select(diesel::dsl::sum(holds::places))
            .first::<Option<i64>>(conn)
            .map(|sum| sum.unwrap_or(0))
    }

    pub fn of_client(
        conn: &mut PgConnection,
        tenant_id: i64,
        client_token: &str,
    ) -> QueryResult<Option<Hold>> {
        holds::table
            .filter(holds::tenant_id.eq(tenant_id))
            .filter(holds::client_token.eq(client_token))
            .select(Hold::as_select())
            .first(conn)
            .optional()
    }

    /// Moves a client's hold to its new token (a resident session that was renewed).
    pub fn rename_client(
        conn: &mut PgConnection,
        tenant_id: i64,
        client_token: &str,
        new_token: &str,
    ) -> QueryResult<usize> {
        diesel::update(
            holds::table
                .filter(holds::tenant_id.eq(tenant_id))
                .filter(holds::client_token.eq(client_token)),
        )
        .set(holds::client_token.eq(new_token))
        .execute(conn)
    }

    pub fn release_client(
        conn: &mut PgConnection,
        tenant_id: i64,
        client_token: &str,
    ) -> QueryResult<usize> {
        diesel::delete(
            holds::table
                .filter(holds::tenant_id.eq(tenant_id))
                .filter(holds::client_token.eq(client_token)),
        )
        .execute(conn)
    }

    /// Removes holds that expired before `before`; only tidiness, since expired holds
    /// already count for nothing.
    pub fn sweep_expired(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
        diesel::delete(holds::table.filter(holds::expires_at.lt(before))).execute(conn)
    }
}
