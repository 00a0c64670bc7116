//! A city's formal documents for residents, linked from every resident page's footer: the
//! accessibility test report (made by the test run: frontend/accessibility/), the web
//! accessibility policy and the privacy policy. In Japanese and English; readers of the
//! other languages get them in English.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use madoguchi_frontend::i18n::{t, tf, Lang};
use madoguchi_frontend::pages::document;
use madoguchi_frontend::view_models::{in_language, DocumentBlock, DocumentVm, PageFrame};
use serde::Deserialize;

use crate::db::tenant::Tenant;
use crate::error::AppError;
use crate::http::extract::load_tenant;
use crate::http::page::{html, lang_of, pick};
use crate::http::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/accessibility", web::get().to(report))
        .route("/{tenant}/accessibility-policy", web::get().to(policy))
        .route("/{tenant}/privacy", web::get().to(privacy));
}

/// The report as `frontend/accessibility/build-report.mjs` writes it.
#[derive(Deserialize)]
struct Report {
    standard: String,
    target_level: String,
    conformance: String,
    tested_on: String,
    tool: String,
    technologies: Vec<String>,
    page_checks: usize,
    pages: Vec<TestedPage>,
    criteria: Vec<Criterion>,
}

#[derive(Deserialize)]
struct TestedPage {
    path: String,
    lang: String,
    title: String,
}

#[derive(Deserialize)]
struct Criterion {
    number: String,
    level: String,
    title_ja: String,
    title_en: String,
    applies: bool,
    result: String,
    axe_rules: Vec<String>,
    method: String,
    note_ja: String,
    note_en: String,
}

static REPORT: LazyLock<Option<Report>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../frontend/accessibility/report.json")).ok()
});

async fn city(state: &AppState, code: String) -> Result<Tenant, AppError> {
    crate::db::run(&state.pool, move |conn| load_tenant(conn, &code)).await
}

fn page(
    lang: Lang,
    tenant: &Tenant,
    title_key: &str,
    here: &str,
    blocks: Vec<DocumentBlock>,
) -> HttpResponse {
    let vm = DocumentVm {
        frame: PageFrame {
            lang,
            title: t(lang, title_key),
            here: format!("/{}/{here}", tenant.code),
            back_href: Some(in_language(&format!("/{}/", tenant.code), lang)),
            errors: Vec::new(),
            nav: Vec::new(),
            staff: None,
            banner: None,
            training: tenant.training,
            footer_base: Some(format!("/{}", tenant.code)),
        },
        blocks,
    };
    html(StatusCode::OK, document::render(vm))
}

/// The accessibility report: the statement, the pages tested and every success criterion.
pub async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let lang = lang_of(&req);
    let tenant = city(&state, path.into_inner()).await?;
    let report = REPORT.as_ref().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("the accessibility report does not parse"))
    })?;
    let name = pick(lang, &tenant.name, &tenant.name_en);
    let result = |c: &Criterion| t(lang, &format!("report_result_{}", c.result));
    let rows = report
        .criteria
        .iter()
        .map(|c| {
            let title = lang.pick(&c.title_ja, &c.title_en);
            let note = lang.pick(&c.note_ja, &c.note_en);
            let rules = if c.axe_rules.is_empty() {
                String::new()
            } else {
                format!(" (axe-core: {})", c.axe_rules.join(", "))
            };
            vec![
                format!("{} {title}", c.number),
                c.level.clone(),
                t(
                    lang,
                    if c.applies {
                        "report_applies_yes"
                    } else {
                        "report_applies_no"
                    },
                ),
                result(c),
                format!("{note} [{}]{rules}", c.method),
            ]
        })
        .collect();
    let blocks = vec![
        DocumentBlock::Paragraph(tf(lang, "report_lead", &[("tenant", &name)])),
        DocumentBlock::Heading(t(lang, "report_summary")),
        DocumentBlock::Facts(vec![
            (t(lang, "report_date"), report.tested_on.clone()),
            (t(lang, "report_standard"), report.standard.clone()),
            (t(lang, "report_target"), report.target_level.clone()),
            (
                t(lang, "report_conformance"),
                t(lang, &format!("report_conformance_{}", report.conformance)),
            ),
            (
                t(lang, "report_technologies"),
                report.technologies.join(", "),
            ),
            (t(lang, "report_tool"), report.tool.clone()),
            (
                t(lang, "report_page_checks"),
                report.page_checks.to_string(),
            ),
        ]),
        DocumentBlock::Paragraph(t(lang, "report_manual_note")),
        DocumentBlock::Heading(t(lang, "report_checklist")),
        DocumentBlock::Paragraph(t(lang, "report_legend")),
        DocumentBlock::Table {
            caption: t(lang, "report_checklist"),
            headers: [
                "report_col_criterion",
                "report_col_level",
                "report_col_applies",
                "report_col_result",
                "report_col_notes",
            ]
            .iter()
            .map(|key| t(lang, key))
            .collect(),
            rows,
        },
        DocumentBlock::Heading(t(lang, "report_pages")),
        DocumentBlock::List(
            report
                .pages
                .iter()
                .map(|p| format!("{} ({}) {}", p.path, p.lang, p.title))
                .collect(),
        ),
    ];
    Ok(page(lang, &tenant, "report_title", "accessibility", blocks))
}

