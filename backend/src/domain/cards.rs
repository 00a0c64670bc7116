//! A simple loader of J-LIS card-production rows (UTF-8 CSV), used to seed the demo.
//! Columns are found by header name.

use std::collections::HashMap;

use anyhow::{anyhow, bail, Context};
use diesel::prelude::*;
use diesel::PgConnection;

use super::holidays::decode;
use super::input::{parse_date, ManufactureNumber, ReservationNumber};
use crate::db::card::NewCardRecord;
use crate::db::location::Location;
use crate::db::schema::card_records;

const COLUMNS: [&str; 9] = [
    "申請書ID",
    "製造管理番号",
    "予約番号",
    "氏名",
    "氏名カナ",
    "生年月日",
    "交付場所コード",
    "発送番号",
    "作成日",
];

/// Loads every row or none; returns how many cards were new.
pub fn load_csv(conn: &mut PgConnection, tenant_id: i64, bytes: &[u8]) -> anyhow::Result<usize> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader.headers().context("reading the header row")?.clone();
    let position: HashMap<&str, usize> = COLUMNS
        .iter()
        .map(|name| {
            headers
                .iter()
                .position(|h| h.trim() == *name)
                .map(|i| (*name, i))
                .ok_or_else(|| anyhow!("the header has no column {name}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let locations: HashMap<String, i64> = Location::for_tenant(conn, tenant_id)?
        .into_iter()
        .map(|l| (l.code, l.id))
        .collect();
    let mut cards = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.with_context(|| format!("line {line}"))?;
        let field = |name: &str| record.get(position[name]).unwrap_or("").trim().to_string();
        let date = |name: &str| {
            parse_date(&field(name))
                .ok_or_else(|| anyhow!("line {line}: {name} is not a real date"))
        };
        let location = field("交付場所コード");
        cards.push(NewCardRecord {
            tenant_id,
            application_id: field("申請書ID"),
            manufacture_number: ManufactureNumber::parse(&field("製造管理番号"))
                .ok_or_else(|| anyhow!("line {line}: 製造管理番号 is not 8–20 letters and digits"))?
                .as_str()
                .to_string(),
            reservation_number: Some(
                ReservationNumber::parse(&field("予約番号"))
                    .ok_or_else(|| anyhow!("line {line}: 予約番号 is not like 1AB-123456"))?
                    .as_str()
                    .to_string(),
            ),
            password_hash: None,
            name: record.get(position["氏名"]).unwrap_or("").to_string(),
            name_kana: field("氏名カナ"),
            birth_date: date("生年月日")?,
            location_id: *locations
                .get(&location)
                .ok_or_else(|| anyhow!("line {line}: unknown location code {location}"))?,
            shipment_number: field("発送番号"),
            manufactured_on: Some(date("作成日")?),
        });
    }
    if cards.is_empty() {
        bail!("the file has no card rows");
    }
    let inserted = conn.transaction(|conn| {
        let mut total = 0;
        for chunk in cards.chunks(1000) {
            total += diesel::insert_into(card_records::table)
                .values(chunk)
                .on_conflict((card_records::tenant_id, card_records::manufacture_number))
                .do_nothing()
                .execute(conn)?;
        }
        Ok::<_, diesel::result::Error>(total)
    })?;
    Ok(inserted)
}
