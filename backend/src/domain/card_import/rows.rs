//! Reading the rows of a J-LIS card-production file: columns found by header name (or the
//! tenant's own names for them), values normalised where a person would (full-width digits,
//! hyphen variants, surrounding spaces, 和暦 dates), every problem named with its line and
//! column. Names are kept exactly as given. Nothing here touches the database.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use csv::StringRecord;
use madoguchi_frontend::i18n::{tf, Lang};

use crate::domain::input::{fold_width, parse_date, ManufactureNumber, ReservationNumber};

/// The standard columns, as J-LIS names them.
pub const COLUMNS: [&str; 9] = [
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

const APPLICATION_ID: usize = 0;
const MANUFACTURE_NUMBER: usize = 1;
const RESERVATION_NUMBER: usize = 2;
const NAME: usize = 3;
const KANA: usize = 4;
const BIRTH_DATE: usize = 5;
const LOCATION: usize = 6;
const SHIPMENT_NUMBER: usize = 7;
const MANUFACTURED_ON: usize = 8;

/// One problem of a file: its line (0 for the file as a whole), the column if one, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: Option<String>,
    /// A message key (`card_problem_*`) and its values.
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// Values that differ by language (a refusal's own words), used over `args` in theirs.
    pub args_in: Vec<(&'static str, Lang, String)>,
}

impl Problem {
    pub fn new(line: u64, column: Option<&str>, key: &'static str) -> Problem {
        Problem {
            line,
            column: column.map(str::to_string),
            key,
            args: Vec::new(),
            args_in: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Problem {
        self.args.push((name, value.into()));
        self
    }

    /// A value in one language, for the pages in that language.
    pub fn with_in(mut self, name: &'static str, lang: Lang, value: impl Into<String>) -> Problem {
        self.args_in.push((name, lang, value.into()));
        self
    }

    pub fn reason(&self, lang: Lang) -> String {
        let mut args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for (name, _, value) in self.args_in.iter().filter(|(_, l, _)| *l == lang) {
            args.retain(|(n, _)| n != name);
            args.push((name, value));
        }
        tf(lang, self.key, &args)
    }

    /// "line 4, 生年月日: …" in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let mut place = Vec::new();
        if self.line > 0 {
            place.push(tf(
                lang,
                "card_problem_line",
                &[("line", &self.line.to_string())],
            ));
        }
        if let Some(column) = &self.column {
            place.push(column.clone());
        }
        if place.is_empty() {
            self.reason(lang)
        } else {
            format!("{}: {}", place.join(", "), self.reason(lang))
        }
    }
}

/// Where each standard column is in the file, and how many columns a row has.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    index: [usize; 9],
    width: usize,
    /// The other named columns (an address for the notice, say): position and header.
    extra: Vec<(usize, String)>,
}

/// Finds the standard columns in the header row. `aliases` maps a standard name to the name
/// this tenant's files use for it.
pub fn map_columns(
    header: &StringRecord,
    aliases: &BTreeMap<String, String>,
) -> Result<ColumnMap, Vec<Problem>> {
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let name = h.trim();
            // A byte-order mark the decoder left, in a file with two of them.
            if i == 0 {
                name.trim_start_matches('\u{FEFF}').to_string()
            } else {
                name.to_string()
            }
        })
        .collect();
    let mut problems = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !name.is_empty() && names[..i].contains(name) {
            problems.push(Problem::new(1, Some(name), "card_problem_header_twice"));
        }
    }
    let mut index = [0; 9];
    for (slot, standard) in COLUMNS.iter().enumerate() {
        let wanted = aliases
            .get(*standard)
            .map(String::as_str)
            .unwrap_or(standard);
        match names.iter().position(|n| n == wanted) {
            Some(position) => index[slot] = position,
            None => problems.push(Problem::new(1, Some(wanted), "card_problem_header_missing")),
        }
    }
    if problems.is_empty() {
        let extra = names
            .iter()
            .enumerate()
            .filter(|(i, name)| !name.is_empty() && !index.contains(i))
            .map(|(i, name)| (i, name.clone()))
            .collect();
        Ok(ColumnMap {
            index,
            width: names.len(),
            extra,
        })
    } else {
        Err(problems)
    }
}

// The staging table `stage::create_table` makes for one import, inside its transaction.
diesel::table! {
    card_import_rows (line) {
        line -> Int8,
        application_id -> Text,
        manufacture_number -> Text,
        reservation_number -> Nullable<Text>,
        name -> Text,
        name_kana -> Text,
        birth_date -> Date,
        location_id -> Int8,
        shipment_number -> Text,
        manufactured_on -> Nullable<Date>,
        extra -> Jsonb,
    }
}

