//! Finding a caller's card record when they have lost the notice: by name in katakana
//! plus birth date, by 発送番号 (the shipment number on the envelope), or by a number
//! from the notice.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::PgConnection;

use super::input::{fold_width, letters_and_digits, like_escape};
use crate::db::card::CardRecord;
use crate::db::kinds::CardStatus;
use crate::db::schema::{card_records, locations};

/// At most this many matches are listed; a caller is asked for more details beyond that.
pub const MAX_MATCHES: i64 = 20;

#[derive(Clone, Debug, Default)]
pub struct CardQuery {
    /// The start of the name in katakana (hiragana and spaces are accepted).
    pub kana: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub shipment_number: Option<String>,
    /// 予約番号 or 製造管理番号 from the notice.
    pub number: Option<String>,
}

impl CardQuery {
    /// Kana alone matches too many people; it is only searched with the birth date.
    pub fn is_searchable(&self) -> bool {
        self.shipment_number.is_some()
            || self.number.is_some()
            || (self.kana.is_some() && self.birth_date.is_some())
    }
}

/// The console's card list filter; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct CardListFilter {
    pub manufacture_number: Option<String>,
    pub reservation_number: Option<String>,
    pub application_id: Option<String>,
    /// The start of the name in katakana.
    pub kana: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub status: Option<CardStatus>,
    /// A location's code.
    pub location: Option<String>,
}

/// One page (`(number, size)`; one row more than a page, to tell whether there is a
/// next) of the cards matching `filter`, ordered by kana and birth date, each with its
/// location's name. Accounts limited to some locations (`location_ids`) see only theirs.
pub fn list(
    conn: &mut PgConnection,
    tenant_id: i64,
    location_ids: &[i64],
    filter: &CardListFilter,
    (page, size): (i64, i64),
) -> QueryResult<Vec<(CardRecord, String)>> {
    let mut query = card_records::table
        .inner_join(locations::table)
        .filter(card_records::tenant_id.eq(tenant_id))
        .select((CardRecord::as_select(), locations::name))
        .into_boxed();
    if let Some(number) = &filter.manufacture_number {
        query = query.filter(card_records::manufacture_number.eq(letters_and_digits(number)));
    }
    if let Some(number) = &filter.reservation_number {
        query = query.filter(
            sql::<Bool>("replace(coalesce(card_records.reservation_number, ''), '-', '') = ")
                .bind::<Text, _>(letters_and_digits(number)),
        );
    }
    if let Some(id) = &filter.application_id {
        query = query.filter(card_records::application_id.eq(letters_and_digits(id)));
    }
    if let Some(kana) = &filter.kana {
        query = query.filter(sql::<Bool>(KANA_LIKE).bind::<Text, _>(kana_prefix(kana)));
    }
    if let Some(born) = filter.birth_date {
        query = query.filter(card_records::birth_date.eq(born));
    }
    if let Some(status) = filter.status {
        query = query.filter(card_records::status.eq(status));
    }
    if let Some(code) = &filter.location {
        query = query.filter(locations::code.eq(code.clone()));
    }
    if !location_ids.is_empty() {
        query = query.filter(card_records::location_id.eq_any(location_ids.to_vec()));
    }
    query
        .order((
            card_records::name_kana,
            card_records::birth_date,
            card_records::id,
        ))
        .offset((page - 1) * size)
        .limit(size + 1)
        .load(conn)
}

/// SQL comparing a card's kana, spaces removed, with a bound `LIKE` pattern (`kana_prefix`).
pub const KANA_LIKE: &str = "replace(replace(card_records.name_kana, '　', ''), ' ', '') LIKE ";

/// The `LIKE` pattern for names starting with `typed`.
pub fn kana_prefix(typed: &str) -> String {
    format!("{}%", like_escape(&normalise_kana(typed)))
}

/// Katakana without spaces: hiragana turned into katakana, widths folded.
pub fn normalise_kana(input: &str) -> String {
    fold_width(input)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The cards matching every given part of `query`, by kana then birth date.
pub fn find_cards(
    conn: &mut PgConnection,
    tenant_id: i64,
    query: &CardQuery,
) -> QueryResult<Vec<CardRecord>> {
    if !query.is_searchable() {
        return Ok(Vec::new());
    }
    let mut select = card_records::table
        .filter(card_records::tenant_id.eq(tenant_id))
        .select(CardRecord::as_select())
        .into_boxed();
    if let Some(kana) = &query.kana {
        select = select.filter(sql::<Bool>(KANA_LIKE).bind::<Text, _>(kana_prefix(kana)));
    }
    if let Some(born) = query.birth_date {
        select = select.filter(card_records::birth_date.eq(born));
    }
    if let Some(shipment) = &query.shipment_number {
        select = select.filter(card_records::shipment_number.eq(letters_and_digits(shipment)));
    }
    if let Some(number) = &query.number {
        let compact = letters_and_digits(number);
        select = select.filter(
            card_records::manufacture_number
                .eq(compact.clone())
                .or(
                    sql::<Bool>("replace(coalesce(reservation_number, ''), '-', '') = ")
                        .bind::<Text, _>(compact),
                ),
        );
    }
    select
        .order((card_records::name_kana, card_records::birth_date))
        .limit(MAX_MATCHES)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana_is_compared_in_katakana_without_spaces() {
        assert_eq!(normalise_kana("やまざき　だいすけ"), "ヤマザキダイスケ");
        assert_eq!(normalise_kana(" ヤマザキ ダイ"), "ヤマザキダイ");
    }

    #[test]
    fn kana_alone_is_not_enough_to_search() {
        let kana_only = CardQuery {
            kana: Some("ヤマ".into()),
            ..CardQuery::default()
        };
        assert!(!kana_only.is_searchable());
        let with_birth = CardQuery {
            birth_date: NaiveDate::from_ymd_opt(1961, 5, 7),
            ..kana_only
        };
        assert!(with_birth.is_searchable());
    }
}
