//! Text bound for a spreadsheet (CSV and .xlsx exports): a cell that a spreadsheet program
//! would read as a formula (`=HYPERLINK(…)`, `+1+1`, `-2`, `@SUM(…)`, or one of those after
//! a tab or line break) is written with a leading apostrophe, which the program shows as
//! text. OWASP's advice for CSV injection; every export goes through `cell`.

/// The cell's text as a spreadsheet will show it, never evaluate it.
pub fn cell(text: &str) -> String {
    if would_evaluate(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Cells of one row.
pub fn row<S: AsRef<str>>(values: &[S]) -> Vec<String> {
    values.iter().map(|v| cell(v.as_ref())).collect()
}

pub fn would_evaluate(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '＝' | '＋' | '－' | '＠')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_ordinary_values_stay() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
            "＝1+1",
        ] {
            assert!(cell(formula).starts_with('\''), "{formula:?}");
        }
        for value in [
            "ABC-DEF-GHJ",
            "2026-12-01 10:00",
            "山田　花子",
            "090-1234-5678",
            "",
        ] {
            assert_eq!(cell(value), value);
        }
    }
}
