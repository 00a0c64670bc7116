//! Checking a tenant's operation log against its hash chain (the database links each new
//! row to the one before it; see the `audit_chain` migration). The check runs in the
//! database with the same function that made the hashes.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::PgConnection;

/// What is wrong at the first place the chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The row's contents are not those its hash was made from.
    Changed,
    /// Rows before it are missing: its place number skips.
    Missing,
    /// It does not follow the row before it (rows reordered or replaced).
    Relinked,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Problem::Changed => "changed",
            Problem::Missing => "missing",
            Problem::Relinked => "relinked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub position: i64,
    pub id: i64,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows: i64,
    /// The last row's place and hash: written down elsewhere, it also shows later that no
    /// rows were cut from the end.
    pub head: Option<(i64, String)>,
    pub first_break: Option<Break>,
}

#[derive(QueryableByName)]
struct Checked {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    chain_position: i64,
    #[diesel(sql_type = Bool)]
    intact: bool,
    #[diesel(sql_type = Bool)]
    linked: bool,
    #[diesel(sql_type = BigInt)]
    step: i64,
}

#[derive(QueryableByName)]
struct Start {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    hash: String,
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    hash: Option<String>,
}

/// Checks the chain of `tenant_id` (`None`: the platform's own rows).
pub fn verify(conn: &mut PgConnection, tenant_id: Option<i64>) -> QueryResult<ChainReport> {
    let chain = tenant_id.unwrap_or(0);
    // Rows past the retention period are removed oldest first; the newest `log.pruned` row
    // says where the remaining chain starts, so it is checked from there.
    let start: Start = diesel::sql_query(
        "SELECT coalesce(max((details->>'through_position')::bigint), 0) AS position,
             coalesce(max(details->>'through_hash'), 'genesis') AS hash
         FROM (SELECT details FROM audit_log
               WHERE coalesce(tenant_id, 0) = $1 AND action = 'log.pruned'
               ORDER BY chain_position DESC LIMIT 1) newest",
    )
    .bind::<BigInt, _>(chain)
    .get_result(conn)?;
    let first_break = diesel::sql_query(
        "SELECT id, chain_position, intact, linked, step FROM (
             SELECT id, chain_position,
                 row_hash = audit_row_hash(prev_hash, chain_position, tenant_id, actor, action,
                     target, client_addr, details, created_at) AS intact,
                 prev_hash = coalesce(lag(row_hash) OVER w, $3) AS linked,
                 chain_position - coalesce(lag(chain_position) OVER w, $2) AS step
             FROM audit_log
             WHERE coalesce(tenant_id, 0) = $1
             WINDOW w AS (ORDER BY chain_position)
         ) checked
         WHERE NOT intact OR NOT linked OR step <> 1
         ORDER BY chain_position
         LIMIT 1",
    )
    .bind::<BigInt, _>(chain)
    .bind::<BigInt, _>(start.position)
    .bind::<Text, _>(start.hash)
    .get_result::<Checked>(conn)
    .optional()?
    .map(|row| Break {
        position: row.chain_position,
        id: row.id,
        problem: if !row.intact {
            Problem::Changed
        } else if row.step != 1 {
            Problem::Missing
        } else {
            debug_assert!(!row.linked);
            Problem::Relinked
        },
    });
    let head = diesel::sql_query(
        "SELECT count(*) AS rows,
             (SELECT chain_position FROM audit_log WHERE coalesce(tenant_id, 0) = $1
                 ORDER BY chain_position DESC LIMIT 1) AS position,
             (SELECT row_hash FROM audit_log WHERE coalesce(tenant_id, 0) = $1
                 ORDER BY chain_position DESC LIMIT 1) AS hash
         FROM audit_log WHERE coalesce(tenant_id, 0) = $1",
    )
    .bind::<BigInt, _>(chain)
    .get_result::<Head>(conn)?;
    Ok(ChainReport {
        rows: head.rows,
        head: head.position.zip(head.hash),
        first_break,
    })
}
