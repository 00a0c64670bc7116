use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::local_time;
use super::slot_ref::{load_procedure, SlotRef};
use crate::domain::booking::{ensure_address_share, place_hold, HoldRequest};
use crate::domain::input::new_client_token;
use crate::domain::Actor;
use crate::error::AppError;
use crate::http::extract::{client_addr, load_tenant, JsonBody};
use crate::http::AppState;

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct HoldBody {
    slot_id: Option<i64>,
    location: Option<String>,
    start: Option<String>,
    procedure: String,
    #[serde(default = "one")]
    places: i32,
    /// The client's token from an earlier hold; the new hold replaces that one.
    client_token: Option<String>,
}

impl HoldBody {
    fn slot_ref(&self) -> SlotRef {
        SlotRef {
            slot_id: self.slot_id,
            location: self.location.clone(),
            start: self.start.clone(),
        }
    }
}

fn one() -> i32 {
    1
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody<HoldBody>,
) -> Result<HttpResponse, AppError> {
    let tenant_code = path.into_inner();
    let body = body.0;
    let client_token = match body.client_token.clone() {
        Some(token)
            if (16..=100).contains(&token.len())
                && token.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            token
        }
        Some(_) => return Err(AppError::invalid("client_token", "invalid_client_token")),
        None => new_client_token(&mut rand::thread_rng()),
    };
    let clock = state.clock();
    let actor = Actor::resident(client_addr(&req));
    state.check_write_rate(actor.client_addr.as_deref(), Some(&client_token))?;
    let cap = state.config.held_places_per_address;
    let response = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        let procedure = load_procedure(conn, &tenant, &body.procedure)?;
        let slot_id = body.slot_ref().resolve(conn, &clock, &tenant, &procedure)?;
        let request = HoldRequest {
            slot_id,
            procedure_id: procedure.id,
            places: body.places,
            client_token,
        };
        let hold = crate::db::transaction(conn, |conn| {
            ensure_address_share(conn, &clock, &tenant, &actor, &request, cap)?;
            place_hold(conn, &clock, &tenant, &request, &actor)
        })?;
        Ok(json!({
            "hold_token": hold.client_token,
            "slot_id": hold.slot_id,
            "places": hold.places,
            "expires_at": local_time(hold.expires_at, clock.tz),
        }))
    })
    .await?;
    Ok(HttpResponse::Created().json(response))
}
