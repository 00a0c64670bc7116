//! What the archive holds: its tables, their columns from the database's catalogue, the
//! references between them and the descriptions README.txt gives.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::PgConnection;

/// The archive's version; an importer refuses any other.
pub const FORMAT: &str = "1";

/// Every table of a city's data, parents before children (the order of import).
/// Sessions, retry keys (short-lived, and sessions are credentials) stay out.
pub const TABLES: [&str; 29] = [
    "tenants",
    "locations",
    "procedures",
    "city_texts",
    "city_text_fallbacks",
    "lanes",
    "lane_procedures",
    "timetables",
    "timetable_periods",
    "closures",
    "slots",
    "tenant_card_columns",
    "card_imports",
    "card_records",
    "card_events",
    "bookings",
    "booking_members",
    "booking_events",
    "holds",
    "mail_outbox",
    "tenant_mail_settings",
    "mail_templates",
    "translated_mail_templates",
    "identification_failures",
    "staff_accounts",
    "staff_notices",
    "maintenance_windows",
    "availability_exclusions",
    "audit_log",
];

/// Tables of a city that the archive leaves out, and why (README.txt and the docs say so).
pub const LEFT_OUT: [(&str, &str); 3] = [
    (
        "web_sessions",
        "residents' sessions: credentials, valid for minutes",
    ),
    (
        "staff_sessions",
        "staff sessions: credentials, valid for hours",
    ),
    (
        "idempotency_keys",
        "answers kept for a retried form, valid for a day",
    ),
];

/// Which table a reference column points at. `id` points at its own table.
const REFERENCES: [(&str, &str); 11] = [
    ("location_id", "locations"),
    ("location_ids", "locations"),
    ("procedure_id", "procedures"),
    ("lane_id", "lanes"),
    ("timetable_id", "timetables"),
    ("slot_id", "slots"),
    ("from_slot_id", "slots"),
    ("to_slot_id", "slots"),
    ("booking_id", "bookings"),
    ("card_id", "card_records"),
    ("staff_id", "staff_accounts"),
];

/// One column of a table file.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// The database's name of the type, as a cast takes it (`timestamp with time zone`).
    pub sql_type: String,
    /// Part of the primary key: rows are written in its order.
    pub key: bool,
    /// The table whose row numbers this column holds (itself for `id`).
    pub reference: Option<&'static str>,
}

impl Column {
    pub(super) fn is_array(&self) -> bool {
        self.sql_type.ends_with("[]")
    }

    /// The column's value as text in a query; booleans as `true`/`false`.
    pub(super) fn as_text(&self) -> String {
        if self.sql_type == "boolean" {
            format!(
                "CASE WHEN \"{0}\" THEN 'true' WHEN NOT \"{0}\" THEN 'false' END",
                self.name
            )
        } else {
            format!("\"{}\"::text", self.name)
        }
    }
}

/// Columns the archive leaves out: the city's own id (every row is the city's), its code
/// (given anew on import), and the operation log's hash chain, which the database links
/// again on import.
fn left_out(table: &str, column: &str) -> bool {
    column == "tenant_id"
        || (table == "tenants" && matches!(column, "id" | "code"))
        || (table == "audit_log"
            && matches!(
                column,
                "chain_strand" | "chain_position" | "prev_hash" | "row_hash"
            ))
}

#[derive(QueryableByName)]
struct CatalogueColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Bool)]
    key: bool,
}

/// The columns of `table` the archive carries, in the table's order, from the database's
/// own catalogue (so a column added by a migration is exported without a change here).
pub fn columns(conn: &mut PgConnection, table: &'static str) -> anyhow::Result<Vec<Column>> {
    let found: Vec<CatalogueColumn> = diesel::sql_query(
        "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS sql_type,
             coalesce(a.attnum = ANY (i.indkey), false) AS key
         FROM pg_attribute a
         LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum",
    )
    .bind::<Text, _>(table)
    .load(conn)?;
    found
        .into_iter()
        .filter(|c| !left_out(table, &c.name))
        .map(|c| {
            let is_number = matches!(c.sql_type.as_str(), "bigint" | "bigint[]");
            let reference = if c.name == "id" && is_number {
                Some(table)
            } else if is_number && (c.name.ends_with("_id") || c.name.ends_with("_ids")) {
                let known = REFERENCES.iter().find(|(name, _)| *name == c.name);
                Some(known.map(|(_, target)| *target).ok_or_else(|| {
                    anyhow::anyhow!("{table}.{}: no known table for this reference", c.name)
                })?)
            } else {
                None
            };
            Ok(Column {
                name: c.name,
                sql_type: c.sql_type,
                key: c.key,
                reference,
            })
        })
        .collect()
}

/// Every table of the archive with its columns.
pub fn catalogue(conn: &mut PgConnection) -> anyhow::Result<Vec<(&'static str, Vec<Column>)>> {
    TABLES
        .iter()
        .map(|&table| Ok((table, columns(conn, table)?)))
        .collect()
}

/// How the rows of `table` that belong to the city are found (`$1` is its id).
pub(super) fn city_rows(table: &str) -> String {
    match table {
        "tenants" => "tenants WHERE id = $1".into(),
        "timetable_periods" => {
            "timetable_periods WHERE timetable_id IN (SELECT id FROM timetables WHERE tenant_id = $1)"
                .into()
        }
        other => format!("\"{other}\" WHERE tenant_id = $1"),
    }
}

/// Whether rows of `table` carry `tenant_id`.
pub(super) fn has_tenant_column(table: &str) -> bool {
    !matches!(table, "tenants" | "timetable_periods")
}

/// The descriptions of every file and column, from `columns.txt`.
pub struct Descriptions {
    pub tables: HashMap<String, (String, String)>,
    pub columns: HashMap<(String, String), (String, String)>,
}

pub fn descriptions() -> Descriptions {
    let mut tables = HashMap::new();
    let mut columns = HashMap::new();
    let mut table = String::new();
    for line in include_str!("columns.txt").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split('\t');
        let (name, ja, en) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
        );
        if let Some(name) = name.strip_prefix('@') {
            table = name.to_string();
            tables.insert(table.clone(), (ja, en));
        } else {
            columns.insert((table.clone(), name.to_string()), (ja, en));
        }
    }
    Descriptions { tables, columns }
}

impl Descriptions {
    /// A column's description in Japanese and English; the common columns by their name.
    pub fn column(&self, table: &str, column: &Column) -> Option<(String, String)> {
        if let Some(found) = self.columns.get(&(table.to_string(), column.name.clone())) {
            return Some(found.clone());
        }
        match (column.name.as_str(), column.reference) {
            ("id", _) => Some((
                "行の番号（この出力の中で1から振り直したもの）".into(),
                "Row number (numbered from 1 within this export)".into(),
            )),
            (_, Some(target)) => Some((
                format!("{target}.csv の行の番号（id）"),
                format!("Row number (id) in {target}.csv"),
            )),
            ("created_at", _) => Some(("作成日時（UTC）".into(), "Created (UTC)".into())),
            ("updated_at", _) => Some(("更新日時（UTC）".into(), "Last changed (UTC)".into())),
            _ => None,
        }
    }
}
