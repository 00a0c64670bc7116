//! The message catalogue: one TOML file per language under `locales/`, the same keys in
//! each. Adding a language is adding a file (and a `Lang`).

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

type Catalogue = HashMap<String, String>;

fn load(text: &str) -> Catalogue {
    // The files are part of the build; a broken one fails the catalogue test.
    toml::from_str(text).unwrap_or_default()
}

static JA: LazyLock<Catalogue> = LazyLock::new(|| load(include_str!("../locales/ja.toml")));
static EN: LazyLock<Catalogue> = LazyLock::new(|| load(include_str!("../locales/en.toml")));

fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// The text of `key`; the key itself when it is missing, so a gap shows but never breaks a page.
pub fn t(lang: Lang, key: &str) -> String {
    catalogue(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// The text of `key` with `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(lang, key), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let mut ja: Vec<&String> = JA.keys().collect();
        let mut en: Vec<&String> = EN.keys().collect();
        ja.sort();
        en.sort();
        assert!(ja.len() > 40, "the Japanese catalogue did not load");
        assert_eq!(ja, en);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            tf(Lang::En, "time_places_left", &[("n", "3")]),
            "3 places left"
        );
        assert_eq!(tf(Lang::Ja, "time_places_left", &[("n", "3")]), "残り3人");
    }
}
