//! A city's procedures as residents read them: names, what to bring, and whether the
//! procedure is booked only through the call centre. Changed with a preview, as every
//! setting is.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Cell, Input};
use madoguchi_frontend::view_models::FieldError;

use super::flow::{form_page, preview_or_save, Decision, Shown, TextRule};
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::domain::tenant_file::ProcedureFile;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::page::{Outcome, PageRequest, Posted};

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
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let (file, _) = settings::current(conn, &cx.tenant)?;
            let blocks = vec![Block::Table(table(
                &RowView::of(cx),
                cx.text("procedures_title"),
                &COLUMNS,
                &file.procedures,
                None,
                String::new(),
            ))];
            cx.page(StatusCode::OK, "procedures_title", None, blocks)
        })
        .await
}

/// A procedure's texts as typed, with the version they were read at and the step.
#[derive(serde::Deserialize, Default, Clone)]
pub struct ProcedureForm {
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
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn page(
    cx: &StaffCx,
    code: &str,
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
    };
    let fields = vec![
        text("name_ja", &form.name_ja),
        text("name_en", &form.name_en),
        area("notes_ja", &form.notes_ja),
        area("notes_en", &form.notes_en),
        Input::Check {
            id: "phone_only".into(),
            label: cx.text("procedures_phone_only_check"),
            checked: form.phone_only.is_some(),
        },
    ];
    let lead = vec![Block::Links(vec![(
        cx.console_url("settings/procedures"),
        cx.text("procedures_title"),
    )])];
    let action = format!("settings/procedures/{code}");
    form_page(
        cx,
        "procedures_edit_title",
        &action,
        lead,
        shown,
        fields,
        errors,
    )
}

pub async fn show(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .staff_step(Permission::ManageSettings, move |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let procedure = file
                .procedures
                .iter()
                .find(|p| p.code == code)
                .ok_or(AppError::NotFound(Resource::Procedure))?;
            page(
                cx,
                &code,
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
                    &code,
                    Shown::refused(&form.decision.version),
                    &form,
                    errors,
                );
            }
            let show = |cx: &StaffCx, shown: Shown| page(cx, &code, shown, &form, Vec::new());
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
