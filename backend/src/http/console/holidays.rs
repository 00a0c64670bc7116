//! The national holiday list, as the Cabinet Office publishes it each February (CP932,
//! `2026/9/22,休日`): upload it, and every city's slots on those days close.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

use super::{staff_step, upload, StaffCx};
use crate::db::schema::national_holidays;
use crate::db::tenant::Tenant;
use crate::domain::staff::Permission;
use crate::domain::{holidays, slots};
use crate::error::AppError;
use crate::http::resident::{error_page, lang_of, Outcome};
use crate::http::AppState;

const KIND: &str = "holidays";
/// The published file is a few kilobytes.
const MAX_BYTES: u64 = 1024 * 1024;

fn page(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
) -> Result<Outcome, AppError> {
    let upcoming: Vec<(chrono::NaiveDate, String)> = national_holidays::table
        .filter(national_holidays::day.ge(cx.clock.today()))
        .order(national_holidays::day)
        .limit(30)
        .select((national_holidays::day, national_holidays::name))
        .load(conn)?;
    let form = Form {
        action: cx.console_url("holidays"),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![Input::File {
            id: "file".into(),
            label: cx.text("holidays_file_label"),
            hint: cx.text("holidays_file_hint"),
            accept: ".csv,text/csv".into(),
        }],
        submit: cx.text("holidays_import"),
        inline: false,
    };
    let table = Table {
        caption: cx.text("holidays_upcoming"),
        headers: ["phone_day", "holidays_name"]
            .iter()
            .map(|k| Header::plain(cx.text(k)))
            .collect(),
        rows: upcoming
            .into_iter()
            .map(|(day, name)| vec![Cell::Text(day.to_string()), Cell::Text(name)])
            .collect(),
        empty_text: cx.text("holidays_none"),
    };
    let blocks = vec![
        Block::Form(form),
        Block::Heading(cx.text("holidays_upcoming")),
        Block::Table(table),
    ];
    cx.page(status, "holidays_title", notice, blocks)
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ImportData,
        None,
        |conn, cx, _| {
            let notice = cx
                .param("imported")
                .map(|n| (true, tf(cx.lang, "holidays_imported", &[("n", &n)])));
            page(conn, cx, StatusCode::OK, notice)
        },
    )
    .await
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: Multipart,
) -> HttpResponse {
    let (fields, saved) = match upload::receive(&state, KIND, MAX_BYTES, payload).await {
        Ok(received) => received,
        Err(error) => return error_page(&req, lang_of(&req), &error),
    };
    let file = saved.map(|u| (upload::path(&state, KIND, &u.token), u.file_name));
    staff_step(
        &state,
        &req,
        path.into_inner(),
        Permission::ImportData,
        Some(fields),
        move |conn, cx, _| {
            let Some((path, file_name)) = file else {
                let notice = Some((false, cx.text("cards_choose_file")));
                return page(conn, cx, StatusCode::UNPROCESSABLE_ENTITY, notice);
            };
            let bytes = std::fs::read(&path).unwrap_or_default();
            let _ = std::fs::remove_file(&path);
            if bytes.len() as u64 > MAX_BYTES {
                let notice = Some((false, cx.text("holidays_too_large")));
                return page(conn, cx, StatusCode::UNPROCESSABLE_ENTITY, notice);
            }
            let imported = match holidays::import(conn, &bytes) {
                Ok(imported) => imported,
                Err(problem) => {
                    let text = tf(
                        cx.lang,
                        "holidays_refused",
                        &[("why", &problem.to_string())],
                    );
                    return page(
                        conn,
                        cx,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some((false, text)),
                    );
                }
            };
            // Holidays close slots in every city that closes on them.
            for tenant in Tenant::all(conn)? {
                slots::generate_horizon(conn, &cx.clock, &tenant)?;
            }
            cx.audit(
                conn,
                "holidays.import",
                &file_name,
                json!({ "rows": imported.rows, "written": imported.written }),
            )?;
            Ok(Outcome::Redirect(format!(
                "{}&imported={}",
                cx.console_url("holidays"),
                imported.rows
            )))
        },
    )
    .await
}
