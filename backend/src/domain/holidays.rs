//! National holidays from the Cabinet Office's published CSV (国民の祝日・休日月日,
//! 国民の祝日・休日名称), CP932, dates without zero padding: `2026/9/22,休日`.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel::PgConnection;

use super::input::parse_date;
use crate::db::schema::national_holidays;

#[derive(Debug, PartialEq, Eq)]
pub struct HolidayImport {
    pub rows: usize,
    /// Rows written: new days, and known days whose name was rewritten.
    pub written: usize,
}

/// Decodes the file (CP932, or UTF-8 with or without BOM) and reads every row, reporting
/// the first bad line by number. Nothing is written unless the whole file is good.
pub fn parse(bytes: &[u8]) -> anyhow::Result<Vec<(NaiveDate, String)>> {
    let text = decode(bytes)?;
    let mut holidays = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || (number == 1 && !line.starts_with(|c: char| c.is_ascii_digit())) {
            continue;
        }
        let Some((date, name)) = line.split_once(',') else {
            anyhow::bail!("line {number}: expected \"date,name\", found \"{line}\"");
        };
        let day = parse_date(date.trim())
            .ok_or_else(|| anyhow::anyhow!("line {number}: \"{date}\" is not a real date"))?;
        let name = name.trim().trim_matches('"');
        if name.is_empty() {
            anyhow::bail!("line {number}: the holiday has no name");
        }
        holidays.push((day, name.to_string()));
    }
    if holidays.is_empty() {
        anyhow::bail!("the file lists no holidays");
    }
    Ok(holidays)
}

/// UTF-8 when the bytes are valid UTF-8 (BOM removed), else CP932 (WHATWG Shift_JIS,
/// which includes the NEC and IBM extensions).
pub fn decode(bytes: &[u8]) -> anyhow::Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        anyhow::bail!("the file is neither UTF-8 nor Shift_JIS (CP932) text");
    }
    Ok(text.into_owned())
}

pub fn import(conn: &mut PgConnection, bytes: &[u8]) -> anyhow::Result<HolidayImport> {
    let holidays = parse(bytes)?;
    let written = conn.transaction(|conn| {
        let mut total = 0;
        for chunk in holidays.chunks(1000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|(day, name)| {
                    (
                        national_holidays::day.eq(day),
                        national_holidays::name.eq(name),
                    )
                })
                .collect();
            total += diesel::insert_into(national_holidays::table)
                .values(&rows)
                .on_conflict(national_holidays::day)
                .do_update()
                .set(national_holidays::name.eq(excluded(national_holidays::name)))
                .execute(conn)?;
        }
        Ok::<_, diesel::result::Error>(total)
    })?;
    Ok(HolidayImport {
        rows: holidays.len(),
        written,
    })
}
