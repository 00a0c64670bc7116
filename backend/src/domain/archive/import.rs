//! Loading an archive as a new city: every file checked first, then one transaction that
//! writes all of it or nothing.

use std::collections::HashMap;
use std::io::{Read, Seek};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::PgConnection;
use serde_json::json;
use zip::ZipArchive;

use super::catalogue::{columns, has_tenant_column, Column, FORMAT, TABLES};
use super::csv_text;
use crate::db::audit::NewAuditEntry;
use crate::db::tenant::Tenant;

/// What an import created (or, in a dry run, would have created).
#[derive(Debug)]
pub struct Imported {
    pub code: String,
    pub source: String,
    pub rows: Vec<(&'static str, usize)>,
    pub dry_run: bool,
}

/// Why an archive was refused: the file and line where that is known, and what is wrong.
#[derive(Debug)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

fn refuse<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(ImportError(message.into()).into())
}

/// A table file as read and checked.
struct TableFile {
    table: &'static str,
    columns: Vec<Column>,
    records: Vec<csv_text::Record>,
}

/// Carries a dry run's findings out of the transaction it rolls back.
#[derive(Debug)]
struct DryRun(Imported);

impl std::fmt::Display for DryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dry run")
    }
}

impl std::error::Error for DryRun {}

/// Loads the archive `zip` as the new city `code`. Nothing is written unless every file
/// and every row is accepted; `dry_run` checks all of it, the database's rules included,
/// and then writes nothing.
pub fn import(
    conn: &mut PgConnection,
    zip: impl Read + Seek,
    code: &str,
    dry_run: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Imported> {
    if !valid_code(code) {
        return refuse(format!(
            "--as {code}: a tenant code is 1 to 40 of a-z, 0-9 and -, starting with a letter or digit"
        ));
    }
    let mut archive =
        ZipArchive::new(zip).map_err(|e| ImportError(format!("not a zip file: {e}")))?;
    let manifest = read_text(&mut archive, "manifest.txt")?;
    let source = check_manifest(&manifest)?;
    let names = archive
        .file_names()
        .map(|name| name.map(|n| n.into_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ImportError(format!("a file name in the archive is unreadable: {e}")))?;
    for name in names {
        if let Some(table) = name
            .strip_prefix("tables/")
            .and_then(|n| n.strip_suffix(".csv"))
        {
            if !TABLES.contains(&table) {
                return refuse(format!("{name}: not a table this version knows"));
            }
        }
    }
    let mut files = Vec::new();
    for table in TABLES {
        let columns = columns(conn, table)?;
        files.push(read_table(&mut archive, table, columns)?);
    }
    let result = conn.transaction(|conn| {
        if Tenant::by_code(conn, code)?.is_some() {
            return refuse(format!(
                "--as {code}: a tenant with this code exists already"
            ));
        }
        let mut ids: HashMap<&'static str, Vec<i64>> = HashMap::new();
        let mut rows = Vec::new();
        let mut tenant_id = 0;
        for file in &files {
            let new_ids = if file.table == "tenants" {
                tenant_id = insert_tenant(conn, file, code)?;
                vec![tenant_id]
            } else {
                insert_table(conn, file, tenant_id, &ids)?
            };
            ids.insert(file.table, new_ids);
            rows.push((file.table, file.records.len()));
        }
        let imported = Imported {
            code: code.to_string(),
            source: source.clone(),
            rows,
            dry_run,
        };
        if dry_run {
            return Err(DryRun(imported).into());
        }
        let counts: HashMap<&str, usize> = imported.rows.iter().copied().collect();
        NewAuditEntry {
            tenant_id: None,
            actor: "operator",
            action: "tenant.imported",
            target: code,
            client_addr: None,
            details: json!({ "source": source, "rows": counts }),
            created_at: now,
        }
        .insert(conn)?;
        Ok(imported)
    });
    match result {
        Err(error) => match error.downcast::<DryRun>() {
            Ok(DryRun(imported)) => Ok(imported),
            Err(error) => Err(error),
        },
        ok => ok,
    }
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && code.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn read_text<R: Read + Seek>(archive: &mut ZipArchive<R>, name: &str) -> anyhow::Result<String> {
    let mut file = match archive.by_name(name) {
        Ok(file) => file,
        Err(_) => return refuse(format!("{name}: missing from the archive")),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| ImportError(format!("{name}: unreadable ({e})")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            refuse(format!("{name} line {line}: not UTF-8 text"))
        }
    }
}

/// The source city's code, once the format is one this version reads.
fn check_manifest(manifest: &str) -> anyhow::Result<String> {
    let field = |key: &str| {
        manifest
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(": "))
            .map(str::to_string)
    };
    match field("format") {
        Some(format) if format == FORMAT => {}
        Some(other) => {
            return refuse(format!(
                "manifest.txt: format {other}; this version reads format {FORMAT}"
            ))
        }
        None => return refuse("manifest.txt: no format line; not a Madoguchi export"),
    }
    Ok(field("source").unwrap_or_default())
}

fn read_table<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    table: &'static str,
    columns: Vec<Column>,
) -> anyhow::Result<TableFile> {
    let name = format!("tables/{table}.csv");
    let text = read_text(archive, &name)?;
    let mut line = 1;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        } else if c.is_control() && !matches!(c, '\t' | '\r') {
            return refuse(format!(
                "{name} line {line}: control character U+{:04X} is not allowed",
                c as u32
            ));
        }
    }
    let mut records = csv_text::parse(&text).map_err(|(line, problem)| {
        let what = match problem {
            "unclosed_quote" => "a quoted value is never closed",
            "text_after_quote" => "text follows a closing quote",
            "quote_inside_field" => "a quote inside an unquoted value",
            _ => "a carriage return without a line feed",
        };
        ImportError(format!("{name} line {line}: {what}"))
    })?;
    if records.is_empty() {
        return refuse(format!("{name} line 1: the header is missing"));
    }
    let header = records.remove(0);
    let expected: Vec<Option<String>> = columns.iter().map(|c| Some(c.name.clone())).collect();
    if header.values != expected {
        let names = |values: &[Option<String>]| {
            values
                .iter()
                .map(|v| v.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",")
        };
        return refuse(format!(
            "{name} line 1: the columns are {}; this version expects {}",
            names(&header.values),
            names(&expected)
        ));
    }
    if let Some(short) = records.iter().find(|r| r.values.len() != columns.len()) {
        return refuse(format!(
            "{name} line {}: {} values where the header has {}",
            short.line,
            short.values.len(),
            columns.len()
        ));
    }
    Ok(TableFile {
        table,
        columns,
        records,
    })
}

