//! Checking a tenant's operation log against its hash chain (the database links each new
//! row to the one before it; see the `audit_chain` migration). The check runs in the
//! database with the same function that made the hashes.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, SmallInt, Text};
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
    /// The strand (see the `audit_chain_strands` migration) the row belongs to.
    pub strand: i16,
    pub position: i64,
    pub id: i64,
    pub problem: Problem,
}

/// The last row of one strand: its place and hash, written down elsewhere, show later that
/// no rows were cut from the strand's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrandHead {
    pub strand: i16,
    pub position: i64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows: i64,
    /// The last place and hash of strand 0, the one every line joins unless another
    /// transaction is writing to it at the same moment.
    pub head: Option<(i64, String)>,
    /// The last row of every strand that has rows, strand 0 included, by strand.
    pub heads: Vec<StrandHead>,
    /// The earliest written row at which a strand breaks.
    pub first_break: Option<Break>,
}

#[derive(QueryableByName)]
struct Checked {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = SmallInt)]
    chain_strand: i16,
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
struct Pruned {
    #[diesel(sql_type = Jsonb)]
    details: serde_json::Value,
}

#[derive(QueryableByName)]
struct HeadRow {
    #[diesel(sql_type = SmallInt)]
    chain_strand: i16,
    #[diesel(sql_type = BigInt)]
    chain_position: i64,
    #[diesel(sql_type = Text)]
    row_hash: String,
    #[diesel(sql_type = BigInt)]
    rows: i64,
}

/// Where each strand's remaining rows start after pruning: rows past the retention period are
/// removed oldest first, and each `log.pruned` row records the place and hash of the last
/// row removed of every strand ever cut (`through_position`/`through_hash` for strand 0,
/// `through_strands` for the others). Later records override earlier ones strand by strand.
/// A strand whose first row is its first place (linked to `genesis`) needs no start: so
/// the log of a city loaded from an archive, whose rows the database linked afresh, is
/// checked from its beginning although its `log.pruned` rows name the old places.
pub(crate) fn strand_starts(conn: &mut PgConnection, chain: i64) -> QueryResult<Vec<StrandHead>> {
    let records: Vec<Pruned> = diesel::sql_query(
        "SELECT details FROM audit_log
         WHERE coalesce(tenant_id, 0) = $1 AND action = 'log.pruned'
         ORDER BY id",
    )
    .bind::<BigInt, _>(chain)
    .load(conn)?;
    let mut starts: std::collections::BTreeMap<i16, (i64, String)> = Default::default();
    for Pruned { details } in records {
        if let (Some(position), Some(hash)) = (
            details["through_position"].as_i64(),
            details["through_hash"].as_str(),
        ) {
            starts.insert(0, (position, hash.to_string()));
        }
        if let Some(strands) = details["through_strands"].as_object() {
            for (strand, end) in strands {
                if let (Ok(strand), Some(position), Some(hash)) = (
                    strand.parse::<i16>(),
                    end["position"].as_i64(),
                    end["hash"].as_str(),
                ) {
                    starts.insert(strand, (position, hash.to_string()));
                }
            }
        }
    }
    Ok(starts
        .into_iter()
        .map(|(strand, (position, hash))| StrandHead {
            strand,
            position,
            hash,
        })
        .collect())
}

/// Checks the chain of `tenant_id` (`None`: the platform's own rows), every strand of it.
pub fn verify(conn: &mut PgConnection, tenant_id: Option<i64>) -> QueryResult<ChainReport> {
    let chain = tenant_id.unwrap_or(0);
    let starts = strand_starts(conn, chain)?;
    let first_break = diesel::sql_query(
        "SELECT id, chain_strand, chain_position, intact, linked, step FROM (
             SELECT a.id, a.chain_strand, a.chain_position,
                 a.row_hash = audit_row_hash(a.prev_hash, a.chain_position, a.tenant_id,
                     a.actor, a.action, a.target, a.client_addr, a.details, a.created_at)
                     AS intact,
                 a.prev_hash = coalesce(lag(a.row_hash) OVER w,
                     CASE WHEN a.chain_position > 1 THEN s.hash END, 'genesis') AS linked,
                 a.chain_position - coalesce(lag(a.chain_position) OVER w,
                     CASE WHEN a.chain_position > 1 THEN s.position END, 0) AS step
             FROM audit_log a
             LEFT JOIN unnest($2::smallint[], $3::bigint[], $4::text[])
                 AS s(strand, position, hash) ON s.strand = a.chain_strand
             WHERE coalesce(a.tenant_id, 0) = $1
             WINDOW w AS (PARTITION BY a.chain_strand ORDER BY a.chain_position)
         ) checked
         WHERE NOT intact OR NOT linked OR step <> 1
         ORDER BY id
         LIMIT 1",
    )
    .bind::<BigInt, _>(chain)
    .bind::<Array<SmallInt>, _>(starts.iter().map(|s| s.strand).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(starts.iter().map(|s| s.position).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(starts.into_iter().map(|s| s.hash).collect::<Vec<_>>())
    .get_result::<Checked>(conn)
    .optional()?
    .map(|row| Break {
        strand: row.chain_strand,
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
    // `rows` counts the whole log: the window runs before DISTINCT ON keeps one row a strand.
    let heads: Vec<HeadRow> = diesel::sql_query(
        "SELECT DISTINCT ON (chain_strand) chain_strand, chain_position, row_hash,
             count(*) OVER () AS rows
         FROM audit_log WHERE coalesce(tenant_id, 0) = $1
         ORDER BY chain_strand, chain_position DESC",
    )
    .bind::<BigInt, _>(chain)
    .load(conn)?;
    let rows = heads.first().map_or(0, |h| h.rows);
    let heads: Vec<StrandHead> = heads
        .into_iter()
        .map(|h| StrandHead {
            strand: h.chain_strand,
            position: h.chain_position,
            hash: h.row_hash,
        })
        .collect();
    Ok(ChainReport {
        rows,
        head: heads
            .iter()
            .find(|h| h.strand == 0)
            .map(|h| (h.position, h.hash.clone())),
        heads,
        first_break,
    })
}
