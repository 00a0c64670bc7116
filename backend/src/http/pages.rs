//! Server-rendered pages (Leptos). Handlers read, build a view model, render.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use madoguchi_frontend::i18n::{t, Lang};
use madoguchi_frontend::pages::{tenant_home, tenant_list};
use madoguchi_frontend::view_models::{
    LocationVm, PageFrame, ProcedureVm, TenantHomeVm, TenantLinkVm, TenantListVm,
};

use crate::http::page::{html, lang_of, pick, Outcome};

use crate::db::location::Location;
use crate::db::maintenance::MaintenanceWindow;
use crate::db::procedure::Procedure;
use crate::db::tenant::Tenant;
use crate::domain::city_texts::CityTexts;
use crate::error::AppError;
use crate::http::extract::load_tenant;
use crate::http::state::AppState;

const STYLESHEET: &str = include_str!("site.css");

/// `?lang=en` picks English; Japanese otherwise.
fn frame(lang: Lang, title: String, here: String) -> PageFrame {
    PageFrame {
        lang,
        title,
        here,
        back_href: None,
        errors: Vec::new(),
        nav: Vec::new(),
        staff: None,
        banner: None,
        training: false,
        footer_base: None,
    }
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(STYLESHEET)
}

pub async fn tenant_list(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let lang = lang_of(&req);
    let tenants = crate::db::run(&state.pool, |conn| Ok(Tenant::all(conn)?)).await?;
    let vm = TenantListVm {
        frame: frame(lang, t(lang, "tenants"), "/".to_string()),
        tenants: tenants
            .into_iter()
            .map(|t| TenantLinkVm {
                name: pick(lang, &t.name, &t.name_en),
                code: t.code.clone(),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, tenant_list::render(vm)))
}

/// `/demo` to `/demo/`, keeping the query. Temporary and never cached: a permanent
/// redirect stays in the browser and would outlive any change of the site's paths.
/// Only paths whose parts are plain codes (letters, digits, `-`, `_`) are redirected, so
/// the target can never name another site.
pub async fn add_slash(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let path = req.path();
    let plain = path.len() > 1
        && path[1..].split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !plain {
        return Err(AppError::NotFound(crate::error::Resource::Page));
    }
    let query = req.query_string();
    let target = if query.is_empty() {
        format!("{path}/")
    } else {
        format!("{path}/?{query}")
    };
    Ok(Outcome::Redirect(target).into_response())
}

pub async fn tenant_home(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let lang = lang_of(&req);
    let code = path.into_inner();
    let now = state.clock().now;
    let vm = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &code)?;
        let locations = Location::for_tenant(conn, tenant.id)?;
        let procedures = Procedure::for_tenant(conn, tenant.id)?;
        // A procedure no open counter takes would lead a resident nowhere.
        let open: std::collections::HashSet<i64> = locations
            .iter()
            .filter(|l| l.active)
            .map(|l| l.id)
            .collect();
        let offered: std::collections::HashSet<i64> =
            Location::offered_procedures(conn, tenant.id)?
                .into_iter()
                .filter(|(location, _)| open.contains(location))
                .map(|(_, procedure)| procedure)
                .collect();
        let texts = CityTexts::load(conn, tenant.id, lang)?;
        // An announced stop speaks first; otherwise the city's standing maintenance text.
        let maintenance = match MaintenanceWindow::showing(conn, tenant.id, now)? {
            Some(window) => pick(lang, &window.text_ja, &window.text_en),
            None => texts.maintenance(&tenant),
        };
        Ok(TenantHomeVm {
            frame: PageFrame {
                training: tenant.training,
                footer_base: Some(format!("/{}", tenant.code)),
                ..frame(
                    lang,
                    pick(lang, &tenant.name, &tenant.name_en),
                    format!("/{}/", tenant.code),
                )
            },
            notice: texts.notice(&tenant),
            maintenance,
            manage_href: format!("/{}/booking?lang={}", tenant.code, lang.code()),
            tenant_code: tenant.code.clone(),
            locations: locations
                .into_iter()
                .filter(|l| l.active)
                .map(|l| LocationVm {
                    name: texts.location_name(&l),
                    access: texts.location_access(&l),
                    address: texts.location_address(&l),
                    map_href: l.map_href(),
                    code: l.code,
                    issues_cards: l.issues_cards,
                })
                .collect(),
            procedures: procedures
                .into_iter()
                .filter(|p| p.active && !p.phone_only && offered.contains(&p.id))
                .map(|p| ProcedureVm {
                    book_href: format!("/{}/book/{}/?lang={}", tenant.code, p.code, lang.code()),
                    name: texts.procedure_name(&p),
                    notes: texts.procedure_notes(&p),
                    code: p.code,
                    needs_card: p.needs_card,
                })
                .collect(),
        })
    })
    .await?;
    Ok(html(StatusCode::OK, tenant_home::render(vm)))
}
