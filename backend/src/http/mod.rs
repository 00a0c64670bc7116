//! HTTP: one route table; JSON API handlers under `api/`, server-rendered pages in `pages`.

mod api;
mod console;
mod documents;
pub(crate) mod error_pages;
mod extract;
mod guard;
pub(crate) mod page;
pub(crate) mod pages;
pub(crate) mod resident;
mod state;

pub use state::AppState;

use actix_web::{web, HttpResponse};

use crate::error::{AppError, Resource};

pub use console::sweep_uploads;
pub use extract::client_addr as client_addr_of;
pub use guard::refuse_control_characters;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/api/openapi.json", web::get().to(api::openapi))
        .service(
            web::scope("/api/v1/{tenant}")
                .wrap(actix_web::middleware::from_fn(guard::api_writes))
                .route("/locations", web::get().to(api::catalog::locations))
                .route("/procedures", web::get().to(api::catalog::procedures))
                .route("/availability", web::get().to(api::availability::list))
                .route("/holds", web::post().to(api::holds::create))
                .route("/bookings", web::post().to(api::bookings::create))
                .route("/bookings/{code}", web::get().to(api::bookings::show))
                .route("/bookings/{code}", web::patch().to(api::bookings::change))
                .route("/bookings/{code}", web::delete().to(api::bookings::cancel))
                .default_service(web::to(api_not_found)),
        )
        .route("/static/site.css", web::get().to(pages::stylesheet))
        .configure(resident::routes)
        .configure(documents::routes)
        .configure(console::routes)
        .route("/", web::get().to(pages::tenant_list))
        .route("/{tenant}", web::get().to(pages::add_slash))
        .route("/{tenant}/", web::get().to(pages::tenant_home))
        .default_service(web::to(api_not_found));
}

async fn api_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(Resource::Page))
}

/// Alive: the process answers. Says nothing of the database, so a load balancer or a
/// supervisor does not restart servers that wait for it.
async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "status": "ok" }))
}

/// Ready for requests: the database answers (through the multi-host address, the primary
/// that takes writes) and holds every migration this server knows. 503 otherwise, so a
/// load balancer sends requests elsewhere.
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let checked = crate::db::run(&state.pool, |conn| Ok(crate::db::schema_current(conn)?)).await;
    let (status, problem) = match checked {
        Ok(true) => (actix_web::http::StatusCode::OK, None),
        Ok(false) => (
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            Some("schema_behind"),
        ),
        Err(_) => (
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            Some("database_unavailable"),
        ),
    };
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "status": if problem.is_none() { "ready" } else { "not_ready" }, "problem": problem }))
}
