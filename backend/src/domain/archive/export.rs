//! Writing the archive: one consistent snapshot of the city, streamed into a zip.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Datelike, Timelike, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::PgConnection;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::catalogue::{catalogue, city_rows, descriptions, Column, FORMAT, LEFT_OUT};
use super::csv_text;
use crate::db::tenant::Tenant;
use crate::domain::tenant_file;

/// What went into an archive: rows per table file.
#[derive(Debug)]
pub struct Exported {
    pub rows: Vec<(&'static str, usize)>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Original id → row number in the archive, per table.
type Numbering = HashMap<&'static str, HashMap<i64, usize>>;

/// Writes the whole of `tenant` to `out` as a zip (written front to back, so `out` may be a
/// pipe). Everything is read in one read-only snapshot, so the files agree with each other
/// while bookings go on.
pub fn export<W: Write>(
    conn: &mut PgConnection,
    tenant: &Tenant,
    out: W,
    now: DateTime<Utc>,
) -> anyhow::Result<(Exported, W)> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(|conn| {
            // Times in UTC and dates as YYYY-MM-DD whatever the server's settings are.
            diesel::sql_query("SET LOCAL TimeZone = 'UTC'").execute(conn)?;
            diesel::sql_query("SET LOCAL DateStyle = 'ISO, YMD'").execute(conn)?;
            write_archive(conn, tenant, out, now)
        })
}

fn write_archive<W: Write>(
    conn: &mut PgConnection,
    tenant: &Tenant,
    out: W,
    now: DateTime<Utc>,
) -> anyhow::Result<(Exported, W)> {
    let mut zip = ZipWriter::new_stream(out);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time(now));
    let tables = catalogue(conn)?;
    let numbering = numbering(conn, tenant.id, &tables)?;
    let mut counts = Vec::new();
    for (table, columns) in &tables {
        zip.start_file(format!("tables/{table}.csv"), options)?;
        let rows = write_table(conn, tenant.id, table, columns, &numbering, &mut zip)?;
        counts.push((*table, rows));
    }
    let settings = tenant_file::export(conn, tenant)?;
    zip.start_file("tenant.toml", options)?;
    zip.write_all(tenant_file::to_toml(&settings, &now.to_rfc3339())?.as_bytes())?;
    for template in mail_templates(conn, tenant.id)? {
        // The Japanese–English text keeps the name it has always had.
        let name = match template.lang.as_str() {
            "ja" => format!("mail-templates/{}-{}", template.procedure, template.kind),
            lang => format!(
                "mail-templates/{}-{}-{lang}",
                template.procedure, template.kind
            ),
        };
        zip.start_file(format!("{name}.txt"), options)?;
        zip.write_all(
            format!(
                "Subject: {}\r\n\r\n{}",
                template.subject, template.body_text
            )
            .as_bytes(),
        )?;
        zip.start_file(format!("{name}.html"), options)?;
        zip.write_all(template.body_html.as_bytes())?;
    }
    zip.start_file("README.txt", options)?;
    zip.write_all(readme(&tables).as_bytes())?;
    zip.start_file("manifest.txt", options)?;
    let mut manifest = format!(
        "format: {FORMAT}\r\nsource: {}\r\nexported_at: {}\r\n",
        tenant.code,
        now.to_rfc3339()
    );
    for (table, rows) in &counts {
        manifest.push_str(&format!("tables/{table}.csv: {rows}\r\n"));
    }
    zip.write_all(manifest.as_bytes())?;
    let out = zip.finish()?.into_inner();
    Ok((Exported { rows: counts }, out))
}

fn zip_time(now: DateTime<Utc>) -> zip::DateTime {
    zip::DateTime::from_date_and_time(
        now.year().clamp(1980, 2107) as u16,
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default()
}

/// Row numbers for every table with an `id`, in the order of the original ids.
fn numbering(
    conn: &mut PgConnection,
    tenant_id: i64,
    tables: &[(&'static str, Vec<Column>)],
) -> anyhow::Result<Numbering> {
    let mut numbering = HashMap::new();
    for (table, columns) in tables {
        if !columns.iter().any(|c| c.name == "id") {
            continue;
        }
        let ids: Vec<Id> =
            diesel::sql_query(format!("SELECT id FROM {} ORDER BY id", city_rows(table)))
                .bind::<BigInt, _>(tenant_id)
                .load(conn)?;
        numbering.insert(
            *table,
            ids.into_iter()
                .enumerate()
                .map(|(place, row)| (row.id, place + 1))
                .collect(),
        );
    }
    Ok(numbering)
}

fn write_table(
    conn: &mut PgConnection,
    tenant_id: i64,
    table: &'static str,
    columns: &[Column],
    numbering: &Numbering,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let values = columns.iter().map(Column::as_text).collect::<Vec<_>>();
    let keys = columns
        .iter()
        .filter(|c| c.key)
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>();
    let order = if keys.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", keys.join(", "))
    };
    // Table and column names come from the catalogue of the tables above, never from input.
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT json_build_array({})::text AS row FROM {}{order}",
        values.join(", "),
        city_rows(table)
    ))
    .bind::<BigInt, _>(tenant_id)
    .load(conn)?;
    out.write_all(csv_text::BOM.as_bytes())?;
    let header = columns
        .iter()
        .map(|c| Some(c.name.as_str()))
        .collect::<Vec<_>>();
    out.write_all(csv_text::record(&header).as_bytes())?;
    for row in &rows {
        let mut values: Vec<Option<String>> =
            serde_json::from_str(&row.row).context("reading a row")?;
        for (value, column) in values.iter_mut().zip(columns) {
            if let (Some(text), Some(target)) = (value.as_mut(), column.reference) {
                *text = renumber(text, column, &numbering[target])
                    .with_context(|| format!("{table}.{}: {text}", column.name))?;
            }
        }
        let borrowed = values.iter().map(|v| v.as_deref()).collect::<Vec<_>>();
        out.write_all(csv_text::record(&borrowed).as_bytes())?;
    }
    Ok(rows.len())
}

