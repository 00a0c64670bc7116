//! JSON API v1, described by the OpenAPI document at /api/openapi.json.

pub mod availability;
pub mod bookings;
pub mod catalog;
pub mod holds;
mod slot_ref;

use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

const OPENAPI: &str = include_str!("openapi.json");

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

/// Times leave the API in the tenant's zone with its offset: 2026-12-03T10:15:00+09:00.
pub fn local_time(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).to_rfc3339()
}
