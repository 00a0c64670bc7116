//! A city's procedures as residents read them: names, what to bring, and whether the
//! procedure is booked only through the call centre. Changed with a preview, as every
//! setting is.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Input};
use madoguchi_frontend::view_models::FieldError;

use super::file_parts::check_new_code;
use super::flow::{form_page, preview_or_save, Decision, Shown, TextRule};
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::domain::tenant_file::{DeadlineFile, ProcedureFile};
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::page::{field_error, Outcome, PageRequest, Posted};

const NAME_MAX_CHARS: usize = 100;
const NOTES_MAX_CHARS: usize = 1000;

const COLUMNS: [Column<ProcedureFile, ()>; 3] = [
    Column {
        header: "procedures_name",
        sort: None,
        cell: |view, p| {
            Cell::Link(
                view.console_url(&format!("settings/procedures/{}", p.code)),
                p.name_ja.clone(),
            )
        },
    },
    Column {
        header: "procedures_code",
        sort: None,
        cell: |_, p| Cell::Code(p.code.clone()),
    },
    Column {
        header: "procedures_booked_by",
        sort: None,
        cell: |view, p| {
            Cell::Text(view.text(if p.phone_only {
                "procedures_phone_only"
            } else {
                "procedures_online_and_phone"
            }))
        },
    },
];

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewSettings, |conn, cx| {
            let (file, _) = settings::current(conn, &cx.tenant)?;
            let mut blocks = Vec::new();
            if cx.may(Permission::ManageSettings) {
                blocks.push(Block::Links(vec![(
                    cx.console_url("settings/procedures/new"),
                    cx.text("procedures_add"),
                )]));
            }
            blocks.push(Block::Table(table(
                &RowView::of(cx),
                cx.text("procedures_title"),
                &COLUMNS,
                &file.procedures,
                None,
                String::new(),
            )));
            cx.page(StatusCode::OK, "procedures_title", None, blocks)
        })
        .await
}

/// A procedure's texts as typed, with the version they were read at and the step.
#[derive(serde::Deserialize, Default, Clone)]
pub struct ProcedureForm {
    /// Only when adding a procedure: its code, and whether a card is handed over.
    #[serde(default)]
    code: String,
    #[serde(default)]
    needs_card: Option<String>,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    notes_ja: String,
    #[serde(default)]
    notes_en: String,
    #[serde(default)]
    phone_only: Option<String>,
    /// The procedure's own change/cancel deadline; both empty: the city's.
    #[serde(default)]
    change_days_before: String,
    #[serde(default)]
    change_at: String,
    #[serde(flatten)]
    decision: Decision,
}

impl ProcedureForm {
    fn of(p: &ProcedureFile) -> ProcedureForm {
        ProcedureForm {
            name_ja: p.name_ja.clone(),
            name_en: p.name_en.clone(),
            notes_ja: p.notes_ja.clone(),
            notes_en: p.notes_en.clone(),
            phone_only: p.phone_only.then(|| "1".into()),
            change_days_before: p
                .change_deadline
                .as_ref()
                .map(|d| d.days_before.to_string())
                .unwrap_or_default(),
            change_at: p
                .change_deadline
                .as_ref()
                .map(|d| d.at.clone())
                .unwrap_or_default(),
            ..ProcedureForm::default()
        }
    }