/// An id (or an array of ids, `{4,9}`) as row numbers.
fn renumber(text: &str, column: &Column, numbers: &HashMap<i64, usize>) -> anyhow::Result<String> {
    let one = |id: &str| -> anyhow::Result<String> {
        let id: i64 = id.parse()?;
        let number = numbers
            .get(&id)
            .with_context(|| format!("{id} is not a row of the city"))?;
        Ok(number.to_string())
    };
    if column.is_array() {
        let inner = text.trim_start_matches('{').trim_end_matches('}');
        let numbers = inner
            .split(',')
            .filter(|part| !part.is_empty())
            .map(one)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(format!("{{{}}}", numbers.join(",")))
    } else {
        one(text)
    }
}

#[derive(QueryableByName)]
struct Template {
    #[diesel(sql_type = Text)]
    procedure: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    lang: String,
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    body_text: String,
    #[diesel(sql_type = Text)]
    body_html: String,
}

fn mail_templates(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Template>> {
    diesel::sql_query(
        "SELECT p.code AS procedure, m.kind, 'ja' AS lang, m.subject, m.body_text, m.body_html
         FROM mail_templates m JOIN procedures p ON p.id = m.procedure_id
         WHERE m.tenant_id = $1
         UNION ALL
         SELECT p.code, t.kind, t.lang, t.subject, t.body_text, t.body_html
         FROM translated_mail_templates t JOIN procedures p ON p.id = t.procedure_id
         WHERE t.tenant_id = $1
         ORDER BY 1, 2, 3",
    )
    .bind::<BigInt, _>(tenant_id)
    .load(conn)
}

/// Columns of the archive without a description in `columns.txt` (a test keeps it empty).
pub fn undescribed(tables: &[(&'static str, Vec<Column>)]) -> Vec<String> {
    let described = descriptions();
    tables
        .iter()
        .flat_map(|(table, columns)| {
            let described = &described;
            columns
                .iter()
                .filter(move |c| described.column(table, c).is_none())
                .map(move |c| format!("{table}.{}", c.name))
        })
        .chain(
            tables
                .iter()
                .filter(|(table, _)| !described.tables.contains_key(*table))
                .map(|(table, _)| table.to_string()),
        )
        .collect()
}

/// README.txt: what every file and column is, in Japanese and English.
fn readme(tables: &[(&'static str, Vec<Column>)]) -> String {
    let described = descriptions();
    let mut text = String::from(
        "Madoguchi データ出力 / data export\r\n\
         ================================\r\n\r\n\
         tables/*.csv  表ごとのデータ（UTF-8・BOM付き・CRLF）。空欄は値なし、\"\" は空の文字列。\r\n\
         \x20             One file per table (UTF-8 with BOM, CRLF). An empty field is no value; \"\" is empty text.\r\n\
         \x20             先頭が = + - @ ' などの値は表計算ソフトで数式にならないよう ' を1つ付けています（読み込み時に外します）。\r\n\
         \x20             A value a spreadsheet would take as a formula (or that starts with ') has one ' added; import takes it off.\r\n\
         \x20             id は表ごとに1から振り直した番号で、*_id 列はその番号で行を指します。日時はUTC、真偽は true/false。\r\n\
         \x20             Ids are renumbered from 1 per table, and *_id columns refer to those numbers. Times are UTC; booleans true/false.\r\n\
         tenant.toml   市の設定（テナントファイル） / the city's settings as a tenant file (madoguchi tenant apply)\r\n\
         mail-templates/  メールの文面（手続-種類[-言語].txt / .html） / mail templates, per procedure, kind [and language]\r\n\
         manifest.txt  形式の版・出力元・出力日時・行数 / format version, source code, time of export, rows per file\r\n\r\n\
         含まれない表 / tables left out:\r\n",
    );
    for (table, why) in LEFT_OUT {
        text.push_str(&format!("  {table}: {why}\r\n"));
    }
    for (table, columns) in tables {
        let (ja, en) = described.tables.get(*table).cloned().unwrap_or_default();
        text.push_str(&format!("\r\ntables/{table}.csv\r\n  {ja}\r\n  {en}\r\n"));
        for column in columns {
            let (ja, en) = described.column(table, column).unwrap_or_default();
            text.push_str(&format!("  {:<28} {ja} / {en}\r\n", column.name));
        }
    }
    text
}
