//! Any bytes as a J-LIS card file: reading it must never panic, and every problem it
//! reports must name a line that exists in the file.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use madoguchi::domain::card_import::check_file;

fuzz_target!(|data: &[u8]| {
    let locations = HashMap::from([("0101".to_string(), 1), ("0102".to_string(), 2)]);
    let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    for problem in check_file(data, &locations) {
        assert!(problem.line <= lines, "line {} of {lines}", problem.line);
        let _ = problem.message(madoguchi_frontend::i18n::Lang::En);
    }
});
