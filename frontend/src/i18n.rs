//! The message catalogue: one Project Fluent file per language under `locales/`, the same
//! messages with the same variables in each. Plural forms are the language's own, written in
//! the file (`{ $n -> [one] … *[other] … }`). Adding a language is adding a file (and a
//! `Lang`).

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Ja,
    /// やさしい日本語: short sentences and everyday words, for readers of Japanese as a
    /// second language.
    JaEasy,
    En,
    PtBr,
    Vi,
    ZhHans,
    Ko,
    Tl,
}

impl Lang {
    /// Every language of the pages, in the order the language switch lists them.
    pub const ALL: [Lang; 8] = [
        Lang::Ja,
        Lang::JaEasy,
        Lang::En,
        Lang::PtBr,
        Lang::Vi,
        Lang::ZhHans,
        Lang::Ko,
        Lang::Tl,
    ];

    /// The code in addresses (`lang=`), in the cookie and on bookings.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::JaEasy => "ja-easy",
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
            Lang::Vi => "vi",
            Lang::ZhHans => "zh-Hans",
            Lang::Ko => "ko",
            Lang::Tl => "tl",
        }
    }

    /// The page's `lang` attribute: やさしい日本語 is Japanese to a screen reader.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::JaEasy => "ja",
            other => other.code(),
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code().eq_ignore_ascii_case(code))
    }

    /// The language's name in itself, as the language switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::JaEasy => "やさしい にほんご",
            Lang::En => "English",
            Lang::PtBr => "Português (Brasil)",
            Lang::Vi => "Tiếng Việt",
            Lang::ZhHans => "简体中文",
            Lang::Ko => "한국어",
            Lang::Tl => "Tagalog",
        }
    }

    /// Whether the city's Japanese texts are the ones to show (else its English ones).
    pub fn reads_japanese(self) -> bool {
        matches!(self, Lang::Ja | Lang::JaEasy)
    }

    /// Of a city's text in Japanese and in English, the one for readers of this language:
    /// the Japanese for readers of Japanese, the English (where there is one) for the others.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        if self.reads_japanese() || en.is_empty() {
            ja
        } else {
            en
        }
    }

    /// The language whose messages stand in for those this one lacks (the console's).
    pub fn fallback(self) -> Option<Lang> {
        match self {
            Lang::Ja | Lang::En => None,
            Lang::JaEasy => Some(Lang::Ja),
            _ => Some(Lang::En),
        }
    }

    /// The language a browser's `Accept-Language` prefers most among ours (`q=0` refuses
    /// one; a regional tag like `en-GB` matches its language).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            let (Some(weight), Some(lang)) = (weight, Lang::of_tag(tag)) else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(b, _)| weight > b) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// Ours for a BCP 47 tag, by its language (Chinese only in simplified characters;
    /// Filipino is Tagalog).
    fn of_tag(tag: &str) -> Option<Lang> {
        let tag = tag.to_ascii_lowercase().replace('_', "-");
        let mut subtags = tag.split('-');
        match (subtags.next().unwrap_or_default(), subtags.next()) {
            ("ja", _) => Some(Lang::Ja),
            ("en", _) => Some(Lang::En),
            ("pt", _) => Some(Lang::PtBr),
            ("vi", _) => Some(Lang::Vi),
            ("zh", None | Some("cn" | "sg" | "hans")) => Some(Lang::ZhHans),
            ("ko", _) => Some(Lang::Ko),
            ("tl" | "fil", _) => Some(Lang::Tl),
            _ => None,
        }
    }
}

/// A language's messages, shared by every request (the concurrent memoizer makes it `Sync`).
type Bundle = FluentBundle<FluentResource>;

/// The messages of one language: those of the resident pages and mail, which every
/// language has, and those of the staff console and of the formal documents (the
/// accessibility report and the policies), which Japanese and English have.
struct Files {
    resident: &'static str,
    console: Option<&'static str>,
    documents: Option<&'static str>,
}

