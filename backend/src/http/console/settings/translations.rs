//! The city's own texts in one language beyond Japanese and English: the start page's
//! notice and banner, each procedure's name and notes, each counter's name, address and
//! access, and the languages that stand in for a text left empty. Changed with a preview
//! as every setting is; the Japanese text is shown beside each field to translate from.

use std::collections::HashMap;

use actix_web::HttpResponse;
use madoguchi_frontend::i18n::{tf, Lang};
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};
use madoguchi_frontend::view_models::FieldError;

use super::flow::{form_page, preview_or_save, Decision, Shown, TextRule};
use crate::domain::city_texts::{
    default_fallbacks, CITY_FIELDS, LOCATION_FIELDS, PROCEDURE_FIELDS, TRANSLATED,
};
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::domain::tenant_file::{TenantFile, Translations};
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::{Outcome, PageRequest, Posted};

const TEXT_MAX_CHARS: usize = 1000;
/// How many languages an administrator may put before Japanese.
const FALLBACK_PLACES: [&str; 2] = ["fallback_1", "fallback_2"];

/// The form as typed: a field per text (`procedure-CODE-name`, …) and the fallbacks.
#[derive(serde::Deserialize, Default, Clone)]
pub struct TranslationsForm {
    #[serde(flatten)]
    decision: Decision,
    #[serde(flatten)]
    typed: HashMap<String, String>,
}

/// One field of the form: where it is kept in the file and the Japanese it translates.
struct Field {
    id: String,
    label: String,
    japanese: String,
    one_line: bool,
    /// Which item's translations hold it, and the field's name there.
    place: Place,
    name: &'static str,
}

#[derive(Clone)]
enum Place {
    City,
    Procedure(usize),
    Location(usize),
}

fn translations_at<'a>(file: &'a mut TenantFile, place: &Place) -> &'a mut Translations {
    match place {
        Place::City => &mut file.texts.translations,
        Place::Procedure(i) => &mut file.procedures[*i].translations,
        Place::Location(i) => &mut file.locations[*i].translations,
    }
}

fn translations_of<'a>(file: &'a TenantFile, place: &Place) -> &'a Translations {
    match place {
        Place::City => &file.texts.translations,
        Place::Procedure(i) => &file.procedures[*i].translations,
        Place::Location(i) => &file.locations[*i].translations,
    }
}

/// Every translatable field of the city, in the order the form shows them.
fn fields(cx: &StaffCx, file: &TenantFile) -> Vec<Field> {
    let mut all = Vec::new();
    for name in CITY_FIELDS {
        let japanese = match name {
            "notice" => &file.texts.notice_ja,
            _ => &file.texts.maintenance_ja,
        };
        all.push(Field {
            id: name.to_string(),
            label: cx.text(&format!("translations_city_{name}")),
            japanese: japanese.clone(),
            one_line: false,
            place: Place::City,
            name,
        });
    }
    for (i, p) in file.procedures.iter().enumerate() {
        for name in PROCEDURE_FIELDS {
            let japanese = if name == "name" {
                &p.name_ja
            } else {
                &p.notes_ja
            };
            all.push(Field {
                id: format!("procedure-{}-{name}", p.code),
                label: tf(
                    cx.lang,
                    &format!("translations_procedure_{name}"),
                    &[("item", &p.name_ja)],
                ),
                japanese: japanese.clone(),
                one_line: name == "name",
                place: Place::Procedure(i),
                name,
            });
        }
    }
    for (i, l) in file.locations.iter().enumerate() {
        for name in LOCATION_FIELDS {
            let japanese = match name {
                "name" => &l.name,
                "address" => &l.address,
                _ => &l.access_ja,
            };
            all.push(Field {
                id: format!("location-{}-{name}", l.code),
                label: tf(
                    cx.lang,
                    &format!("translations_location_{name}"),
                    &[("item", &l.name)],
                ),
                japanese: japanese.clone(),
                one_line: name != "access",
                place: Place::Location(i),
                name,
            });
        }
    }
    all
}

/// The language whose texts the page edits (`text_lang`), of those kept in `city_texts`.
fn chosen_language(cx: &StaffCx) -> Lang {
    cx.param("text_lang")
        .and_then(|code| Lang::from_code(&code))
        .filter(|l| TRANSLATED.contains(l))
        .unwrap_or(Lang::JaEasy)
}

/// The languages that may stand in for `lang`, by their own names; empty: none.
fn fallback_options(cx: &StaffCx, lang: Lang) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), cx.text("translations_no_fallback"))];
    options.extend(
        Lang::ALL
            .into_iter()
            .filter(|l| *l != lang && *l != Lang::Ja)
            .map(|l| (l.code().to_string(), l.own_name().to_string())),
    );
    options
}

/// The languages `file` sets before Japanese for `lang` (the default where it sets none).
fn fallbacks_in(file: &TenantFile, lang: Lang) -> Vec<String> {
    file.fallbacks
        .get(lang.code())
        .cloned()
        .unwrap_or_else(|| {
            default_fallbacks(lang)
                .into_iter()
                .map(|l| l.code().to_string())
                .collect()
        })
        .into_iter()
        .filter(|code| code != "ja")
        .collect()
}

