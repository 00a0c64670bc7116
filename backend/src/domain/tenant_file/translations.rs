//! The city's texts in the languages beyond Japanese and English, and the order each falls
//! back in, as the tenant file writes them: checked, applied and exported.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::PgConnection;
use madoguchi_frontend::i18n::Lang;

use super::file::{TenantFile, Translations};
use crate::db::city_text::{CityText, Fallback};
use crate::domain::city_texts::{
    parse_fallbacks, CITY_FIELDS, LOCATION_FIELDS, PROCEDURE_FIELDS, TRANSLATED,
};

/// The longest text a city may write in one field (as its Japanese notice).
const MAX_CHARS: usize = 1000;

/// What a text belongs to, by code.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Owner {
    City,
    Procedure(String),
    Location(String),
}

/// The file's translations, checked.
#[derive(Default)]
pub(super) struct TranslationPlan {
    /// (owner, language, field) → text
    texts: BTreeMap<(Owner, String, String), String>,
    /// language → stored order (`en,ja`)
    fallbacks: BTreeMap<String, String>,
}

fn is_translated(code: &str) -> bool {
    TRANSLATED.iter().any(|l| l.code() == code)
}

/// Checks one item's translations into `plan`, naming each problem by its place.
fn plan_item(
    path: &str,
    owner: Owner,
    fields: &[&str],
    translations: &Translations,
    plan: &mut TranslationPlan,
    errors: &mut Vec<String>,
) {
    for (lang, texts) in translations {
        if !is_translated(lang) {
            let codes: Vec<&str> = TRANSLATED.iter().map(|l| l.code()).collect();
            errors.push(format!(
                "{path}.translations: \"{lang}\" is not one of {}",
                codes.join(", ")
            ));
            continue;
        }
        for (field, text) in texts {
            let place = format!("{path}.translations.{lang}.{field}");
            if !fields.contains(&field.as_str()) {
                errors.push(format!(
                    "{place}: only {} may be translated",
                    fields.join(", ")
                ));
                continue;
            }
            let one_line = field == "name";
            let text = text.trim().replace("\r\n", "\n");
            if text
                .chars()
                .any(|c| c.is_control() && (one_line || !matches!(c, '\n' | '\t')))
            {
                errors.push(format!("{place}: contains a control character"));
            } else if text.chars().count() > MAX_CHARS {
                errors.push(format!("{place}: longer than {MAX_CHARS} characters"));
            } else if !text.is_empty() {
                plan.texts
                    .insert((owner.clone(), lang.clone(), field.clone()), text);
            }
        }
    }
}

pub(super) fn plan(file: &TenantFile, errors: &mut Vec<String>) -> TranslationPlan {
    let mut plan = TranslationPlan::default();
    plan_item(
        "texts",
        Owner::City,
        &CITY_FIELDS,
        &file.texts.translations,
        &mut plan,
        errors,
    );
    for (i, p) in file.procedures.iter().enumerate() {
        plan_item(
            &format!("procedures[{i}]"),
            Owner::Procedure(p.code.clone()),
            &PROCEDURE_FIELDS,
            &p.translations,
            &mut plan,
            errors,
        );
    }
    for (i, l) in file.locations.iter().enumerate() {
        plan_item(
            &format!("locations[{i}]"),
            Owner::Location(l.code.clone()),
            &LOCATION_FIELDS,
            &l.translations,
            &mut plan,
            errors,
        );
    }
    for (lang, order) in &file.fallbacks {
        let place = format!("fallbacks.{lang}");
        if !is_translated(lang) {
            errors.push(format!(
                "{place}: \"{lang}\" has no order of its own to set"
            ));
            continue;
        }
        let mut seen = BTreeSet::new();
        for (i, code) in order.iter().enumerate() {
            let known = Lang::from_code(code).filter(|l| l.code() != lang);
            if known.is_none() {
                errors.push(format!("{place}: \"{code}\" is not another language"));
            } else if !seen.insert(code.as_str()) {
                errors.push(format!("{place}: \"{code}\" appears twice"));
            } else if code == "ja" && i + 1 != order.len() {
                errors.push(format!("{place}: \"ja\" ends the order"));
            }
        }
        let stored: Vec<&str> = parse_fallbacks(&order.join(","))
            .into_iter()
            .map(Lang::code)
            .collect();
        plan.fallbacks.insert(lang.clone(), stored.join(","));
    }
    plan
}

fn owner_label(owner: &Owner) -> String {
    match owner {
        Owner::City => "city".into(),
        Owner::Procedure(code) => format!("procedure {code}"),
        Owner::Location(code) => format!("location {code}"),
    }
}