pub async fn policy(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let lang = lang_of(&req);
    let tenant = city(&state, path.into_inner()).await?;
    let name = pick(lang, &tenant.name, &tenant.name_en);
    let blocks = vec![
        DocumentBlock::Paragraph(tf(lang, "policy_text", &[("tenant", &name)])),
        DocumentBlock::Heading(t(lang, "policy_target_heading")),
        DocumentBlock::Paragraph(t(lang, "policy_target")),
        DocumentBlock::Heading(t(lang, "policy_goal_heading")),
        DocumentBlock::Paragraph(t(lang, "policy_goal")),
        DocumentBlock::Heading(t(lang, "policy_exceptions_heading")),
        DocumentBlock::Paragraph(t(lang, "policy_exceptions")),
        DocumentBlock::Link(
            in_language(&format!("/{}/accessibility", tenant.code), lang),
            t(lang, "policy_report_link"),
        ),
    ];
    Ok(page(
        lang,
        &tenant,
        "policy_title",
        "accessibility-policy",
        blocks,
    ))
}

pub async fn privacy(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let lang = lang_of(&req);
    let code = path.into_inner();
    let (tenant, rules) = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &code)?;
        let rules = crate::domain::retention::rules(conn, tenant.id)?;
        Ok((tenant, rules))
    })
    .await?;
    let name = pick(lang, &tenant.name, &tenant.name_en);
    let days = rules.personal_data_days.unwrap_or(0).to_string();
    let blocks = vec![
        DocumentBlock::Paragraph(tf(lang, "privacy_text", &[("tenant", &name)])),
        DocumentBlock::Heading(t(lang, "privacy_collected_heading")),
        DocumentBlock::Paragraph(t(lang, "privacy_collected")),
        DocumentBlock::Heading(t(lang, "privacy_use_heading")),
        DocumentBlock::Paragraph(t(lang, "privacy_use")),
        DocumentBlock::Heading(t(lang, "privacy_keep_heading")),
        DocumentBlock::Paragraph(tf(lang, "privacy_keep", &[("days", &days)])),
        DocumentBlock::Heading(t(lang, "privacy_cookies_heading")),
        DocumentBlock::Paragraph(t(lang, "privacy_cookies")),
        DocumentBlock::Heading(t(lang, "privacy_contact_heading")),
        DocumentBlock::Paragraph(tf(
            lang,
            "privacy_contact",
            &[("tenant", &name), ("phone", &tenant.inquiry_phone)],
        )),
    ];
    Ok(page(lang, &tenant, "privacy_title", "privacy", blocks))
}