fn page(
    cx: &StaffCx,
    lang: Lang,
    shown: Shown,
    file: &TenantFile,
    values: &HashMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let selector = Form {
        action: cx.console_url("settings/translations"),
        post: false,
        csrf: None,
        inputs: vec![
            Input::hidden("lang", cx.lang.code()),
            Input::Select {
                id: "text_lang".into(),
                label: cx.text("translations_language"),
                options: TRANSLATED
                    .into_iter()
                    .map(|l| (l.code().to_string(), l.own_name().to_string()))
                    .collect(),
                chosen: lang.code().to_string(),
            },
        ],
        submit: cx.text("mail_templates_open"),
        inline: true,
    };
    let lead = vec![
        Block::Form(selector),
        Block::Text(tf(
            cx.lang,
            "translations_lead",
            &[("language", lang.own_name())],
        )),
    ];
    let value = |id: &str| values.get(id).cloned().unwrap_or_default();
    let mut inputs: Vec<Input> = FALLBACK_PLACES
        .iter()
        .map(|id| Input::Select {
            id: id.to_string(),
            label: cx.text(&format!("translations_{id}")),
            options: fallback_options(cx, lang),
            chosen: value(id),
        })
        .collect();
    for field in fields(cx, file) {
        let mut input = if field.one_line {
            Input::text(&field.id, field.label, value(&field.id))
        } else {
            Input::area(&field.id, field.label, value(&field.id))
        };
        if let Input::Text { hint, .. } | Input::Area { hint, .. } = &mut input {
            *hint = (!field.japanese.is_empty()).then(|| {
                tf(
                    cx.lang,
                    "translations_japanese",
                    &[("text", &field.japanese)],
                )
            });
        }
        inputs.push(input.with_error_from(&errors));
    }
    let action = format!("settings/translations?text_lang={}", lang.code());
    form_page(
        cx,
        "translations_title",
        &action,
        lead,
        shown,
        inputs,
        errors,
    )
}

/// The form's values as the file holds them for `lang`.
fn values_of(cx: &StaffCx, file: &TenantFile, lang: Lang) -> HashMap<String, String> {
    let mut values = HashMap::new();
    for (id, code) in FALLBACK_PLACES.iter().zip(fallbacks_in(file, lang)) {
        values.insert(id.to_string(), code);
    }
    for field in fields(cx, file) {
        let text = translations_of(file, &field.place)
            .get(lang.code())
            .and_then(|texts| texts.get(field.name))
            .cloned()
            .unwrap_or_default();
        values.insert(field.id, text);
    }
    values
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let lang = chosen_language(cx);
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let values = values_of(cx, &file, lang);
            page(
                cx,
                lang,
                Shown::reading(&version),
                &file,
                &values,
                Vec::new(),
            )
        })
        .await
}

pub async fn submit(request: Posted<TranslationsForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let lang = chosen_language(cx);
            let (mut file, now) = settings::current(conn, &cx.tenant)?;
            let mut errors = Vec::new();
            let mut values = HashMap::new();
            let allowed: Vec<String> = fallback_options(cx, lang)
                .into_iter()
                .map(|(code, _)| code)
                .collect();
            let mut order = Vec::new();
            for id in FALLBACK_PLACES {
                let code = form.typed.get(id).map(|c| c.trim()).unwrap_or_default();
                if !allowed.iter().any(|a| a == code) {
                    errors.push(crate::http::page::field_error(
                        id,
                        cx.text("translations_fallback_error"),
                    ));
                } else if !code.is_empty() && !order.iter().any(|c: &String| c == code) {
                    order.push(code.to_string());
                }
                values.insert(id.to_string(), code.to_string());
            }
            order.push("ja".to_string());
            let default: Vec<String> = default_fallbacks(lang)
                .into_iter()
                .map(|l| l.code().to_string())
                .collect();
            if order == default {
                file.fallbacks.remove(lang.code());
            } else {
                file.fallbacks.insert(lang.code().to_string(), order);
            }
            for field in fields(cx, &file) {
                let rule = TextRule {
                    max: TEXT_MAX_CHARS,
                    required: false,
                    lines: !field.one_line,
                    message: "texts_error",
                };
                let typed = form.typed.get(&field.id).cloned().unwrap_or_default();
                let text = rule.read(cx, &field.id, &typed, &mut errors);
                let translations = translations_at(&mut file, &field.place);
                let texts = translations.entry(lang.code().to_string()).or_default();
                if text.is_empty() {
                    texts.remove(field.name);
                } else {
                    texts.insert(field.name.to_string(), text.clone());
                }
                if texts.is_empty() {
                    translations.remove(lang.code());
                }
                values.insert(field.id, text);
            }
            if !errors.is_empty() {
                let shown = Shown::refused(&form.decision.version);
                return page(cx, lang, shown, &file, &values, errors);
            }
            let show =
                |cx: &StaffCx, shown: Shown| page(cx, lang, shown, &file, &values, Vec::new());
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &file,
                "settings.translations",
                show,
            )
        })
        .await
}