/// Makes the stored texts and orders those of the plan, one change line per difference.
pub(super) fn apply(
    conn: &mut PgConnection,
    tenant_id: i64,
    plan: &TranslationPlan,
    procedure_ids: &HashMap<String, i64>,
    location_ids: &HashMap<String, i64>,
    changes: &mut Vec<String>,
) -> diesel::QueryResult<()> {
    let procedure_codes: HashMap<i64, &String> =
        procedure_ids.iter().map(|(code, id)| (*id, code)).collect();
    let location_codes: HashMap<i64, &String> =
        location_ids.iter().map(|(code, id)| (*id, code)).collect();
    let stored: BTreeMap<(Owner, String, String), String> =
        CityText::of_tenant(conn, tenant_id, None)?
            .into_iter()
            .filter_map(|row| {
                let owner = match (row.procedure_id, row.location_id) {
                    (Some(id), _) => Owner::Procedure(procedure_codes.get(&id)?.to_string()),
                    (None, Some(id)) => Owner::Location(location_codes.get(&id)?.to_string()),
                    (None, None) => Owner::City,
                };
                Some(((owner, row.lang, row.field), row.body))
            })
            .collect();
    if stored != plan.texts {
        for (key, text) in &plan.texts {
            let (owner, lang, field) = key;
            match stored.get(key) {
                None => changes.push(format!("+ {} {field} in {lang}", owner_label(owner))),
                Some(old) if old != text => {
                    changes.push(format!("~ {} {field} in {lang}", owner_label(owner)))
                }
                Some(_) => {}
            }
        }
        for (owner, lang, field) in stored.keys().filter(|k| !plan.texts.contains_key(*k)) {
            changes.push(format!("- {} {field} in {lang}", owner_label(owner)));
        }
        let rows: Vec<CityText> = plan
            .texts
            .iter()
            .map(|((owner, lang, field), body)| CityText {
                tenant_id,
                lang: lang.clone(),
                procedure_id: match owner {
                    Owner::Procedure(code) => procedure_ids.get(code).copied(),
                    _ => None,
                },
                location_id: match owner {
                    Owner::Location(code) => location_ids.get(code).copied(),
                    _ => None,
                },
                field: field.clone(),
                body: body.clone(),
            })
            .collect();
        CityText::replace_all(conn, tenant_id, &rows)?;
    }
    let stored: BTreeMap<String, String> = Fallback::of_tenant(conn, tenant_id, None)?
        .into_iter()
        .map(|f| (f.lang, f.fallbacks))
        .collect();
    if stored != plan.fallbacks {
        for (lang, order) in &plan.fallbacks {
            if stored.get(lang) != Some(order) {
                changes.push(format!("~ fallbacks {lang}: {order}"));
            }
        }
        for lang in stored.keys().filter(|l| !plan.fallbacks.contains_key(*l)) {
            changes.push(format!("- fallbacks {lang} (back to the default)"));
        }
        let rows: Vec<Fallback> = plan
            .fallbacks
            .iter()
            .map(|(lang, order)| Fallback {
                tenant_id,
                lang: lang.clone(),
                fallbacks: order.clone(),
            })
            .collect();
        Fallback::replace_all(conn, tenant_id, &rows)?;
    }
    Ok(())
}

/// The city's stored translations, per owner, as the file writes them.
pub(super) struct Exported {
    pub(super) city: Translations,
    pub(super) procedures: HashMap<i64, Translations>,
    pub(super) locations: HashMap<i64, Translations>,
    pub(super) fallbacks: BTreeMap<String, Vec<String>>,
}

pub(super) fn export(conn: &mut PgConnection, tenant_id: i64) -> diesel::QueryResult<Exported> {
    let mut exported = Exported {
        city: Translations::new(),
        procedures: HashMap::new(),
        locations: HashMap::new(),
        fallbacks: BTreeMap::new(),
    };
    for row in CityText::of_tenant(conn, tenant_id, None)? {
        let translations = match (row.procedure_id, row.location_id) {
            (Some(id), _) => exported.procedures.entry(id).or_default(),
            (None, Some(id)) => exported.locations.entry(id).or_default(),
            (None, None) => &mut exported.city,
        };
        translations
            .entry(row.lang)
            .or_default()
            .insert(row.field, row.body);
    }
    for f in Fallback::of_tenant(conn, tenant_id, None)? {
        let order = f.fallbacks.split(',').map(str::to_string).collect();
        exported.fallbacks.insert(f.lang, order);
    }
    Ok(exported)
}