fn files(lang: Lang) -> Files {
    let resident_only = |resident| Files {
        resident,
        console: None,
        documents: None,
    };
    match lang {
        Lang::Ja => Files {
            resident: include_str!("../locales/ja/resident.ftl"),
            console: Some(include_str!("../locales/ja/console.ftl")),
            documents: Some(include_str!("../locales/ja/documents.ftl")),
        },
        Lang::En => Files {
            resident: include_str!("../locales/en/resident.ftl"),
            console: Some(include_str!("../locales/en/console.ftl")),
            documents: Some(include_str!("../locales/en/documents.ftl")),
        },
        Lang::JaEasy => resident_only(include_str!("../locales/ja-easy/resident.ftl")),
        Lang::PtBr => resident_only(include_str!("../locales/pt-BR/resident.ftl")),
        Lang::Vi => resident_only(include_str!("../locales/vi/resident.ftl")),
        Lang::ZhHans => resident_only(include_str!("../locales/zh-Hans/resident.ftl")),
        Lang::Ko => resident_only(include_str!("../locales/ko/resident.ftl")),
        Lang::Tl => resident_only(include_str!("../locales/tl/resident.ftl")),
    }
}

fn load(lang: Lang) -> Bundle {
    // Plural rules and number forms come from the language tag.
    let id: LanguageIdentifier = lang.html_lang().parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // Pages and mail are plain text and HTML without bidirectional text: no isolation marks
    // around the values.
    bundle.set_use_isolating(false);
    let files = files(lang);
    for text in std::iter::once(files.resident)
        .chain(files.console)
        .chain(files.documents)
    {
        // The files are part of the build; a broken entry fails the catalogue tests, and
        // the entries around it still load.
        let resource =
            FluentResource::try_new(text.to_string()).unwrap_or_else(|(partial, _errors)| partial);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| Lang::ALL.into_iter().map(load).collect());

fn bundle(lang: Lang) -> &'static Bundle {
    let place = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    &BUNDLES[place]
}

fn format(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    // A language without the console's messages shows them in its fallback language.
    let mut tried = Some(lang);
    while let Some(lang) = tried {
        let bundle = bundle(lang);
        if let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned();
        }
        tried = lang.fallback();
    }
    key.to_string()
}

/// The text of `key`; the key itself when it is missing, so a gap shows but never breaks a page.
pub fn t(lang: Lang, key: &str) -> String {
    format(lang, key, None)
}

/// The text of `key` with its variables filled. A value written as a whole number is given
/// as a number, so that the language's plural forms choose the words (1 place, 2 places).
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        match whole_number(value) {
            Some(number) => fluent.set(*name, FluentValue::from(number)),
            None => fluent.set(*name, *value),
        }
    }
    format(lang, key, Some(&fluent))
}