#[derive(QueryableByName)]
struct NewId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn insert_tenant(conn: &mut PgConnection, file: &TableFile, code: &str) -> anyhow::Result<i64> {
    if file.records.len() != 1 {
        return refuse(format!(
            "tables/tenants.csv: {} rows; an export holds exactly one city",
            file.records.len()
        ));
    }
    let values = json!([file.records[0].values]).to_string();
    let statement = format!(
        "INSERT INTO tenants (code, {}) SELECT $2, {} FROM json_array_elements($1::json) r RETURNING id",
        names(&file.columns),
        casts(&file.columns)
    );
    let inserted = diesel::sql_query(statement)
        .bind::<Text, _>(values)
        .bind::<Text, _>(code)
        .get_result::<NewId>(conn);
    match inserted {
        Ok(row) => Ok(row.id),
        Err(e) => refuse(format!(
            "tables/tenants.csv line 2: {}",
            database_message(&e)
        )),
    }
}

/// Inserts one table's rows with fresh ids (allocated in the order of the file's ids) and
/// references translated; returns the new ids by row number.
fn insert_table(
    conn: &mut PgConnection,
    file: &TableFile,
    tenant_id: i64,
    ids: &HashMap<&'static str, Vec<i64>>,
) -> anyhow::Result<Vec<i64>> {
    let name = format!("tables/{}.csv", file.table);
    let has_id = file.columns.iter().any(|c| c.name == "id");
    let new_ids = if has_id && !file.records.is_empty() {
        let mut allocated: Vec<NewId> = diesel::sql_query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
        )
        .bind::<Text, _>(file.table)
        .bind::<BigInt, _>(file.records.len() as i64)
        .load(conn)?;
        allocated.sort_by_key(|row| row.id);
        allocated.into_iter().map(|row| row.id).collect()
    } else {
        Vec::new()
    };
    let mut rows = Vec::with_capacity(file.records.len());
    for record in &file.records {
        let mut values = record.values.clone();
        for (value, column) in values.iter_mut().zip(&file.columns) {
            if let (Some(text), Some(target)) = (value.as_mut(), column.reference) {
                let targets = if target == file.table {
                    &new_ids
                } else {
                    &ids[target]
                };
                *text = translate(text, column, targets).map_err(|problem| {
                    ImportError(format!(
                        "{name} line {}: {} {problem} (tables/{target}.csv has {} rows)",
                        record.line,
                        column.name,
                        targets.len()
                    ))
                })?;
            }
        }
        rows.push(values);
    }
    let (tenant_column, tenant_value) = if has_tenant_column(file.table) {
        ("tenant_id, ", "$2, ")
    } else {
        ("", "")
    };
    let statement = format!(
        "INSERT INTO \"{}\" ({tenant_column}{}) SELECT {tenant_value}{} \
         FROM json_array_elements($1::json) WITH ORDINALITY AS e(r, n) ORDER BY n",
        file.table,
        names(&file.columns),
        casts(&file.columns)
    );
    let insert = |conn: &mut PgConnection, rows: &[Vec<Option<String>>]| {
        let query = diesel::sql_query(statement.as_str()).bind::<Text, _>(json!(rows).to_string());
        if tenant_column.is_empty() {
            query.execute(conn)
        } else {
            query.bind::<BigInt, _>(tenant_id).execute(conn)
        }
    };
    if rows.is_empty() {
        return Ok(new_ids);
    }
    if let Err(whole) = conn.transaction(|conn| insert(conn, &rows)) {
        // Find the row the database refuses, to name its line.
        for (row, record) in rows.iter().zip(&file.records) {
            if let Err(e) = conn.transaction(|conn| insert(conn, std::slice::from_ref(row))) {
                return refuse(format!(
                    "{name} line {}: {}",
                    record.line,
                    database_message(&e)
                ));
            }
        }
        return refuse(format!("{name}: {}", database_message(&whole)));
    }
    Ok(new_ids)
}

/// A row number (or `{1,2}`) of the archive as the new id(s).
fn translate(text: &str, column: &Column, targets: &[i64]) -> Result<String, String> {
    let one = |number: &str| -> Result<String, String> {
        number
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|place| targets.get(place))
            .map(|id| id.to_string())
            .ok_or_else(|| format!("refers to row {number}, which does not exist"))
    };
    if column.is_array() {
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .ok_or_else(|| format!("{text} is not a list like {{1,2}}"))?;
        let ids = inner
            .split(',')
            .filter(|part| !part.is_empty())
            .map(one)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("{{{}}}", ids.join(",")))
    } else {
        one(text)
    }
}

fn names(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn casts(columns: &[Column]) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(place, c)| format!("(r->>{place})::{}", c.sql_type))
        .collect::<Vec<_>>()
        .join(", ")
}

fn database_message(error: &diesel::result::Error) -> String {
    match error {
        diesel::result::Error::DatabaseError(_, info) => info.message().to_string(),
        other => other.to_string(),
    }
}