    /// The procedure with these texts, or each field that cannot be taken.
    fn apply_to(&self, cx: &StaffCx, p: &mut ProcedureFile) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let rule = |max: usize, required: bool, lines: bool| TextRule {
            max,
            required,
            lines,
            message: "procedures_error_text",
        };
        let (name, name_en) = (
            rule(NAME_MAX_CHARS, true, false),
            rule(NAME_MAX_CHARS, false, false),
        );
        let notes = rule(NOTES_MAX_CHARS, false, true);
        p.name_ja = name.read(cx, "name_ja", &self.name_ja, &mut errors);
        p.name_en = name_en.read(cx, "name_en", &self.name_en, &mut errors);
        p.notes_ja = notes.read(cx, "notes_ja", &self.notes_ja, &mut errors);
        p.notes_en = notes.read(cx, "notes_en", &self.notes_en, &mut errors);
        p.phone_only = self.phone_only.is_some();
        p.change_deadline = self.deadline(cx, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl ProcedureForm {
    /// The procedure's own deadline as typed: none when both fields are empty; a field
    /// left empty beside a filled one, a day count outside 0–30 or an unreadable time is
    /// named at its field.
    fn deadline(&self, cx: &StaffCx, errors: &mut Vec<FieldError>) -> Option<DeadlineFile> {
        let (days, at) = (self.change_days_before.trim(), self.change_at.trim());
        if days.is_empty() && at.is_empty() {
            return None;
        }
        let days_read = days.parse::<i32>().ok().filter(|d| (0..=30).contains(d));
        if days_read.is_none() {
            let message = cx.text("procedures_error_change_days");
            errors.push(field_error("change_days_before", message));
        }
        let at_read = chrono::NaiveTime::parse_from_str(at, "%H:%M").ok();
        if at_read.is_none() {
            let message = cx.text("procedures_error_change_at");
            errors.push(field_error("change_at", message));
        }
        days_read
            .zip(at_read)
            .map(|(days_before, at)| DeadlineFile {
                days_before,
                at: at.format("%H:%M").to_string(),
            })
    }
}

/// The procedure form: a new procedure when `code` is none.
fn page(
    cx: &StaffCx,
    code: Option<&str>,
    shown: Shown,
    form: &ProcedureForm,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let text = |id: &str, value: &str| {
        Input::text(id, cx.text(&format!("procedures_{id}")), value.to_string())
            .with_error_from(&errors)
    };
    let area = |id: &str, value: &str| {
        Input::area(id, cx.text(&format!("procedures_{id}")), value.to_string())
            .with_error_from(&errors)
    };
    let mut fields = Vec::new();
    if code.is_none() {
        fields.push(text("code", &form.code));
        fields.push(Input::Check {
            id: "needs_card".into(),
            label: cx.text("procedures_needs_card"),
            checked: form.needs_card.is_some(),
        });
    }
    fields.extend([
        text("name_ja", &form.name_ja),
        text("name_en", &form.name_en),
        area("notes_ja", &form.notes_ja),
        area("notes_en", &form.notes_en),
        Input::Check {
            id: "phone_only".into(),
            label: cx.text("procedures_phone_only_check"),
            checked: form.phone_only.is_some(),
        },
        text("change_days_before", &form.change_days_before),
        text("change_at", &form.change_at),
    ]);
    let lead = vec![Block::Links(vec![(
        cx.console_url("settings/procedures"),
        cx.text("procedures_title"),
    )])];
    let (title, action) = match code {
        Some(code) => (
            "procedures_edit_title",
            format!("settings/procedures/{code}"),
        ),
        None => ("procedures_add", "settings/procedures/new".to_string()),
    };
    form_page(cx, title, &action, lead, shown, fields, errors)
}

/// A procedure as those who may read the settings but not change them see it.
fn read_only(cx: &StaffCx, p: &ProcedureFile) -> Result<Outcome, AppError> {
    let deadline = match &p.change_deadline {
        Some(d) => madoguchi_frontend::i18n::tf(
            cx.lang,
            "settings_deadline_value",
            &[("days", &d.days_before.to_string()), ("at", &d.at)],
        ),
        None => cx.text("procedures_city_rule"),
    };
    let yes_no = |on: bool| cx.text(if on { "settings_yes" } else { "settings_no" });
    let facts = vec![
        (cx.text("procedures_name_ja"), p.name_ja.clone()),
        (cx.text("procedures_name_en"), p.name_en.clone()),
        (cx.text("procedures_notes_ja"), p.notes_ja.clone()),
        (cx.text("procedures_phone_only_check"), yes_no(p.phone_only)),
        (cx.text("settings_change_deadline"), deadline),
    ];
    let blocks = vec![
        Block::Links(vec![(
            cx.console_url("settings/procedures"),
            cx.text("procedures_title"),
        )]),
        Block::Facts(facts),
    ];
    cx.page(StatusCode::OK, "procedures_edit_title", None, blocks)
}

pub async fn show(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .staff_step(Permission::ViewSettings, move |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let procedure = file
                .procedures
                .iter()
                .find(|p| p.code == code)
                .ok_or(AppError::NotFound(Resource::Procedure))?;
            if !cx.may(Permission::ManageSettings) {
                return read_only(cx, procedure);
            }
            page(
                cx,
                Some(&code),
                Shown::reading(&version),
                &ProcedureForm::of(procedure),
                Vec::new(),
            )
        })
        .await
}

pub async fn submit(
    request: Posted<ProcedureForm>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx, form| {
            let (mut file, now) = settings::current(conn, &cx.tenant)?;
            let procedure = file
                .procedures
                .iter_mut()
                .find(|p| p.code == code)
                .ok_or(AppError::NotFound(Resource::Procedure))?;
            if let Err(errors) = form.apply_to(cx, procedure) {
                return page(
                    cx,
                    Some(&code),
                    Shown::refused(&form.decision.version),
                    &form,
                    errors,
                );
            }
            let show = |cx: &StaffCx, shown: Shown| page(cx, Some(&code), shown, &form, Vec::new());
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &file,
                "settings.procedure",
                show,
            )
        })
        .await
}

pub async fn new_form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let (_, version) = settings::current(conn, &cx.tenant)?;
            let shown = Shown::reading(&version);
            page(cx, None, shown, &ProcedureForm::default(), Vec::new())
        })
        .await
}

/// Adds a procedure; no counter offers it until a lane is given it.
pub async fn create(request: Posted<ProcedureForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let (mut file, now) = settings::current(conn, &cx.tenant)?;
            let code = form.code.trim().to_string();
            let mut procedure = ProcedureFile {
                code: code.clone(),
                name_ja: String::new(),
                name_en: String::new(),
                needs_card: form.needs_card.is_some(),
                notes_ja: String::new(),
                notes_en: String::new(),
                phone_only: false,
                change_deadline: None,
                translations: Default::default(),
            };
            let mut errors = form.apply_to(cx, &mut procedure).err().unwrap_or_default();
            check_new_code(
                cx,
                &code,
                |c| file.procedures.iter().any(|p| p.code == c),
                &mut errors,
            );
            if !errors.is_empty() {
                let shown = Shown::refused(&form.decision.version);
                return page(cx, None, shown, &form, errors);
            }
            file.procedures.push(procedure);
            let show = |cx: &StaffCx, shown: Shown| page(cx, None, shown, &form, Vec::new());
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &file,
                "settings.procedure",
                show,
            )
        })
        .await
}
