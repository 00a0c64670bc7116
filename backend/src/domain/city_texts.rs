//! Which of a city's texts a reader sees: the one in the page's language, else the first
//! written along the order the city set for that language, ending with Japanese. Japanese
//! and English live in the rows' `_ja`/`_en` columns; the other languages in `city_texts`.

use std::collections::HashMap;

use diesel::{PgConnection, QueryResult};
use madoguchi_frontend::i18n::Lang;

use crate::db::city_text::{CityText, Fallback};
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::tenant::Tenant;

/// The languages whose city texts are kept in `city_texts` (not in columns).
pub const TRANSLATED: [Lang; 6] = [
    Lang::JaEasy,
    Lang::PtBr,
    Lang::Vi,
    Lang::ZhHans,
    Lang::Ko,
    Lang::Tl,
];

/// The fields a city translates, per kind of item.
pub const CITY_FIELDS: [&str; 2] = ["notice", "maintenance"];
pub const PROCEDURE_FIELDS: [&str; 2] = ["name", "notes"];
pub const LOCATION_FIELDS: [&str; 3] = ["name", "address", "access"];

/// The order a language falls back in until the city sets one: やさしい日本語 to Japanese
/// (its readers read Japanese), every other to English, then Japanese.
pub fn default_fallbacks(lang: Lang) -> Vec<Lang> {
    match lang {
        Lang::Ja => Vec::new(),
        Lang::JaEasy | Lang::En => vec![Lang::Ja],
        _ => vec![Lang::En, Lang::Ja],
    }
}

/// A stored order (`en,ja`) as languages; unknown codes are skipped and Japanese ends it.
pub fn parse_fallbacks(text: &str) -> Vec<Lang> {
    let mut order: Vec<Lang> = text
        .split(',')
        .filter_map(Lang::from_code)
        .filter(|l| *l != Lang::Ja)
        .collect();
    order.push(Lang::Ja);
    order
}

/// What a text belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Item {
    City,
    Procedure(i64),
    Location(i64),
}

/// A city's texts as readers of one language see them.
pub struct CityTexts {
    /// The page's language, then its fallbacks; Japanese is last.
    order: Vec<Lang>,
    written: HashMap<(Item, String, Lang), String>,
}

impl CityTexts {
    /// The texts for readers of `lang`. Japanese and English need no query: their texts
    /// are the rows' own columns.
    pub fn load(conn: &mut PgConnection, tenant_id: i64, lang: Lang) -> QueryResult<CityTexts> {
        if !TRANSLATED.contains(&lang) {
            return Ok(CityTexts::columns_only(lang));
        }
        let stored = Fallback::of_tenant(conn, tenant_id, Some(lang.code()))?;
        let fallbacks = stored
            .first()
            .map(|f| parse_fallbacks(&f.fallbacks))
            .unwrap_or_else(|| default_fallbacks(lang));
        let mut order = vec![lang];
        order.extend(fallbacks);
        let codes: Vec<String> = order
            .iter()
            .filter(|l| TRANSLATED.contains(l))
            .map(|l| l.code().to_string())
            .collect();
        let written = CityText::of_tenant(conn, tenant_id, Some(&codes))?
            .into_iter()
            .filter_map(|row| {
                let item = match (row.procedure_id, row.location_id) {
                    (Some(id), _) => Item::Procedure(id),
                    (None, Some(id)) => Item::Location(id),
                    (None, None) => Item::City,
                };
                Some(((item, row.field, Lang::from_code(&row.lang)?), row.body))
            })
            .collect();
        Ok(CityTexts { order, written })
    }

    /// Japanese or English readers' texts: the columns, English falling back to Japanese.
    pub fn columns_only(lang: Lang) -> CityTexts {
        let mut order = vec![lang];
        order.extend(default_fallbacks(lang));
        CityTexts {
            order,
            written: HashMap::new(),
        }
    }

    /// The language these texts are for.
    pub fn lang(&self) -> Lang {
        self.order[0]
    }

