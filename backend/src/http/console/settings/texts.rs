//! The notice on the residents' start page, in Japanese and English, changed with a
//! preview as every setting is.

use actix_web::HttpResponse;
use madoguchi_frontend::pages::console::kit::{Block, Input};
use madoguchi_frontend::view_models::FieldError;

use super::flow::{form_page, preview_or_save, Decision, Shown, TextRule};
use crate::domain::settings;
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::{Outcome, PageRequest, Posted};

const NOTICE_MAX_CHARS: usize = 1000;

/// The start page's notice as typed, with the version read and the step.
#[derive(serde::Deserialize, Default, Clone)]
pub struct TextsForm {
    #[serde(default)]
    notice_ja: String,
    #[serde(default)]
    notice_en: String,
    #[serde(flatten)]
    decision: Decision,
}

fn page(
    cx: &StaffCx,
    shown: Shown,
    form: &TextsForm,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let area =
        |id: &str, value: &str| Input::area(id, cx.text(&format!("texts_{id}")), value.to_string());
    let fields = vec![
        area("notice_ja", &form.notice_ja),
        area("notice_en", &form.notice_en),
    ];
    let lead = vec![Block::Text(cx.text("texts_lead"))];
    form_page(
        cx,
        "texts_title",
        "settings/texts",
        lead,
        shown,
        fields,
        errors,
    )
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let form = TextsForm {
                notice_ja: file.texts.notice_ja.clone(),
                notice_en: file.texts.notice_en.clone(),
                ..TextsForm::default()
            };
            page(cx, Shown::reading(&version), &form, Vec::new())
        })
        .await
}

pub async fn submit(request: Posted<TextsForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let (mut file, now) = settings::current(conn, &cx.tenant)?;
            let mut errors = Vec::new();
            let rule = TextRule {
                max: NOTICE_MAX_CHARS,
                required: false,
                lines: true,
                message: "texts_error",
            };
            file.texts.notice_ja = rule.read(cx, "notice_ja", &form.notice_ja, &mut errors);
            file.texts.notice_en = rule.read(cx, "notice_en", &form.notice_en, &mut errors);
            if !errors.is_empty() {
                return page(cx, Shown::refused(&form.decision.version), &form, errors);
            }
            let show = |cx: &StaffCx, shown: Shown| page(cx, shown, &form, Vec::new());
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &file,
                "settings.texts",
                show,
            )
        })
        .await
}
