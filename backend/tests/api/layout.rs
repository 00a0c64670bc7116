//! The layout rules that keep the code easy to find one's way in (docs/architecture.md):
//! SQL stays out of the HTTP layer, and statuses are written only in their enum's file.

use std::path::{Path, PathBuf};

use madoguchi::db::kinds::{BookingStatus, CardStatus, MailStatus};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// A file's text without its `//` comments, which may name anything.
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("source file")
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn http_handlers_never_use_the_schema() {
    let offenders: Vec<String> = rust_files(&root().join("backend/src/http"))
        .into_iter()
        .filter(|path| {
            let code = code_of(path);
            code.contains("schema::") || code.contains("sql_query")
        })
        .map(|path| shown(&path))
        .collect();
    assert!(
        offenders.is_empty(),
        "these HTTP files reach the database's tables themselves; move the query into db/ \
         or a domain service: {offenders:?}"
    );
}

#[test]
fn status_words_are_written_only_in_their_enums_file() {
    let words: Vec<&str> = BookingStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .chain(CardStatus::ALL.iter().map(|s| s.as_str()))
        .chain(MailStatus::ALL.iter().map(|s| s.as_str()))
        .collect();
    let home = root().join("backend/src/db/kinds.rs");
    let mut offenders = Vec::new();
    for dir in ["backend/src", "frontend/src"] {
        for path in rust_files(&root().join(dir)) {
            if path == home {
                continue;
            }
            let code = code_of(&path);
            for word in &words {
                // A Rust string, or a quoted value inside SQL text.
                for literal in [format!("\"{word}\""), format!("'{word}'")] {
                    if code.contains(&literal) {
                        offenders.push(format!("{} writes {literal}", shown(&path)));
                    }
                }
            }
        }
    }
    offenders.sort();
    offenders.dedup();
    assert!(
        offenders.is_empty(),
        "status words belong to the enums in backend/src/db/kinds.rs; name the variant \
         (or bind it into SQL) instead:\n{}",
        offenders.join("\n")
    );
}

/// Every refusal of input names a catalogue message, which exists in every language: no
/// message is written inline where the error is raised.
#[test]
fn refusals_of_input_say_why_from_the_catalogue() {
    let mut keys = Vec::new();
    let mut inline = Vec::new();
    // error.rs defines the two constructors, passing the key on.
    let files = rust_files(&root().join("backend/src"))
        .into_iter()
        .filter(|path| !path.ends_with("error.rs"));
    for path in files {
        let code = code_of(&path);
        for (at, _) in code.match_indices("AppError::invalid") {
            let call = &code[at..];
            let args = call.split_once('(').map(|(_, rest)| rest).unwrap_or("");
            // The message is the second argument: a string literal naming the key.
            let second = args.split_once(',').map(|(_, rest)| rest.trim_start());
            match second
                .and_then(|s| s.strip_prefix('"'))
                .and_then(|s| s.split_once('"'))
            {
                Some((key, _)) => keys.push((shown(&path), key.to_string())),
                None => inline.push(shown(&path)),
            }
        }
    }
    assert!(
        inline.is_empty(),
        "these files raise AppError::invalid with a message that is not a catalogue key: \
         {inline:?}"
    );
    assert!(
        keys.len() > 30,
        "the scan found the refusals ({})",
        keys.len()
    );
    for lang in [
        madoguchi_frontend::i18n::Lang::Ja,
        madoguchi_frontend::i18n::Lang::En,
    ] {
        for (file, key) in &keys {
            assert_ne!(
                madoguchi_frontend::i18n::t(lang, key),
                *key,
                "{file} names the message {key}, which the {lang:?} catalogue lacks"
            );
        }
    }
}