    /// The first text written along the order: Japanese and English from the columns
    /// given, the others from `city_texts`.
    fn first(&self, item: Item, field: &str, ja: &str, en: Option<&str>) -> String {
        self.order
            .iter()
            .find_map(|lang| {
                let text = match lang {
                    Lang::Ja => Some(ja),
                    Lang::En => en,
                    other => self
                        .written
                        .get(&(item, field.to_string(), *other))
                        .map(String::as_str),
                };
                text.filter(|t| !t.trim().is_empty())
            })
            .unwrap_or_default()
            .to_string()
    }

    pub fn procedure_name(&self, p: &Procedure) -> String {
        self.first(Item::Procedure(p.id), "name", &p.name_ja, Some(&p.name_en))
    }

    pub fn procedure_notes(&self, p: &Procedure) -> String {
        self.first(
            Item::Procedure(p.id),
            "notes",
            &p.notes_ja,
            Some(&p.notes_en),
        )
    }

    pub fn location_name(&self, l: &Location) -> String {
        self.first(Item::Location(l.id), "name", &l.name, Some(&l.name_en))
    }

    /// The address has no English column: English readers see the Japanese one.
    pub fn location_address(&self, l: &Location) -> String {
        self.first(Item::Location(l.id), "address", &l.address, None)
    }

    pub fn location_access(&self, l: &Location) -> String {
        self.first(
            Item::Location(l.id),
            "access",
            &l.access_ja,
            Some(&l.access_en),
        )
    }

    pub fn notice(&self, t: &Tenant) -> String {
        self.first(Item::City, "notice", &t.notice_ja, Some(&t.notice_en))
    }

    pub fn maintenance(&self, t: &Tenant) -> String {
        self.first(
            Item::City,
            "maintenance",
            &t.maintenance_ja,
            Some(&t.maintenance_en),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_order_always_ends_in_japanese() {
        assert_eq!(parse_fallbacks("ja"), vec![Lang::Ja]);
        assert_eq!(parse_fallbacks("en,ja"), vec![Lang::En, Lang::Ja]);
        assert_eq!(parse_fallbacks("ja,en"), vec![Lang::En, Lang::Ja]);
        assert_eq!(parse_fallbacks("xx"), vec![Lang::Ja]);
    }

    #[test]
    fn english_readers_see_japanese_where_no_english_is_written() {
        let texts = CityTexts::columns_only(Lang::En);
        assert_eq!(
            texts.first(Item::City, "notice", "お知らせ", Some("")),
            "お知らせ"
        );
        assert_eq!(
            texts.first(Item::City, "notice", "お知らせ", Some("News")),
            "News"
        );
        let japanese = CityTexts::columns_only(Lang::Ja);
        assert_eq!(
            japanese.first(Item::City, "notice", "お知らせ", Some("News")),
            "お知らせ"
        );
    }

    #[test]
    fn a_translation_wins_then_the_order_decides() {
        let mut written = HashMap::new();
        written.insert(
            (Item::Procedure(7), "name".to_string(), Lang::Vi),
            "Nhận thẻ".to_string(),
        );
        let texts = CityTexts {
            order: vec![Lang::Vi, Lang::En, Lang::Ja],
            written,
        };
        assert_eq!(
            texts.first(Item::Procedure(7), "name", "受取", Some("Pickup")),
            "Nhận thẻ"
        );
        assert_eq!(
            texts.first(Item::Procedure(8), "name", "受取", Some("Pickup")),
            "Pickup"
        );
        assert_eq!(
            texts.first(Item::Procedure(8), "name", "受取", Some("")),
            "受取"
        );
        let easy_first = CityTexts {
            order: vec![Lang::Vi, Lang::Ja],
            written: HashMap::new(),
        };
        assert_eq!(
            easy_first.first(Item::Procedure(8), "name", "受取", Some("Pickup")),
            "受取"
        );
    }
}
