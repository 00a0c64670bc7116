use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::error::AppError;
use crate::http::extract::load_tenant;
use crate::http::AppState;

pub async fn locations(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tenant_code = path.into_inner();
    let body = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        let procedures = Procedure::for_tenant(conn, tenant.id)?;
        let offered = Location::offered_procedures(conn, tenant.id)?;
        let locations: Vec<_> = Location::for_tenant(conn, tenant.id)?
            .into_iter()
            .filter(|l| l.active)
            .map(|l| {
                let codes: Vec<&str> = procedures
                    .iter()
                    .filter(|p| p.active && !p.phone_only && offered.contains(&(l.id, p.id)))
                    .map(|p| p.code.as_str())
                    .collect();
                json!({
                    "code": l.code, "name": l.name, "name_en": l.name_en,
                    "address": l.address, "issues_cards": l.issues_cards, "procedures": codes,
                })
            })
            .collect();
        Ok(json!({ "locations": locations }))
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn procedures(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tenant_code = path.into_inner();
    let body = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        let procedures: Vec<_> = Procedure::for_tenant(conn, tenant.id)?
            .into_iter()
            .filter(|p| p.active && !p.phone_only)
            .map(|p| {
                json!({
                    "code": p.code, "name_ja": p.name_ja, "name_en": p.name_en,
                    "needs_card": p.needs_card, "notes_ja": p.notes_ja, "notes_en": p.notes_en,
                })
            })
            .collect();
        Ok(json!({ "procedures": procedures }))
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
