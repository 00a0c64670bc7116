//! The database side of an import: valid rows are copied (`COPY … FROM STDIN`, binary) into
//! a temporary table a batch at a time; SQL then finds duplicates within the file and clashes
//! with other cards, counts new, changed and unchanged cards, and applies the changes with
//! an event per card. The temporary table goes away with the transaction.

use crate::db::kinds::{CardEventKind, CardStatus};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel::PgConnection;

use super::rows::{card_import_rows, CardRow, Problem};

pub fn create_table(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query(
        "CREATE TEMP TABLE card_import_rows (
            line bigint PRIMARY KEY,
            application_id text NOT NULL,
            manufacture_number text NOT NULL,
            reservation_number text,
            name text NOT NULL,
            name_kana text NOT NULL,
            birth_date date NOT NULL,
            location_id bigint NOT NULL,
            shipment_number text NOT NULL,
            manufactured_on date,
            extra jsonb NOT NULL
        ) ON COMMIT DROP",
    )
    .execute(conn)?;
    Ok(())
}

pub fn copy_rows(conn: &mut PgConnection, rows: &[CardRow]) -> QueryResult<usize> {
    diesel::copy_from(card_import_rows::table)
        .from_insertable(rows)
        .execute(conn)
}

#[derive(QueryableByName)]
struct Clash {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = BigInt)]
    other_line: i64,
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// Rows whose 製造管理番号, 予約番号 or 申請書ID repeats an earlier row of the file, and rows
/// whose 予約番号 or 申請書ID belongs to another card already.
pub fn clashes(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<Vec<Problem>> {
    let repeated: Vec<Clash> = diesel::sql_query(
        "WITH keys AS (
            SELECT line, '製造管理番号' AS column_name, manufacture_number AS value FROM card_import_rows
            UNION ALL
            SELECT line, '予約番号', reservation_number FROM card_import_rows
             WHERE reservation_number IS NOT NULL
            UNION ALL
            SELECT line, '申請書ID', application_id FROM card_import_rows
        ), firsts AS (
            SELECT line, column_name, min(line) OVER (PARTITION BY column_name, value) AS other_line
              FROM keys
        )
        SELECT line, column_name, other_line FROM firsts WHERE line <> other_line",
    )
    .load(conn)?;
    let taken: Vec<Taken> = diesel::sql_query(
        "SELECT r.line, '予約番号' AS column_name
           FROM card_import_rows r JOIN card_records c
             ON c.tenant_id = $1 AND c.reservation_number = r.reservation_number
          WHERE c.manufacture_number <> r.manufacture_number
         UNION ALL
         SELECT r.line, '申請書ID'
           FROM card_import_rows r JOIN card_records c
             ON c.tenant_id = $1 AND c.application_id = r.application_id
          WHERE c.manufacture_number <> r.manufacture_number",
    )
    .bind::<BigInt, _>(tenant_id)
    .load(conn)?;
    let mut problems: Vec<Problem> = repeated
        .into_iter()
        .map(|c| {
            Problem::new(c.line as u64, Some(&c.column_name), "card_problem_repeated")
                .with("line", c.other_line.to_string())
        })
        .chain(
            taken
                .into_iter()
                .map(|t| Problem::new(t.line as u64, Some(&t.column_name), "card_problem_taken")),
        )
        .collect();
    problems.sort_by_key(|p| p.line);
    Ok(problems)
}

/// How the staged rows compare with the cards stored: (new, changed).
pub fn compare(conn: &mut PgConnection, tenant_id: i64) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        new_cards: i64,
        #[diesel(sql_type = BigInt)]
        changed_cards: i64,
    }
    let counts: Counts = diesel::sql_query(format!(
        "SELECT count(*) FILTER (WHERE c.id IS NULL) AS new_cards,
                count(*) FILTER (WHERE c.id IS NOT NULL AND {DIFFERS}) AS changed_cards
           FROM card_import_rows r
           LEFT JOIN card_records c
             ON c.tenant_id = $1 AND c.manufacture_number = r.manufacture_number"
    ))
    .bind::<BigInt, _>(tenant_id)
    .get_result(conn)?;
    Ok((counts.new_cards, counts.changed_cards))
}

/// The stored card `c` differs from the row `r` in something the file says.
const DIFFERS: &str = "(c.application_id, c.reservation_number, c.name, c.name_kana, c.birth_date,
     c.location_id, c.shipment_number, c.manufactured_on)
  IS DISTINCT FROM (r.application_id, r.reservation_number, r.name, r.name_kana, r.birth_date,
     r.location_id, r.shipment_number, r.manufactured_on)";

