use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::local_time;
use super::slot_ref::load_procedure;
use crate::db::location::Location;
use crate::domain::availability;
use crate::domain::input::parse_date;
use crate::domain::Channel;
use crate::error::{AppError, Resource};
use crate::http::extract::load_tenant;
use crate::http::AppState;

/// The longest range one request may ask for.
const MAX_DAYS: i64 = 62;

pub async fn list(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let tenant_code = path.into_inner();
    let query = query.into_inner();
    let clock = state.clock();
    let required = |name: &str| {
        query
            .get(name)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| {
                AppError::invalid_with(name, "invalid_parameter_required", &[("name", name)])
            })
    };
    let location_code = required("location")?;
    let procedure_code = required("procedure")?;
    let date = |name: &str| -> Result<Option<NaiveDate>, AppError> {
        query
            .get(name)
            .map(|text| {
                parse_date(text).ok_or_else(|| {
                    AppError::invalid_with(name, "invalid_parameter_date", &[("name", name)])
                })
            })
            .transpose()
    };
    let from = date("from")?.unwrap_or_else(|| clock.today());
    let to = date("to")?.unwrap_or(from + Duration::days(13));
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(AppError::invalid_with(
            "to",
            "invalid_range_days",
            &[("days", &MAX_DAYS.to_string())],
        ));
    }
    let tz = clock.tz;
    let body = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        let location = Location::active_by_code(conn, tenant.id, &location_code)?
            .ok_or(AppError::NotFound(Resource::Location))?;
        let procedure = load_procedure(conn, &tenant, &procedure_code)?;
        let slots: Vec<_> = availability::for_days(
            conn,
            &clock,
            &tenant,
            &location,
            &procedure,
            from..=to,
            Channel::Web,
        )?
        .into_iter()
        .map(|a| {
            json!({
                "id": a.slot.id,
                "start": local_time(a.slot.starts_at, tz),
                "end": local_time(a.slot.ends_at, tz),
                "capacity": a.slot.capacity,
                "web_capacity": a.slot.web_capacity,
                "remaining": a.remaining,
                "bookable": a.bookable,
            })
        })
        .collect();
        Ok(json!({
            "location": location.code, "procedure": procedure.code,
            "from": from, "to": to, "slots": slots,
        }))
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
