//! HTTP: one route table; JSON API handlers under `api/`, server-rendered pages in `pages`.

mod api;
mod console;
pub(crate) mod error_pages;
mod extract;
mod guard;
pub(crate) mod pages;
pub(crate) mod resident;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::{web, HttpResponse};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::db::PgPool;
use crate::domain::Clock;
use crate::error::{AppError, Resource};

/// What every handler can reach.
pub struct AppState {
    pub pool: PgPool,
    pub config: Config,
    /// Attempts to prove ownership of a card or booking, per client address.
    pub proof_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Identification attempts per card number, whichever address they come from.
    pub card_limiter: DefaultKeyedRateLimiter<String>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Arc<AppState> {
        let per_minute = NonZeroU32::new(config.proof_checks_per_minute).unwrap_or(NonZeroU32::MIN);
        Arc::new(AppState {
            pool,
            proof_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            card_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            config,
        })
    }

    pub fn clock(&self) -> Clock {
        let mut clock = Clock::system(self.config.time_zone);
        clock.now += self.config.clock_shift;
        clock
    }

    pub fn check_proof_rate(&self, client: Option<IpAddr>) -> Result<(), AppError> {
        match client {
            Some(ip) if self.proof_limiter.check_key(&ip).is_err() => {
                Err(AppError::TooManyRequests)
            }
            _ => Ok(()),
        }
    }

    /// Limits identification attempts on one card number (as typed, folded and compacted).
    pub fn check_card_rate(&self, number: &str) -> Result<(), AppError> {
        let key = crate::domain::input::letters_and_digits(number);
        if self.card_limiter.check_key(&key).is_err() {
            return Err(AppError::TooManyRequests);
        }
        Ok(())
    }
}

pub use console::sweep_uploads;
pub use guard::refuse_control_characters;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
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
        .configure(console::routes)
        .route("/", web::get().to(pages::tenant_list))
        .route("/{tenant}", web::get().to(pages::add_slash))
        .route("/{tenant}/", web::get().to(pages::tenant_home))
        .default_service(web::to(api_not_found));
}

async fn api_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(Resource::Page))
}

/// 200 when the database answers, 503 when it does not.
async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    crate::db::run(&state.pool, |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}