/// A row that passed every check, ready to store.
#[derive(Clone, Debug, PartialEq, Eq, diesel::Insertable)]
#[diesel(table_name = card_import_rows, treat_none_as_default_value = false)]
pub struct CardRow {
    pub line: i64,
    pub application_id: String,
    pub manufacture_number: String,
    pub reservation_number: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub location_id: i64,
    pub shipment_number: String,
    pub manufactured_on: Option<NaiveDate>,
    /// The file's other columns as [header, value] pairs in file order, for the notice
    /// printer.
    pub extra: serde_json::Value,
}

fn digits_only(text: &str) -> Option<String> {
    let folded = fold_width(text);
    folded.bytes().all(|b| b.is_ascii_digit()).then_some(folded)
}

fn is_kana(text: &str) -> bool {
    text.chars()
        .all(|c| matches!(c, '\u{30A1}'..='\u{30FC}' | '\u{3000}' | ' '))
}

/// Checks one data row. `locations` maps the tenant's location codes to their ids.
pub fn parse_row(
    map: &ColumnMap,
    line: u64,
    record: &StringRecord,
    locations: &HashMap<String, i64>,
) -> Result<CardRow, Vec<Problem>> {
    if record.len() != map.width {
        return Err(vec![Problem::new(line, None, "card_problem_columns")
            .with("found", record.len().to_string())
            .with("expected", map.width.to_string())]);
    }
    if record.iter().any(|field| field.contains('\u{FFFD}')) {
        return Err(vec![Problem::new(line, None, "card_problem_bytes")]);
    }
    // A quoted field may hold a line break in CSV; no value of a card may.
    if let Some(position) = record.iter().position(|field| field.contains(['\n', '\r'])) {
        let column = COLUMNS
            .iter()
            .zip(map.index)
            .find(|(_, index)| *index == position)
            .map(|(name, _)| *name);
        return Err(vec![Problem::new(line, column, "card_problem_line_break")]);
    }
    let raw = |slot: usize| record.get(map.index[slot]).unwrap_or("");
    let value = |slot: usize| raw(slot).trim();
    let mut problems = Vec::new();
    let mut problem = |slot: usize, key: &'static str| {
        problems.push(Problem::new(line, Some(COLUMNS[slot]), key).with("value", value(slot)));
    };

    let application_id = digits_only(value(APPLICATION_ID)).filter(|id| id.len() == 23);
    if application_id.is_none() {
        problem(APPLICATION_ID, "card_problem_application_id");
    }
    let manufacture_number = ManufactureNumber::parse(value(MANUFACTURE_NUMBER));
    if manufacture_number.is_none() {
        problem(MANUFACTURE_NUMBER, "card_problem_manufacture_number");
    }
    let reservation_number = match value(RESERVATION_NUMBER) {
        "" => Some(None),
        text => ReservationNumber::parse(text).map(|n| Some(n.as_str().to_string())),
    };
    if reservation_number.is_none() {
        problem(RESERVATION_NUMBER, "card_problem_reservation_number");
    }
    // Names are stored as given, only without the spaces around them.
    let name = value(NAME).to_string();
    if name.is_empty() {
        problem(NAME, "card_problem_name");
    }
    let name_kana = value(KANA).to_string();
    if !is_kana(&name_kana) {
        problem(KANA, "card_problem_kana");
    }
    let birth_date = parse_date(value(BIRTH_DATE));
    if birth_date.is_none() {
        problem(BIRTH_DATE, "card_problem_date");
    }
    let location_id = locations.get(&fold_width(value(LOCATION))).copied();
    if location_id.is_none() {
        problem(LOCATION, "card_problem_location");
    }
    let shipment_number = digits_only(value(SHIPMENT_NUMBER));
    if shipment_number.is_none() {
        problem(SHIPMENT_NUMBER, "card_problem_shipment_number");
    }
    let manufactured_on = match value(MANUFACTURED_ON) {
        "" => Some(None),
        text => parse_date(text).map(Some),
    };
    if manufactured_on.is_none() {
        problem(MANUFACTURED_ON, "card_problem_date");
    }
    match (
        application_id,
        manufacture_number,
        reservation_number,
        birth_date,
        location_id,
        shipment_number,
        manufactured_on,
    ) {
        (
            Some(application_id),
            Some(manufacture_number),
            Some(reservation_number),
            Some(birth_date),
            Some(location_id),
            Some(shipment_number),
            Some(manufactured_on),
        ) if problems.is_empty() => Ok(CardRow {
            line: line as i64,
            application_id,
            manufacture_number: manufacture_number.as_str().to_string(),
            reservation_number,
            name,
            name_kana,
            birth_date,
            location_id,
            shipment_number,
            manufactured_on,
            extra: map
                .extra
                .iter()
                .map(|(i, name)| serde_json::json!([name, record.get(*i).unwrap_or("").trim()]))
                .collect(),
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> StringRecord {
        StringRecord::from(COLUMNS.to_vec())
    }

    fn locations() -> HashMap<String, i64> {
        HashMap::from([("0101".to_string(), 1)])
    }

    fn row(fields: [&str; 9]) -> Result<CardRow, Vec<Problem>> {
        let map = map_columns(&header(), &BTreeMap::new()).unwrap();
        parse_row(&map, 2, &StringRecord::from(fields.to_vec()), &locations())
    }

    #[test]
    fn values_are_normalised_where_a_person_would_and_names_kept_as_given() {
        let card = row([
            " １２３４５６７８９０１２３４５６７８９０１２３ ",
            "５９６９３８４９３７３９",
            "１ｓｄ－１７５７２２",
            "髙﨑　𠮷子",
            "タカサキ　ヨシコ",
            "平成元年1月8日",
            "0101",
            "４６４２８９２６９３",
            "R8.1.5",
        ])
        .unwrap();
        assert_eq!(card.application_id, "12345678901234567890123");
        assert_eq!(card.manufacture_number, "596938493739");
        assert_eq!(card.reservation_number.as_deref(), Some("1SD-175722"));
        assert_eq!(card.name, "髙﨑　𠮷子");
        assert_eq!(
            card.birth_date,
            NaiveDate::from_ymd_opt(1989, 1, 8).unwrap()
        );
        assert_eq!(card.shipment_number, "4642892693");
        assert_eq!(card.manufactured_on, NaiveDate::from_ymd_opt(2026, 1, 5));
    }

    #[test]
    fn each_bad_value_is_named_by_its_column() {
        let problems = row([
            "1234",
            "596938493739",
            "1SD-175722",
            "",
            "やまだ",
            "令和8年2月30日",
            "9999",
            "12a",
            "",
        ])
        .unwrap_err();
        let columns: Vec<&str> = problems
            .iter()
            .filter_map(|p| p.column.as_deref())
            .collect();
        assert_eq!(
            columns,
            vec![
                "申請書ID",
                "氏名",
                "氏名カナ",
                "生年月日",
                "交付場所コード",
                "発送番号"
            ]
        );
        assert_eq!(
            problems[3].message(Lang::En),
            "line 2, 生年月日: \"令和8年2月30日\" is not a real date"
        );
    }

    #[test]
    fn a_header_may_use_the_tenants_own_names_but_not_repeat_one() {
        let mut renamed = COLUMNS.to_vec();
        renamed[4] = "カナ氏名";
        let aliases = BTreeMap::from([("氏名カナ".to_string(), "カナ氏名".to_string())]);
        assert!(map_columns(&StringRecord::from(renamed.clone()), &aliases).is_ok());
        let missing = map_columns(&StringRecord::from(renamed), &BTreeMap::new()).unwrap_err();
        assert_eq!(missing[0].column.as_deref(), Some("氏名カナ"));
        let mut twice = COLUMNS.to_vec();
        twice.push("氏名");
        let repeated = map_columns(&StringRecord::from(twice), &BTreeMap::new()).unwrap_err();
        assert_eq!(repeated[0].key, "card_problem_header_twice");
    }
}

#[cfg(test)]
mod extra_columns {
    use super::*;

    #[test]
    fn other_columns_are_kept_in_file_order() {
        let mut header = COLUMNS.to_vec();
        header.extend(["郵便番号", "住所"]);
        let map = map_columns(&StringRecord::from(header), &BTreeMap::new()).unwrap();
        let record = StringRecord::from(vec![
            "69006026773546848745268",
            "596938493739",
            "",
            "山崎　大輔",
            "ヤマザキ　ダイスケ",
            "1961/05/07",
            "0101",
            "4642892693",
            "2026/10/29",
            "100-0001",
            "デモ市西町1-2",
        ]);
        let locations = HashMap::from([("0101".to_string(), 1)]);
        let row = parse_row(&map, 2, &record, &locations).unwrap();
        assert_eq!(
            row.extra,
            serde_json::json!([["郵便番号", "100-0001"], ["住所", "デモ市西町1-2"]])
        );
    }
}