/// What changed, as {"column": [old, new]}, for the card's history.
const CHANGES: &str = "jsonb_strip_nulls(jsonb_build_object(
    'application_id', CASE WHEN c.application_id IS DISTINCT FROM r.application_id THEN jsonb_build_array(c.application_id, r.application_id) END,
    'reservation_number', CASE WHEN c.reservation_number IS DISTINCT FROM r.reservation_number THEN jsonb_build_array(c.reservation_number, r.reservation_number) END,
    'name', CASE WHEN c.name IS DISTINCT FROM r.name THEN jsonb_build_array(c.name, r.name) END,
    'name_kana', CASE WHEN c.name_kana IS DISTINCT FROM r.name_kana THEN jsonb_build_array(c.name_kana, r.name_kana) END,
    'birth_date', CASE WHEN c.birth_date IS DISTINCT FROM r.birth_date THEN jsonb_build_array(c.birth_date, r.birth_date) END,
    'location_id', CASE WHEN c.location_id IS DISTINCT FROM r.location_id THEN jsonb_build_array(c.location_id, r.location_id) END,
    'shipment_number', CASE WHEN c.shipment_number IS DISTINCT FROM r.shipment_number THEN jsonb_build_array(c.shipment_number, r.shipment_number) END,
    'manufactured_on', CASE WHEN c.manufactured_on IS DISTINCT FROM r.manufactured_on THEN jsonb_build_array(c.manufactured_on, r.manufactured_on) END))";

/// Inserts the new cards and updates the changed ones, each with an event naming the import.
/// `counts` (new, changed) as `compare` found them: a statement with nothing to do is not
/// run, as most imports only add cards and a join over every card costs as much as it finds.
pub fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    actor: &str,
    now: DateTime<Utc>,
    import_id: i64,
    counts: (i64, i64),
) -> QueryResult<()> {
    let (new_cards, changed_cards) = counts;
    if changed_cards > 0 {
        update_changed(conn, tenant_id, actor, now, import_id)?;
    }
    if new_cards > 0 {
        insert_new(conn, tenant_id, actor, now, import_id)?;
    }
    Ok(())
}

fn update_changed(
    conn: &mut PgConnection,
    tenant_id: i64,
    actor: &str,
    now: DateTime<Utc>,
    import_id: i64,
) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "WITH changed AS (
            SELECT c.id, {CHANGES} AS changes
              FROM card_records c JOIN card_import_rows r
                ON c.tenant_id = $1 AND c.manufacture_number = r.manufacture_number
             WHERE {DIFFERS}
         ), updated AS (
            UPDATE card_records c
               SET application_id = r.application_id, reservation_number = r.reservation_number,
                   name = r.name, name_kana = r.name_kana, birth_date = r.birth_date,
                   location_id = r.location_id, shipment_number = r.shipment_number,
                   manufactured_on = r.manufactured_on, updated_at = $3
              FROM card_import_rows r
             WHERE c.tenant_id = $1 AND c.manufacture_number = r.manufacture_number AND {DIFFERS}
            RETURNING c.id
         )
         INSERT INTO card_events (tenant_id, card_id, kind, actor, details, created_at)
         SELECT $1, changed.id, 'changed', $2,
                jsonb_build_object('import_id', $4::bigint, 'changes', changed.changes), $3
           FROM changed JOIN updated USING (id)"
    ))
    .bind::<BigInt, _>(tenant_id)
    .bind::<Text, _>(actor)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(import_id)
    .execute(conn)
}

fn insert_new(
    conn: &mut PgConnection,
    tenant_id: i64,
    actor: &str,
    now: DateTime<Utc>,
    import_id: i64,
) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH inserted AS (
            INSERT INTO card_records (tenant_id, application_id, manufacture_number,
                   reservation_number, name, name_kana, birth_date, location_id,
                   shipment_number, manufactured_on, created_at, updated_at, status_changed_at)
            SELECT $1, r.application_id, r.manufacture_number, r.reservation_number, r.name,
                   r.name_kana, r.birth_date, r.location_id, r.shipment_number,
                   r.manufactured_on, $3, $3, $3
              FROM card_import_rows r
             WHERE NOT EXISTS (SELECT 1 FROM card_records c
                                WHERE c.tenant_id = $1
                                  AND c.manufacture_number = r.manufacture_number)
             ORDER BY r.line
            RETURNING id
         )
         INSERT INTO card_events (tenant_id, card_id, kind, to_status, actor, details, created_at)
         SELECT $1, id, $5, $6, $2, jsonb_build_object('import_id', $4::bigint), $3
           FROM inserted",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<Text, _>(actor)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(import_id)
    .bind::<Text, _>(CardEventKind::Imported)
    .bind::<Text, _>(CardStatus::Received)
    .execute(conn)
}
