//! A booking as an iCalendar file (RFC 5545), for "add to my calendar" and e-mails.

use chrono::{DateTime, Utc};

pub struct CalendarEvent<'a> {
    /// Unique and stable for the booking, so re-importing updates the same event.
    pub uid: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub cancelled: bool,
}

/// Text values escape backslash, semicolon, comma and line breaks (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded with CRLF + space, never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

pub fn render(event: &CalendarEvent) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Madoguchi//Counter booking//JA".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        format!(
            "METHOD:{}",
            if event.cancelled { "CANCEL" } else { "PUBLISH" }
        ),
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", event.uid),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("DTSTART:{}", utc(event.starts_at)),
        format!("DTEND:{}", utc(event.ends_at)),
        format!("SUMMARY:{}", escape(event.summary)),
        format!("LOCATION:{}", escape(event.location)),
        format!("DESCRIPTION:{}", escape(event.description)),
        format!(
            "STATUS:{}",
            if event.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    lines.iter().map(|line| fold(line) + "\r\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_event_has_utc_times_escaped_text_and_folded_lines() {
        let at = |h| {
            Utc.with_ymd_and_hms(2026, 12, 3, h, 15, 0)
                .single()
                .unwrap()
        };
        let description = "予約番号 ABC-DEF-GHJ\n交付通知書、本人確認書類、通知カードまたは住民基本台帳カード（お持ちの方）をお持ちください。";
        let text = render(&CalendarEvent {
            uid: "ABCDEFGHJ@demo.madoguchi".into(),
            starts_at: at(1),
            ends_at: at(2),
            stamp: at(0),
            summary: "マイナンバーカードの受け取り（交付）",
            location: "デモ市役所, 本町1-1-1",
            description,
            cancelled: false,
        });
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("DTSTART:20261203T011500Z\r\n"));
        assert!(text.contains("LOCATION:デモ市役所\\, 本町1-1-1\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
        }
        // Unfolding gives back the escaped description whole.
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", escape(description))));
    }
}
