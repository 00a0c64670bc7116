//! The archive's CSV dialect: RFC 4180 with a UTF-8 byte-order mark, CRLF line ends, and
//! one distinction plain CSV lacks: an empty unquoted field is NULL (no value), `""` is the
//! empty text. A value a spreadsheet would evaluate as a formula, or one starting with an
//! apostrophe, is written with one leading apostrophe; reading takes exactly one off again,
//! so every value comes back as it was.

pub const BOM: &str = "\u{feff}";

/// One field as written.
pub fn field(value: Option<&str>) -> String {
    let Some(text) = value else {
        return String::new();
    };
    let text = if crate::domain::spreadsheet::would_evaluate(text) || text.starts_with('\'') {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.is_empty() || text.contains(['"', ',', '\r', '\n']) || text.trim() != text {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One record as a line, CRLF included.
pub fn record(values: &[Option<&str>]) -> String {
    let mut line = values
        .iter()
        .map(|v| field(*v))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A record read back, with the line of the file it starts on (1 is the header).
#[derive(Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub values: Vec<Option<String>>,
}

/// Reads a whole file. Errors name the line.
pub fn parse(text: &str) -> Result<Vec<Record>, (usize, &'static str)> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut values = Vec::new();
        loop {
            let value = if chars.peek() == Some(&'"') {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        None => return Err((start, "unclosed_quote")),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            text.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            text.push(c);
                        }
                    }
                }
                if !matches!(chars.peek(), None | Some(',' | '\r' | '\n')) {
                    return Err((line, "text_after_quote"));
                }
                Some(text)
            } else {
                let mut text = String::new();
                while let Some(&c) = chars.peek() {
                    if matches!(c, ',' | '\r' | '\n') {
                        break;
                    }
                    if c == '"' {
                        return Err((line, "quote_inside_field"));
                    }
                    text.push(c);
                    chars.next();
                }
                (!text.is_empty()).then_some(text)
            };
            values.push(value.map(unseal));
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.next() != Some('\n') {
                        return Err((line, "bare_carriage_return"));
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                None => break,
                Some(_) => unreachable!("fields end at a comma or a line end"),
            }
        }
        records.push(Record {
            line: start,
            values,
        });
    }
    Ok(records)
}

fn unseal(text: String) -> String {
    match text.strip_prefix('\'') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_comes_back_as_it_was() {
        let values: Vec<Option<&str>> = vec![
            None,
            Some(""),
            Some("plain"),
            Some("=HYPERLINK(\"x\")"),
            Some("'quoted"),
            Some("-5"),
            Some("a,b"),
            Some("two\r\nlines\nand \"quotes\""),
            Some(" padded "),
            Some("山田 太郎"),
        ];
        let text = format!("{BOM}{}{}", record(&values), record(&[Some("x")]));
        let read = parse(&text).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].line, 4, "the quoted value spans two line breaks");
        let back: Vec<Option<&str>> = read[0].values.iter().map(|v| v.as_deref()).collect();
        assert_eq!(back, values);
    }

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(field(Some("=1+1")), "'=1+1");
        assert_eq!(field(Some("@SUM(A1)")), "'@SUM(A1)");
        assert_eq!(field(None), "");
        assert_eq!(field(Some("")), "\"\"");
    }

    #[test]
    fn broken_quoting_names_its_line() {
        assert_eq!(parse("a\r\n\"b").unwrap_err(), (2, "unclosed_quote"));
        assert_eq!(
            parse("a\r\nb\"c\r\n").unwrap_err(),
            (2, "quote_inside_field")
        );
    }
}
