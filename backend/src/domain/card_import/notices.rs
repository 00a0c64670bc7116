//! Notice print data for cities in password mode: each new card of an import gets a
//! 予約番号 (when the file has none) and an initial password, stored only as an argon2 hash.
//! The plain passwords leave the system once, in the CSV the notice printer reads.

use std::collections::HashSet;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use diesel::PgConnection;
use rand::Rng;

use crate::db::schema::card_records;
use crate::error::AppError;

/// Letters and digits that cannot be mistaken for one another on paper.
const PASSWORD_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
const PASSWORD_LENGTH: usize = 10;

#[derive(QueryableByName)]
struct NewCard {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    reservation_number: Option<String>,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    extra: serde_json::Value,
}

/// A random password of ten letters and digits (about 58 bits).
fn new_password(rng: &mut impl Rng) -> String {
    (0..PASSWORD_LENGTH)
        .map(|_| PASSWORD_LETTERS[rng.gen_range(0..PASSWORD_LETTERS.len())] as char)
        .collect()
}

/// Argon2id with a small memory cost: the passwords are random and long, so each hash need
/// not be slow, and a city's monthly batch is hashed in seconds, not hours.
pub(crate) fn hash(password: &str) -> Result<String, AppError> {
    let params = Params::new(2048, 1, 1, None)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

fn new_reservation_number(rng: &mut impl Rng, taken: &mut HashSet<String>) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let prefix: String = (0..3)
            .map(|_| LETTERS[rng.gen_range(0..LETTERS.len())] as char)
            .collect();
        let number = format!("{prefix}-{:06}", rng.gen_range(0..1_000_000));
        if taken.insert(number.clone()) {
            return number;
        }
    }
}

/// Issues numbers and passwords to the cards `import_id` added, and returns the CSV for the
/// notice printer (UTF-8 with BOM, CRLF): 予約番号, パスワード, 氏名, then the file's other
/// columns. Runs inside the import's transaction, while its staging table exists.
pub fn issue(conn: &mut PgConnection, tenant_id: i64, import_id: i64) -> Result<Vec<u8>, AppError> {
    let cards: Vec<NewCard> = diesel::sql_query(
        "SELECT c.id, c.reservation_number, c.name, r.extra
           FROM card_events e
           JOIN card_records c ON c.id = e.card_id
           JOIN card_import_rows r ON r.manufacture_number = c.manufacture_number
          WHERE e.tenant_id = $1 AND e.kind = 'imported'
            AND (e.details->>'import_id')::bigint = $2
          ORDER BY r.line",
    )
    .bind::<BigInt, _>(tenant_id)
    .bind::<BigInt, _>(import_id)
    .load(conn)?;
    let mut taken: HashSet<String> = card_records::table
        .filter(card_records::tenant_id.eq(tenant_id))
        .filter(card_records::reservation_number.is_not_null())
        .select(card_records::reservation_number.assume_not_null())
        .load(conn)?
        .into_iter()
        .collect();
    let mut rng = rand::thread_rng();
    let issued: Vec<(i64, String, String)> = cards
        .iter()
        .map(|card| {
            let number = card
                .reservation_number
                .clone()
                .unwrap_or_else(|| new_reservation_number(&mut rng, &mut taken));
            (card.id, number, new_password(&mut rng))
        })
        .collect();
    let hashes = hash_all(&issued)?;
    for (batch, hashes) in issued.chunks(1000).zip(hashes.chunks(1000)) {
        diesel::sql_query(
            "UPDATE card_records c SET reservation_number = v.number, password_hash = v.hash
               FROM unnest($1, $2, $3) AS v(id, number, hash) WHERE c.id = v.id",
        )
        .bind::<Array<BigInt>, _>(batch.iter().map(|(id, _, _)| *id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(batch.iter().map(|(_, n, _)| n.clone()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(hashes.to_vec())
        .execute(conn)?;
    }
    // The file's other columns, as [header, value] pairs in file order.
    let pairs = |card: &NewCard| -> Vec<(String, String)> {
        card.extra
            .as_array()
            .map(|pairs| {
                pairs
                    .iter()
                    .map(|pair| {
                        let text = |i: usize| pair[i].as_str().unwrap_or("").to_string();
                        (text(0), text(1))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let extra_names: Vec<String> = cards
        .first()
        .map(|c| pairs(c).into_iter().map(|(name, _)| name).collect())
        .unwrap_or_default();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::Internal(anyhow::anyhow!("writing the notice data: {e}"));
    let mut header = vec!["予約番号".to_string(), "パスワード".into(), "氏名".into()];
    header.extend(extra_names.iter().cloned());
    writer
        .write_record(crate::domain::spreadsheet::row(&header))
        .map_err(fail)?;
    for (card, (_, number, password)) in cards.iter().zip(&issued) {
        let mut row = vec![number.clone(), password.clone(), card.name.clone()];
        row.extend(pairs(card).into_iter().map(|(_, value)| value));
        writer
            .write_record(crate::domain::spreadsheet::row(&row))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing the notice data: {e}")))
}

/// Hashes every password, on as many threads as the machine has cores.
fn hash_all(issued: &[(i64, String, String)]) -> Result<Vec<String>, AppError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = issued.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = issued
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(_, _, p)| hash(p))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(issued.len());
        for worker in workers {
            let hashes = worker
                .join()
                .map_err(|_| AppError::Internal(anyhow::anyhow!("a hashing thread failed")))??;
            all.extend(hashes);
        }
        Ok(all)
    })
}
