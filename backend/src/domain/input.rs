//! Values typed by people, parsed once at the boundary into proven types.

use chrono::NaiveDate;
use rand::Rng;

/// Full-width letters, digits and signs to ASCII, the ideographic space to a space, and
/// every dash or long-vowel mark that people type for a hyphen to `-`.
pub fn fold_width(input: &str) -> String {
    input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}' => '-',
            _ => c,
        })
        .collect()
}

/// Text as a URL query value: everything but unreserved characters and `/` percent-encoded.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The letters and digits of a typed number or code, upper case, widths folded: what is
/// left of `１ｓｄ－１７５７２２` is `1SD175722`.
pub fn letters_and_digits(input: &str) -> String {
    fold_width(input)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A map search for an address, for pages and e-mails.
pub fn map_link(address: &str) -> String {
    format!(
        "https://www.openstreetmap.org/search?query={}",
        url_encode(address)
    )
}

/// Text to match literally inside a SQL `LIKE` pattern (whose escape character is `\`).
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The input folded, upper-cased, with spaces and hyphens removed.
fn compact_code(input: &str) -> String {
    fold_width(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// 予約番号 as printed on the notice: three letters/digits, hyphen, six digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservationNumber(String);

impl ReservationNumber {
    pub fn parse(input: &str) -> Option<ReservationNumber> {
        // A hyphen is optional, but where one is typed it must stand after the third sign.
        let spaced: String = fold_width(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if spaced.contains('-') && spaced.find('-') != Some(3) {
            return None;
        }
        let compact = compact_code(input);
        let valid = compact.len() == 9
            && compact[..3].chars().all(|c| c.is_ascii_alphanumeric())
            && compact[3..].chars().all(|c| c.is_ascii_digit());
        valid.then(|| ReservationNumber(format!("{}-{}", &compact[..3], &compact[3..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 製造管理番号: an opaque code of 8 to 20 letters and digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManufactureNumber(String);

impl ManufactureNumber {
    pub fn parse(input: &str) -> Option<ManufactureNumber> {
        let compact = compact_code(input);
        let valid =
            (8..=20).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric());
        valid.then_some(ManufactureNumber(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Letters and digits that cannot be mistaken for each other when read aloud or typed:
/// no 0/O, 1/I/L.
pub const BOOKING_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 9 symbols of 31 carry 44.6 random bits.
pub const BOOKING_CODE_LEN: usize = 9;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingCode(String);

impl BookingCode {
    pub fn generate(rng: &mut impl Rng) -> BookingCode {
        let code = (0..BOOKING_CODE_LEN)
            .map(|_| BOOKING_CODE_ALPHABET[rng.gen_range(0..BOOKING_CODE_ALPHABET.len())] as char)
            .collect();
        BookingCode(code)
    }

    pub fn parse(input: &str) -> Option<BookingCode> {
        let compact = compact_code(input);
        let valid = compact.len() == BOOKING_CODE_LEN
            && compact.bytes().all(|b| BOOKING_CODE_ALPHABET.contains(&b));
        valid.then_some(BookingCode(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped in threes for reading aloud: `ABC-DEF-GHJ`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[0..3], &self.0[3..6], &self.0[6..9])
    }
}

/// Japanese eras: name, Latin initial, first day.
const ERAS: [(&str, char, (i32, u32, u32)); 5] = [
    ("令和", 'R', (2019, 5, 1)),
    ("平成", 'H', (1989, 1, 8)),
    ("昭和", 'S', (1926, 12, 25)),
    ("大正", 'T', (1912, 7, 30)),
    ("明治", 'M', (1868, 1, 25)),
];

/// Why typed text is not a date, so the page can say what is wrong rather than repeat
/// the hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    Empty,
    /// Not a date in any form we read.
    Unreadable,
    /// Year, month and day read, but there is no such day (2月30日).
    NoSuchDay,
    /// A Japanese era date outside its era (平成元年1月7日, 平成31年5月1日).
    OutsideEra {
        era: &'static str,
        first: NaiveDate,
        last: Option<NaiveDate>,
    },
}

impl DateProblem {
    /// What is wrong, for the field labelled `field`, about the text `typed`.
    pub fn message(
        &self,
        lang: madoguchi_frontend::i18n::Lang,
        field: &str,
        typed: &str,
    ) -> String {
        use madoguchi_frontend::i18n::tf;
        // Echoed back only as far as a person would read it.
        let typed: String = typed.trim().chars().take(30).collect();
        match self {
            DateProblem::Empty => tf(lang, "date_problem_empty", &[("field", field)]),
            DateProblem::Unreadable => tf(lang, "date_problem_unreadable", &[("field", field)]),
            DateProblem::NoSuchDay => tf(
                lang,
                "date_problem_no_such_day",
                &[("field", field), ("typed", &typed)],
            ),
            DateProblem::OutsideEra { era, first, last } => {
                let day = |d: &NaiveDate| crate::domain::calendar::date_label(lang, *d);
                match last {
                    Some(last) => tf(
                        lang,
                        "date_problem_outside_era",
                        &[
                            ("typed", &typed),
                            ("era", era),
                            ("first", &day(first)),
                            ("last", &day(last)),
                        ],
                    ),
                    None => tf(
                        lang,
                        "date_problem_before_era",
                        &[("typed", &typed), ("era", era), ("first", &day(first))],
                    ),
                }
            }
        }
    }
}

/// A date written in 西暦 (`2026/1/5`, `2026-01-05`, `2026年1月5日`, `2026 1 5`,
/// `20260105`) or 和暦 (`令和8年1月5日`, `R8.1.5`, `平成元年1月8日`); `None` when it is not a
/// real date.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    read_date(input).ok()
}

/// As `parse_date`, saying what is wrong when the text is not a real date.
pub fn read_date(input: &str) -> Result<NaiveDate, DateProblem> {
    let folded = fold_width(input);
    let folded = folded.trim();
    if folded.is_empty() {
        return Err(DateProblem::Empty);
    }
    let (era, rest) = match ERAS.iter().find_map(|era @ (name, initial, _)| {
        folded
            .strip_prefix(name)
            .or_else(|| folded.strip_prefix(*initial))
            .or_else(|| folded.strip_prefix(initial.to_ascii_lowercase()))
            .map(|rest| (Some(era), rest))
    }) {
        Some(found) => found,
        None => (None, folded),
    };
    let rest = rest.trim_start().replacen("元", "1", 1);
    let mut parts: Vec<&str> = rest
        .split(|c: char| {
            matches!(c, '/' | '-' | '.' | ',' | '年' | '月' | '日') || c.is_whitespace()
        })
        .filter(|p| !p.is_empty())
        .collect();
    // 19610507: eight digits in a row are a year, a month and a day.
    if era.is_none()
        && parts.len() == 1
        && parts[0].len() == 8
        && parts[0].bytes().all(|b| b.is_ascii_digit())
    {
        let digits = parts[0];
        parts = vec![&digits[..4], &digits[4..6], &digits[6..]];
    }
    let [year, month, day] = parts.as_slice() else {
        return Err(DateProblem::Unreadable);
    };
    let numbers: Option<Vec<u32>> = [year, month, day]
        .iter()
        .map(|p| {
            (p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    let Some([year, month, day]) = numbers.as_deref().map(|n| [n[0], n[1], n[2]]) else {
        return Err(DateProblem::Unreadable);
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(DateProblem::NoSuchDay);
    }
    match era {
        None => {
            if !(1800..=9999).contains(&year) {
                return Err(DateProblem::Unreadable);
            }
            NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(DateProblem::NoSuchDay)
        }
        Some((name, _, (start_year, start_month, start_day))) => {
            // No era has lasted a hundred years; R8887 is a typing slip, not year 10905.
            if !(1..=99).contains(&year) {
                return Err(DateProblem::Unreadable);
            }
            let first = NaiveDate::from_ymd_opt(*start_year, *start_month, *start_day)
                .ok_or(DateProblem::Unreadable)?;
            let date = NaiveDate::from_ymd_opt(start_year + year as i32 - 1, month, day)
                .ok_or(DateProblem::NoSuchDay)?;
            // An era date must fall inside its era: 平成31年5月1日 does not exist.
            let next_start = ERAS
                .iter()
                .filter_map(|(_, _, (y, m, d))| NaiveDate::from_ymd_opt(*y, *m, *d))
                .filter(|d| *d > first)
                .min();
            if date >= first && next_start.is_none_or(|next| date < next) {
                Ok(date)
            } else {
                Err(DateProblem::OutsideEra {
                    era: name,
                    first,
                    last: next_start.and_then(|next| next.pred_opt()),
                })
            }
        }
    }
}

/// An e-mail address that mail servers take: an ASCII local part of RFC 5322 `atext`
/// and single dots (no quotes, no invisible or direction-changing characters, no emoji),
/// a domain with at least one dot, and accepted by the mailer's own parser (lettre).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Option<Email> {
        if input.chars().any(char::is_control) {
            return None;
        }
        let address = fold_width(input);
        let (local, domain) = address.rsplit_once('@')?;
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
        let local_valid = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| atext(c) || c == '.');
        let domain_valid = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .split('.')
                .all(|label| !label.starts_with('-') && !label.ends_with('-'))
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() && !is_invisible(c) || c == '-' || c == '.');
        let valid = local_valid
            && domain_valid
            && address.len() <= 254
            && address.parse::<lettre::Address>().is_ok();
        valid.then(|| Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two addresses are compared in: the whole address in lower case. Mail
    /// servers almost never tell local parts apart by case, and people do not either.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Characters that show nothing or reorder what is shown (zero-width, bidi controls).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// A phone number, read with libphonenumber's rules (the `phonenumber` crate): Japanese
/// numbers as dialled in Japan, others with their `+` country code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber {
    /// How it is stored: national digits for Japan (`09012345678`), E.164 otherwise.
    stored: String,
    /// How it is read aloud and shown: `090-1234-5678`, `0120-000-000`, `+1 415-555-2671`.
    display: String,
}

impl PhoneNumber {
    pub fn parse(input: &str) -> Option<PhoneNumber> {
        use phonenumber::{country, Mode};
        let folded = fold_width(input);
        let only_phone_chars = folded
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '+'));
        let digits = folded.chars().filter(char::is_ascii_digit).count();
        if !only_phone_chars || !(10..=15).contains(&digits) {
            return None;
        }
        let number = phonenumber::parse(Some(country::Id::JP), &folded).ok()?;
        if !phonenumber::is_valid(&number) {
            return None;
        }
        let japanese = number.code().value() == 81;
        let national = number.format().mode(Mode::National).to_string();
        let (stored, display) = if japanese {
            (
                national.chars().filter(char::is_ascii_digit).collect(),
                national,
            )
        } else {
            (
                number.format().mode(Mode::E164).to_string(),
                number.format().mode(Mode::International).to_string(),
            )
        };
        Some(PhoneNumber { stored, display })
    }

    /// The stored form (digits, or E.164 abroad), also the form numbers are compared in.
    pub fn digits(&self) -> &str {
        &self.stored
    }

    pub fn key(&self) -> &str {
        &self.stored
    }

    /// Grouped for reading aloud: 090-1234-5678.
    pub fn display(&self) -> &str {
        &self.display
    }
}

/// A random opaque token naming one client's hold.
pub fn new_client_token(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..32)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn reservation_numbers_accept_how_people_type_them() {
        for typed in [
            "1SD-175722",
            "1sd175722",
            "１ＳＤ－１７５７２２",
            "1SD ー 175722",
            " 1sd‐175722 ",
        ] {
            assert_eq!(
                ReservationNumber::parse(typed).map(|n| n.as_str().to_string()),
                Some("1SD-175722".to_string()),
                "{typed}"
            );
        }
        for wrong in ["1SD-17572", "1SD-1757222", "1S-1757222", "1SD-17572X", ""] {
            assert_eq!(ReservationNumber::parse(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn dates_parse_in_both_calendars_and_refuse_impossible_days() {
        assert_eq!(parse_date("2026/2/3"), date(2026, 2, 3));
        assert_eq!(parse_date("2026-02-03"), date(2026, 2, 3));
        assert_eq!(parse_date("２０２６年２月３日"), date(2026, 2, 3));
        assert_eq!(parse_date("令和8年2月3日"), date(2026, 2, 3));
        assert_eq!(parse_date("R8.2.3"), date(2026, 2, 3));
        assert_eq!(parse_date("平成元年1月8日"), date(1989, 1, 8));
        assert_eq!(parse_date("昭和64年1月7日"), date(1989, 1, 7));
        assert_eq!(parse_date("2026/02/30"), None);
        assert_eq!(parse_date("令和8年2月30日"), None);
        assert_eq!(parse_date("平成31年5月1日"), None);
        // Found by the dates fuzz target: an era year of 8887 made a five-digit year.
        assert_eq!(parse_date("R8887-7.9"), None);
        assert_eq!(parse_date("平成元年1月7日"), None);
        assert_eq!(parse_date("2026/2"), None);
        assert_eq!(parse_date("abc"), None);
    }

    #[test]
    fn dates_are_read_as_people_type_them() {
        assert_eq!(parse_date("19610507"), date(1961, 5, 7));
        assert_eq!(parse_date("１９６１０５０７"), date(1961, 5, 7));
        assert_eq!(parse_date("1961 5 7"), date(1961, 5, 7));
        assert_eq!(parse_date("1961　5　7"), date(1961, 5, 7));
        assert_eq!(parse_date("昭和36年5月7日"), date(1961, 5, 7));
        assert_eq!(parse_date("S36.5.7"), date(1961, 5, 7));
        assert_eq!(parse_date("昭和 36年 5月 7日"), date(1961, 5, 7));
        assert_eq!(parse_date("1961年05月07日"), date(1961, 5, 7));
    }

    #[test]
    fn a_date_that_cannot_be_read_says_why() {
        assert_eq!(read_date(""), Err(DateProblem::Empty));
        assert_eq!(read_date("  "), Err(DateProblem::Empty));
        assert_eq!(read_date("きのう"), Err(DateProblem::Unreadable));
        assert_eq!(read_date("1961/5"), Err(DateProblem::Unreadable));
        assert_eq!(read_date("2000-02-30"), Err(DateProblem::NoSuchDay));
        assert_eq!(read_date("2001/2/29"), Err(DateProblem::NoSuchDay));
        assert_eq!(read_date("2000/13/1"), Err(DateProblem::NoSuchDay));
        assert_eq!(
            read_date("2000-02-29"),
            Ok(NaiveDate::from_ymd_opt(2000, 2, 29).unwrap())
        );
        assert_eq!(
            read_date("平成元年1月7日"),
            Err(DateProblem::OutsideEra {
                era: "平成",
                first: NaiveDate::from_ymd_opt(1989, 1, 8).unwrap(),
                last: NaiveDate::from_ymd_opt(2019, 4, 30),
            })
        );
        assert!(matches!(
            read_date("令和8年2月30日"),
            Err(DateProblem::NoSuchDay)
        ));
    }

    #[test]
    fn booking_codes_are_unambiguous_and_parse_back() {
        let mut rng = rand::thread_rng();
        for _ in 0..1000 {
            let code = BookingCode::generate(&mut rng);
            assert!(!code.as_str().contains(['0', 'O', '1', 'I', 'L']));
            let typed = code.display().to_lowercase();
            assert_eq!(BookingCode::parse(&typed), Some(code));
        }
        assert_eq!(BookingCode::parse("ABC-DEF-GH0"), None);
        // 31 symbols over 9 places give more than 40 random bits.
        let bits = (BOOKING_CODE_ALPHABET.len() as f64).log2() * BOOKING_CODE_LEN as f64;
        assert!(bits >= 40.0, "{bits}");
    }

    #[test]
    fn contacts_are_checked_at_the_boundary() {
        assert_eq!(
            Email::parse("Taro@Example.JP").map(|e| e.as_str().to_string()),
            Some("Taro@example.jp".to_string())
        );
        assert_eq!(Email::parse("taro@example"), None);
        assert_eq!(Email::parse("taro example@x.jp"), None);
        assert_eq!(
            PhoneNumber::parse("０９０-1234-5678").map(|p| p.digits().to_string()),
            Some("09012345678".to_string())
        );
        assert_eq!(PhoneNumber::parse("12345"), None);
    }

    #[test]
    fn addresses_no_mail_server_takes_are_refused() {
        for refused in [
            "a\u{202E}b@example.jp",
            "a\u{200B}b@example.jp",
            "taro@exa\u{200B}mple.jp",
            "😀@example.jp",
            "<script>@example.jp",
            "\"quoted\"@example.jp",
            "a..b@example.jp",
            ".taro@example.jp",
            "taro@example",
            "taro@-example.jp",
            "taro@@example.jp",
            "たろう@example.jp",
            "taro@example.jp\n",
        ] {
            assert_eq!(Email::parse(refused), None, "{refused:?}");
        }
        for taken in [
            "taro@example.jp",
            "taro.yamada+mynumber@example.co.jp",
            "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        ] {
            assert!(Email::parse(taken).is_some(), "{taken}");
        }
    }

    #[test]
    fn one_normal_form_for_comparing_contacts() {
        let key = |text: &str| Email::parse(text).map(|e| e.key());
        assert_eq!(key("Taro@Example.JP"), key("taro@example.jp"));
        assert_eq!(
            key("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            key("taro@example.jp")
        );
        let phone = |text: &str| PhoneNumber::parse(text).map(|p| p.key().to_string());
        assert_eq!(
            phone("０９０－１２３４－５６７８"),
            Some("09012345678".into())
        );
        assert_eq!(phone("+81 90 1234 5678"), Some("09012345678".into()));
        assert_eq!(phone("(090) 1234 5678"), Some("09012345678".into()));
        assert_eq!(phone("+1 415 555 2671"), Some("+14155552671".into()));
    }

    #[test]
    fn phone_numbers_are_grouped_for_reading_aloud() {
        let shown = |text: &str| PhoneNumber::parse(text).map(|p| p.display().to_string());
        assert_eq!(shown("09012345678"), Some("090-1234-5678".into()));
        assert_eq!(shown("0120000000"), Some("0120-000-000".into()));
        assert_eq!(shown("0312345678"), Some("03-1234-5678".into()));
        assert_eq!(shown("0466123456"), Some("0466-12-3456".into()));
        assert_eq!(shown("+14155552671"), Some("+1 415-555-2671".into()));
        assert_eq!(shown("0000000000"), None);
    }
}
