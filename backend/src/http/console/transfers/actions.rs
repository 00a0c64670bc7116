//! Sending a transfer list, and receiving a card at its counter by a scan.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{list_query, load, page, query_text};
use crate::domain::staff::Permission;
use crate::domain::transfers;
use crate::error::AppError;
use crate::http::console::staff_step;
use crate::http::resident::Outcome;
use crate::http::AppState;

pub async fn send(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ManageCards,
        Some(form.into_inner()),
        |conn, cx, _| {
            let query = list_query(conn, cx)?;
            let lines = load(conn, cx, &query)?;
            let actor = format!("staff:{}", cx.account.login);
            let sent = transfers::send(conn, cx.tenant.id, &lines, &actor, cx.clock.now)?;
            cx.audit(
                conn,
                "transfer.send",
                &query_text(&query),
                json!({ "cards": sent }),
            )?;
            Ok(Outcome::Redirect(cx.console_url(&format!(
                "transfers?{}&done=sent&n={sent}",
                query_text(&query)
            ))))
        },
    )
    .await
}

pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::CounterDesk,
        Some(form.into_inner()),
        |conn, cx, form| {
            let query = list_query(conn, cx)?;
            let scanned = form
                .unwrap_or_default()
                .get("scanned")
                .cloned()
                .unwrap_or_default();
            let Some(destination) = &query.destination else {
                return page(
                    conn,
                    cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((false, cx.text("transfers_choose_location"))),
                );
            };
            let actor = format!("staff:{}", cx.account.login);
            match transfers::receive(
                conn,
                cx.tenant.id,
                &scanned,
                destination.id,
                &actor,
                cx.clock.now,
            ) {
                Ok((card_id, name)) => {
                    cx.audit(
                        conn,
                        "transfer.receive",
                        &card_id.to_string(),
                        json!({ "location": destination.code }),
                    )?;
                    let name = crate::http::extract::url_encode(&name);
                    Ok(Outcome::Redirect(cx.console_url(&format!(
                        "transfers?{}&done=received&name={name}",
                        query_text(&query)
                    ))))
                }
                Err(
                    refused @ (AppError::NotFound(_)
                    | AppError::WrongLocation
                    | AppError::CardNotAvailable),
                ) => {
                    let text = refused.message_in(cx.lang);
                    page(conn, cx, StatusCode::CONFLICT, Some((false, text)))
                }
                Err(other) => Err(other),
            }
        },
    )
    .await
}
