//! Sending a transfer list, and receiving a card at its counter by a scan.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::json;

use super::list::{list_query, load, page, query_text};
use crate::domain::staff::Permission;
use crate::domain::transfers;
use crate::error::AppError;
use crate::http::console::notice::Notice;
use crate::http::extract::NoFields;
use crate::http::page::Outcome;
use crate::http::page::Posted;

pub async fn send(request: Posted<NoFields>) -> HttpResponse {
    request
        .staff_step(Permission::ManageCards, |conn, cx, _| {
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
                "transfers?{}&{}&n={sent}",
                query_text(&query),
                Notice::TransfersSent.query()
            ))))
        })
        .await
}

/// A card that arrived, scanned or typed by one of its numbers.
#[derive(serde::Deserialize, Default, Clone)]
pub struct ReceiveForm {
    #[serde(default)]
    scanned: String,
}

pub async fn receive(request: Posted<ReceiveForm>) -> HttpResponse {
    request
        .staff_step(Permission::CounterDesk, |conn, cx, form| {
            let query = list_query(conn, cx)?;
            let scanned = form.scanned;
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
                Ok(card_id) => {
                    cx.audit(
                        conn,
                        "transfer.receive",
                        &card_id.to_string(),
                        json!({ "location": destination.code }),
                    )?;
                    // The page looks the holder's name up again: an address never
                    // carries personal data.
                    Ok(Outcome::Redirect(cx.console_url(&format!(
                        "transfers?{}&{}&card={card_id}",
                        query_text(&query),
                        Notice::TransferReceived.query()
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
        })
        .await
}
