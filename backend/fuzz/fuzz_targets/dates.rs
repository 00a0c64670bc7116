//! Any text as a date typed by a person (西暦 or 和暦): parsing must never panic, and a date
//! it accepts must read back the same when written in 西暦.
#![no_main]

use libfuzzer_sys::fuzz_target;
use madoguchi::domain::input::parse_date;

fuzz_target!(|text: &str| {
    if let Some(date) = parse_date(text) {
        let written = date.format("%Y/%m/%d").to_string();
        assert_eq!(parse_date(&written), Some(date), "{text:?} → {written}");
    }
});