/// `value` as a number when it is one written plainly (no sign, no leading zero: a phone
/// number or a code stays text).
fn whole_number(value: &str) -> Option<i64> {
    let plain = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    plain.then(|| value.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    use super::*;

    fn inline_variables(expression: &InlineExpression<&str>, found: &mut BTreeSet<String>) {
        match expression {
            InlineExpression::VariableReference { id } => {
                found.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => variables_of(expression, found),
            InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline_variables(argument, found);
                }
                for argument in &arguments.named {
                    inline_variables(&argument.value, found);
                }
            }
            _ => {}
        }
    }

    fn variables_of(expression: &Expression<&str>, found: &mut BTreeSet<String>) {
        match expression {
            Expression::Inline(inline) => inline_variables(inline, found),
            Expression::Select { selector, variants } => {
                inline_variables(selector, found);
                for variant in variants {
                    pattern_variables(&variant.value, found);
                }
            }
        }
    }

    fn pattern_variables(pattern: &Pattern<&str>, found: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                variables_of(expression, found);
            }
        }
    }

    /// Every message of a file with the variables it uses.
    fn messages(text: &'static str) -> BTreeMap<String, BTreeSet<String>> {
        let resource = FluentResource::try_new(text.to_string())
            .unwrap_or_else(|(_, errors)| panic!("the file does not parse: {errors:?}"));
        resource
            .entries()
            .filter_map(|entry| match entry {
                Entry::Message(message) => {
                    let mut found = BTreeSet::new();
                    if let Some(value) = &message.value {
                        pattern_variables(value, &mut found);
                    }
                    Some((message.id.name.to_string(), found))
                }
                _ => None,
            })
            .collect()
    }

    /// Every message of `reference` is in `text`, and no other. Where Japanese and English
    /// fill a message with the same values, every language uses exactly those (a
    /// translation never drops the phone number); where they differ (date patterns take the
    /// month's number or its name), a language uses some of them and no others.
    fn same_messages(
        japanese: &BTreeMap<String, BTreeSet<String>>,
        english: &BTreeMap<String, BTreeSet<String>>,
        lang: Lang,
        text: &'static str,
    ) {
        let found = messages(text);
        let missing: Vec<&String> = japanese
            .keys()
            .filter(|k| !found.contains_key(*k))
            .collect();
        let extra: Vec<&String> = found
            .keys()
            .filter(|k| !japanese.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang:?}: missing {missing:?}, extra {extra:?}"
        );
        for (key, ja) in japanese {
            let en = english.get(key).unwrap_or(ja);
            let used = &found[key];
            if ja == en {
                assert_eq!(used, ja, "{lang:?}: the variables of {key}");
            } else {
                let known: BTreeSet<&String> = ja.union(en).collect();
                assert!(
                    used.iter().all(|v| known.contains(v)),
                    "{lang:?}: {key} uses {used:?}, not among {known:?}"
                );
            }
        }
    }

    #[test]
    fn every_language_has_every_message_with_the_same_variables() {
        let resident = messages(files(Lang::Ja).resident);
        let console = messages(files(Lang::Ja).console.unwrap());
        let resident_en = messages(files(Lang::En).resident);
        let console_en = messages(files(Lang::En).console.unwrap());
        let documents = messages(files(Lang::Ja).documents.unwrap());
        let documents_en = messages(files(Lang::En).documents.unwrap());
        let in_documents: Vec<&String> = documents
            .keys()
            .filter(|k| resident.contains_key(*k) || console.contains_key(*k))
            .collect();
        assert!(in_documents.is_empty(), "in two files: {in_documents:?}");
        assert!(resident.len() > 40, "the Japanese catalogue did not load");
        let shared: Vec<&String> = resident
            .keys()
            .filter(|k| console.contains_key(*k))
            .collect();
        assert!(shared.is_empty(), "in both files: {shared:?}");
        for lang in Lang::ALL {
            let files = files(lang);
            same_messages(&resident, &resident_en, lang, files.resident);
            if let Some(text) = files.console {
                same_messages(&console, &console_en, lang, text);
            }
            if let Some(text) = files.documents {
                same_messages(&documents, &documents_en, lang, text);
            }
        }
        assert!(
            files(Lang::En).console.is_some(),
            "the console is in Japanese and English"
        );
    }

    #[test]
    fn variables_are_filled_and_plurals_follow_the_language() {
        assert_eq!(
            tf(Lang::En, "time_places_left", &[("n", "3")]),
            "3 places left"
        );
        assert_eq!(
            tf(Lang::En, "time_places_left", &[("n", "1")]),
            "1 place left"
        );
        assert_eq!(tf(Lang::Ja, "time_places_left", &[("n", "1")]), "残り1人");
        assert_eq!(t(Lang::En, "no_such_message"), "no_such_message");
    }

    #[test]
    fn numbers_choose_a_variant() {
        let at = |lang, minute: &str| {
            tf(
                lang,
                "deadline_at",
                &[
                    ("day", "D"),
                    ("time", "17:05"),
                    ("hour", "17"),
                    ("minute", minute),
                ],
            )
        };
        assert_eq!(at(Lang::Ja, "0"), "D17時");
        assert_eq!(at(Lang::Ja, "30"), "D17時30分");
        assert_eq!(at(Lang::En, "30"), "17:05 on D");
    }

    #[test]
    fn the_browser_language_is_matched_by_preference() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, ja;q=0.8"),
            Some(Lang::Ja)
        );
        assert_eq!(
            Lang::from_accept_language("ja;q=0, en-GB;q=0.1"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language("JA-jp"), Some(Lang::Ja));
        assert_eq!(
            Lang::from_accept_language("pt-BR,pt;q=0.9"),
            Some(Lang::PtBr)
        );
        assert_eq!(Lang::from_accept_language("zh-TW,en;q=0.5"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("zh-CN"), Some(Lang::ZhHans));
        assert_eq!(Lang::from_accept_language("fil-PH"), Some(Lang::Tl));
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }

    #[test]
    fn codes_and_phone_numbers_stay_text() {
        assert_eq!(whole_number("12"), Some(12));
        assert_eq!(whole_number("0"), Some(0));
        assert_eq!(whole_number("090"), None);
        assert_eq!(whole_number("-3"), None);
        assert_eq!(whole_number("12a"), None);
    }
}
