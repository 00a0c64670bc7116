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

/// A date written in 西暦 (`2026/1/5`, `2026-01-05`, `2026年1月5日`) or 和暦
/// (`令和8年1月5日`, `R8.1.5`, `平成元年1月8日`); `None` when it is not a real date.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let folded = fold_width(input).replace(' ', "");
    let (era_start, rest) = match ERAS.iter().find_map(|(name, initial, start)| {
        folded
            .strip_prefix(name)
            .or_else(|| folded.strip_prefix(*initial))
            .or_else(|| folded.strip_prefix(initial.to_ascii_lowercase()))
            .map(|rest| (Some(*start), rest))
    }) {
        Some(found) => found,
        None => (None, folded.as_str()),
    };
    let rest = rest.replacen("元", "1", 1);
    let parts: Vec<&str> = rest
        .split(['/', '-', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    if ![year, month, day]
        .iter()
        .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (year, month, day): (i32, u32, u32) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    match era_start {
        None => {
            if !(1800..=9999).contains(&year) {
                return None;
            }
            NaiveDate::from_ymd_opt(year, month, day)
        }
        Some((start_year, start_month, start_day)) => {
            // No era has lasted a hundred years; R8887 is a typing slip, not year 10905.
            if !(1..=99).contains(&year) {
                return None;
            }
            let date = NaiveDate::from_ymd_opt(start_year + year - 1, month, day)?;
            let start = NaiveDate::from_ymd_opt(start_year, start_month, start_day)?;
            // An era date must fall inside its era: 平成31年5月1日 does not exist.
            let next_start = ERAS
                .iter()
                .filter_map(|(_, _, (y, m, d))| NaiveDate::from_ymd_opt(*y, *m, *d))
                .filter(|d| *d > start)
                .min();
            let inside = date >= start && next_start.is_none_or(|next| date < next);
            inside.then_some(date)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Option<Email> {
        let address = fold_width(input);
        let (local, domain) = address.rsplit_once('@')?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && address.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !address.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        valid.then(|| Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Digits with optional hyphens, spaces or brackets, 10 to 15 digits (`090-1234-5678`).
    pub fn parse(input: &str) -> Option<PhoneNumber> {
        let folded = fold_width(input);
        let digits: String = folded.chars().filter(|c| c.is_ascii_digit()).collect();
        let only_phone_chars = folded
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '+'));
        (only_phone_chars && (10..=15).contains(&digits.len())).then_some(PhoneNumber(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
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
}
