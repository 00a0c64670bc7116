//! What every settings form does after its fields are read: a preview of the changes the
//! city's tenant file would undergo, or the save, checked against the version previewed
//! and written to the operation log with its before → after lines.

use actix_web::http::StatusCode;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use crate::domain::settings::{self, NotSaved, Preview};
use crate::domain::tenant_file::TenantFile;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::displaced::{self, Choice};
use crate::http::console::notice::Notice;
use crate::http::page::{field_error, Outcome};
use madoguchi_frontend::i18n::tf;

/// The version a form was read at, whether it asks to save, and the choice for the
/// bookings its change displaces: the part every settings form sends.
#[derive(serde::Deserialize, Default, Clone, Debug)]
pub struct Decision {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub step: String,
    #[serde(flatten)]
    pub choice: Choice,
}

/// Where a settings form stands when it is shown again.
pub(super) struct Shown<'a> {
    pub status: StatusCode,
    pub notice: Option<(bool, String)>,
    /// The version its save button will send.
    pub version: &'a str,
    /// What it would do, when this is a preview.
    pub preview: Option<&'a Preview>,
    /// The choice for displaced bookings as sent, and its problems.
    pub choice: Choice,
    pub problems: Vec<FieldError>,
}

impl<'a> Shown<'a> {
    /// The form as the settings stand (version `version`).
    pub fn reading(version: &'a str) -> Shown<'a> {
        Shown {
            status: StatusCode::OK,
            notice: None,
            version,
            preview: None,
            choice: Choice::default(),
            problems: Vec::new(),
        }
    }

    /// The form sent back with problems at its fields.
    pub fn refused(version: &'a str) -> Shown<'a> {
        Shown {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Shown::reading(version)
        }
    }
}

/// A settings form's page: `lead` blocks, the preview when there is one, then the form
/// posting to `action`; problems are summarised at the top and shown at their fields.
pub(super) fn form_page(
    cx: &StaffCx,
    title_key: &str,
    action: &str,
    lead: Vec<Block>,
    mut shown: Shown,
    mut fields: Vec<Input>,
    mut errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    errors.append(&mut shown.problems);
    let mut blocks = lead;
    blocks.extend(preview_blocks(cx, &shown, &mut fields, &errors));
    blocks.push(Block::Form(Form {
        action: cx.console_url(action),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: fields,
        submit: cx.text("settings_check_changes"),
        inline: false,
    }));
    if errors.is_empty() {
        cx.page(shown.status, title_key, shown.notice, blocks)
    } else {
        cx.page_with_errors(title_key, errors, blocks)
    }
}

/// Previews `wanted` (the city's file as the form would make it), or saves it when the
/// form asked to (`step` = `save`), the settings are still at the version read, and the
/// bookings it displaces are those listed and decided on. `show` draws the form again;
/// `action` names the save in the operation log.
pub(super) fn preview_or_save(
    conn: &mut PgConnection,
    cx: &StaffCx,
    decision: &Decision,
    now: &str,
    wanted: &TenantFile,
    action: &str,
    show: impl Fn(&StaffCx, Shown) -> Result<Outcome, AppError>,
) -> Result<Outcome, AppError> {
    let again = |conn: &mut PgConnection,
                 status: StatusCode,
                 notice: Option<(bool, String)>,
                 problems: Vec<FieldError>| {
        // What the form would change now, against the settings as they stand.
        let preview = settings::preview(conn, &cx.clock, &cx.tenant, wanted)?;
        let shown = Shown {
            status,
            notice,
            version: now,
            preview: Some(&preview),
            choice: decision.choice.clone(),
            problems,
        };
        show(cx, shown)
    };
    if decision.step != "save" {
        return again(conn, StatusCode::OK, None, Vec::new());
    }
    let decided = match decision.choice.decided(cx) {
        Ok(decided) => decided,
        Err(problems) => return again(conn, StatusCode::UNPROCESSABLE_ENTITY, None, problems),
    };
    match settings::save(
        conn,
        &cx.clock,
        &cx.tenant,
        &decision.version,
        wanted,
        &decided,
    )? {
        Ok(saved) => {
            let message = match &decided.displacement {
                crate::domain::displaced::Displacement::Cancel { message, .. }
                    if !saved.cancelled.is_empty() =>
                {
                    Some(message.clone())
                }
                _ => None,
            };
            cx.audit(
                conn,
                action,
                &cx.tenant.code,
                json!({
                    "changes": saved.changes,
                    "cancelled_bookings": saved.cancelled,
                    "kept_bookings": saved.kept,
                    "message": message,
                }),
            )?;
            Ok(cx.back_with("settings", Notice::SettingsSaved))
        }
        Err(NotSaved::ChangedMeanwhile) => again(
            conn,
            StatusCode::CONFLICT,
            Some((false, cx.text("settings_changed_meanwhile"))),
            Vec::new(),
        ),
        Err(NotSaved::DisplacedChanged) => again(
            conn,
            StatusCode::CONFLICT,
            Some((false, cx.text("displaced_changed_meanwhile"))),
            Vec::new(),
        ),
        Err(NotSaved::Undecided) => {
            let problem = field_error("displaced", cx.text("displaced_choose"));
            again(conn, StatusCode::UNPROCESSABLE_ENTITY, None, vec![problem])
        }
    }
}

/// The preview's blocks, and the save button with the version (and the choice for
/// displaced bookings) in the form's fields.
fn preview_blocks(
    cx: &StaffCx,
    shown: &Shown,
    fields: &mut Vec<Input>,
    errors: &[FieldError],
) -> Vec<Block> {
    fields.push(Input::hidden("version", shown.version));
    let Some(preview) = shown.preview else {
        return Vec::new();
    };
    let mut blocks = vec![Block::Heading(cx.text("settings_preview"))];
    if preview.changes.is_empty() {
        blocks.push(Block::Text(cx.text("settings_no_changes")));
        return blocks;
    }
    blocks.push(Block::Text(cx.text("settings_preview_lead")));
    let lines: Vec<String> = preview
        .changes
        .iter()
        .map(|line| readable(cx, line))
        .collect();
    blocks.push(Block::Preformatted(lines.join("\n")));
    let slots = &preview.slots;
    blocks.push(Block::Text(tf(
        cx.lang,
        "settings_preview_slots",
        &[
            ("created", &slots.created.to_string()),
            ("resized", &slots.updated.to_string()),
            ("closed", &slots.closed.to_string()),
            ("reopened", &slots.reopened.to_string()),
        ],
    )));
    blocks.extend(displaced::table(cx, &preview.displaced));
    fields.extend(displaced::inputs(
        cx,
        &preview.displaced,
        &shown.choice,
        errors,
    ));
    fields.push(Input::Submit {
        name: "step".into(),
        value: "save".into(),
        label: cx.text("settings_save"),
    });
    blocks
}

/// The label of a setting the tenant file's change lines name by its column, where the
/// console has one; the column's own name otherwise.
fn label_of(cx: &StaffCx, key: &str) -> String {
    let field = match key {
        "cutoff_time" => "cutoff_at",
        "change_deadline_days_before" => "change_days_before",
        "change_deadline_time" => "change_at",
        "pickup_number_kind" => "pickup_number",
        "pickup_proof_kind" => "pickup_proof",
        "notice_ja" | "notice_en" => return cx.text(&format!("texts_{key}")),
        "name_ja" | "name_en" | "notes_ja" | "notes_en" => {
            return cx.text(&format!("procedures_{key}"))
        }
        "phone_only" => return cx.text("procedures_phone_only_check"),
        "change_days_before" | "change_at" => return cx.text(&format!("procedures_{key}")),
        other => other,
    };
    let catalogue_key = format!("settings_field_{field}");
    let text = cx.text(&catalogue_key);
    if text == catalogue_key {
        key.to_string()
    } else {
        text
    }
}

/// A change line of the tenant file (`~ tenant demo: hold_minutes 10 → 15`) as an
/// administrator reads it: the setting's label, then the values before and after. Lines
/// of another shape are shown as they are.
fn readable(cx: &StaffCx, line: &str) -> String {
    let Some(rest) = line.strip_prefix("~ ") else {
        return line.to_string();
    };
    let Some((subject, change)) = rest.split_once(": ") else {
        return line.to_string();
    };
    let Some((key, values)) = change.split_once(' ') else {
        return line.to_string();
    };
    let label = label_of(cx, key);
    // Yes and no in words; other values as the file writes them.
    let word = |value: &str| match value {
        "true" => cx.text("settings_yes"),
        "false" => cx.text("settings_no"),
        "null" => cx.text("procedures_city_rule"),
        other => other.to_string(),
    };
    let values = match values.split_once(" → ") {
        Some((before, after)) => format!("{} → {}", word(before), word(after)),
        None => values.to_string(),
    };
    match subject.split_once(' ') {
        Some(("procedure", code)) => format!("{code}: {label} {values}"),
        _ => format!("{label}: {values}"),
    }
}

/// Free text as an administrator typed it: trimmed, Windows line ends made plain. A text
/// that is required and empty, longer than `max` characters, or holding control characters
/// (line breaks only where `lines`) adds the catalogue message `message` at `field`.
pub(super) struct TextRule {
    pub max: usize,
    pub required: bool,
    pub lines: bool,
    pub message: &'static str,
}

impl TextRule {
    pub(super) fn read(
        &self,
        cx: &StaffCx,
        field: &str,
        value: &str,
        errors: &mut Vec<FieldError>,
    ) -> String {
        let value = value.trim().replace("\r\n", "\n");
        let bad_char = value
            .chars()
            .any(|c| c.is_control() && !(self.lines && c == '\n'));
        if (self.required && value.is_empty()) || value.chars().count() > self.max || bad_char {
            let max = self.max.to_string();
            let message = madoguchi_frontend::i18n::tf(cx.lang, self.message, &[("n", &max)]);
            errors.push(crate::http::page::field_error(field, message));
        }
        value
    }
}

/// Problems found in typed settings as messages at their fields; a message may name its
/// field by the label the catalogue has under `label_prefix` and the field's name.
pub(super) fn field_errors(
    cx: &StaffCx,
    problems: Vec<crate::domain::settings::Problem>,
    label_prefix: &str,
) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| {
            let mut args: Vec<(&str, &str)> =
                p.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let label = cx.text(&format!("{label_prefix}{}", p.field));
            args.push(("label", &label));
            FieldError {
                message: tf(cx.lang, p.message, &args),
                field: p.field,
            }
        })
        .collect()
}
