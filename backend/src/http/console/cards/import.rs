//! Uploading a J-LIS card file: the upload is kept under `var/uploads`, previewed (the
//! whole import, rolled back), and imported only when the administrator confirms the
//! preview. The history of imports is listed under the form.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

use crate::db::card::CardImportSummary;
use crate::domain::card_import::{self, ImportReport, ImportRequest, MAX_FILE_BYTES};
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::upload;
use crate::http::error_pages::error_page;
use crate::http::extract::{NoFields, Submitted};
use crate::http::page::{lang_of, query_of, Outcome};
use crate::http::page::{PageRequest, Posted};

const KIND: &str = "cards";
/// The notice printer's data of an import, kept until its one download (an hour at most).
const NOTICES: &str = "notices";

fn history(conn: &mut PgConnection, cx: &StaffCx) -> Result<Table, AppError> {
    let rows = CardImportSummary::latest(conn, cx.tenant.id, 20)?;
    Ok(Table {
        caption: cx.text("cards_import_history"),
        headers: [
            "staff_when",
            "staff_actor",
            "cards_file",
            "cards_sha256",
            "cards_encoding",
            "cards_rows",
            "cards_new",
            "cards_changed",
            "cards_unchanged",
        ]
        .iter()
        .map(|key| Header::plain(cx.text(key)))
        .collect(),
        rows: rows
            .into_iter()
            .map(|import| {
                vec![
                    Cell::Text(
                        import
                            .created_at
                            .with_timezone(&cx.clock.tz)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    ),
                    Cell::Text(import.actor),
                    Cell::Text(import.file_name),
                    Cell::Code(import.sha256[..12].to_string()),
                    Cell::Code(import.encoding),
                    Cell::Text(import.rows_read.to_string()),
                    Cell::Text(import.new_cards.to_string()),
                    Cell::Text(import.changed_cards.to_string()),
                    Cell::Text(import.unchanged_cards.to_string()),
                ]
            })
            .collect(),
        empty_text: cx.text("cards_no_imports"),
    })
}

fn upload_form(cx: &StaffCx) -> Form {
    Form {
        action: cx.console_url("cards/import"),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![Input::File {
            id: "file".into(),
            label: cx.text("cards_file_label"),
            hint: tf(
                cx.lang,
                "cards_file_hint",
                &[("max", &(MAX_FILE_BYTES / 1024 / 1024).to_string())],
            ),
            accept: ".csv,text/csv".into(),
        }],
        submit: cx.text("cards_preview"),
        inline: false,
    }
}

fn import_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
    mut blocks: Vec<Block>,
) -> Result<Outcome, AppError> {
    blocks.push(Block::Heading(cx.text("cards_upload")));
    blocks.push(Block::Form(upload_form(cx)));
    blocks.push(Block::Heading(cx.text("cards_import_history")));
    blocks.push(Block::Table(history(conn, cx)?));
    cx.page(status, "cards_import_title", notice, blocks)
}

pub async fn form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ImportData, |conn, cx| {
            let notice = cx
                .param("imported")
                .map(|counts| (true, tf(cx.lang, "cards_imported", &[("counts", &counts)])));
            // After an import in password mode: the one download of the notice data.
            let blocks = cx
                .param("notices")
                .filter(|token| upload::valid_token(token))
                .map(|token| {
                    vec![
                        Block::Text(cx.text("cards_notices_once")),
                        Block::Links(vec![(
                            cx.console_url(&format!("cards/import/notices/{token}")),
                            cx.text("cards_notices_download"),
                        )]),
                    ]
                })
                .unwrap_or_default();
            import_page(conn, cx, StatusCode::OK, notice, blocks)
        })
        .await
}

/// The counts of a report as one line: "200 rows: 200 new, 0 changed, 0 unchanged".
fn counts(cx: &StaffCx, report: &ImportReport) -> String {
    tf(
        cx.lang,
        "cards_counts",
        &[
            ("rows", &report.rows.to_string()),
            ("new", &report.new_cards.to_string()),
            ("changed", &report.changed_cards.to_string()),
            ("unchanged", &report.unchanged_cards.to_string()),
        ],
    )
}

fn problem_table(cx: &StaffCx, report: &ImportReport) -> Table {
    Table {
        caption: cx.text("cards_problems"),
        headers: ["cards_line", "cards_column", "cards_reason"]
            .iter()
            .map(|key| Header::plain(cx.text(key)))
            .collect(),
        rows: report
            .problems
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(if p.line > 0 {
                        p.line.to_string()
                    } else {
                        String::new()
                    }),
                    Cell::Text(p.column.clone().unwrap_or_default()),
                    Cell::Text(p.reason(cx.lang)),
                ]
            })
            .collect(),
        empty_text: String::new(),
    }
}

fn run_import(
    conn: &mut PgConnection,
    cx: &StaffCx,
    path: &std::path::Path,
    file_name: &str,
    commit: bool,
) -> Result<ImportReport, AppError> {
    let file =
        std::fs::File::open(path).map_err(|_| AppError::NotFound(crate::error::Resource::Page))?;
    let size = file.metadata().ok().map(|m| m.len());
    let actor = format!("staff:{}", cx.account.login);
    let request = ImportRequest {
        file_name,
        actor: &actor,
        commit,
    };
    card_import::run(conn, &cx.clock, &cx.tenant, file, size, &request)
}

pub async fn upload(
    request: PageRequest,
    path: web::Path<String>,
    payload: Multipart,
) -> HttpResponse {
    let _tenant_code = path.into_inner();
    // Nothing of the body is read before the session, permission and CSRF token are.
    let tenant_id = match request.staff_gate(Permission::ImportData).await {
        Ok(tenant_id) => tenant_id,
        Err(refused) => return refused,
    };
    let received = upload::receive(
        &request.state,
        &request.req,
        KIND,
        tenant_id,
        MAX_FILE_BYTES,
        payload,
    )
    .await;
    // The form's other parts say nothing the import needs; the token came in the address.
    let (_other_parts, upload) = match received {
        Ok(received) => received,
        Err(error) => return error_page(&request.req, lang_of(&request.req), &error),
    };
    let form = Submitted {
        csrf: query_of(&request.req)
            .get("csrf")
            .cloned()
            .unwrap_or_default(),
        fields: NoFields {},
    };
    let saved = upload.map(|u| {
        let path = upload::path(&request.state, KIND, tenant_id, &u.token);
        (path, u.token, u.file_name)
    });
    let cleanup = saved.as_ref().map(|(path, _, _)| path.clone());
    let response = request
        .staff_submit(Permission::ImportData, form, move |conn, cx, _| {
            let Some((path, token, file_name)) = saved.clone() else {
                let notice = Some((false, cx.text("cards_choose_file")));
                return import_page(
                    conn,
                    cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    notice,
                    Vec::new(),
                );
            };
            let report = run_import(conn, cx, &path, &file_name, false)?;
            let mut blocks = vec![Block::Facts(vec![
                (cx.text("cards_file"), file_name.clone()),
                (cx.text("cards_encoding"), report.encoding.to_string()),
            ])];
            if report.problem_count > 0 {
                let _ = std::fs::remove_file(&path);
                let text = tf(
                    cx.lang,
                    "cards_refused",
                    &[("n", &report.problem_count.to_string())],
                );
                blocks.push(Block::Table(problem_table(cx, &report)));
                return import_page(
                    conn,
                    cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((false, text)),
                    blocks,
                );
            }
            blocks.push(Block::Text(counts(cx, &report)));
            blocks.push(Block::Form(Form {
                action: cx.console_url("cards/import/commit"),
                post: true,
                csrf: Some(cx.session.csrf_token.clone()),
                inputs: vec![
                    Input::hidden("upload", token),
                    Input::hidden("file_name", file_name),
                ],
                submit: cx.text("cards_commit"),
                inline: false,
            }));
            let notice = Some((true, cx.text("cards_previewed")));
            cx.page(StatusCode::OK, "cards_import_title", notice, blocks)
        })
        .await;
    // A previewed file waits for its confirmation; any other answer leaves nothing behind.
    if response.status() != StatusCode::OK {
        if let Some(path) = cleanup {
            let _ = std::fs::remove_file(path);
        }
    }
    response
}

/// The import to carry out: the kept upload's token and the file's name.
#[derive(serde::Deserialize, Default, Clone)]
pub struct CommitForm {
    #[serde(default)]
    upload: String,
    #[serde(default)]
    file_name: String,
}

pub async fn commit(request: Posted<CommitForm>) -> HttpResponse {
    let token = request.form.fields.upload.clone();
    let notices_token = crate::domain::input::new_client_token(&mut rand::thread_rng());
    let state_for_files = request.state.clone();
    request.staff_step(Permission::ImportData, move |conn, cx, form| {
        let file_name = form.file_name;
        let notices_path = upload::path(&state_for_files, NOTICES, cx.tenant.id, &notices_token);
        let Some(path) = upload::kept(&state_for_files, KIND, cx.tenant.id, &token) else {
            let notice = Some((false, cx.text("cards_upload_gone")));
            return import_page(conn, cx, StatusCode::GONE, notice, Vec::new());
        };
        let report = run_import(conn, cx, &path, &file_name, true)?;
        let _ = std::fs::remove_file(&path);
        if !report.committed {
            let text = tf(cx.lang, "cards_refused", &[("n", &report.problem_count.to_string())]);
            let blocks = vec![Block::Table(problem_table(cx, &report))];
            return import_page(conn, cx, StatusCode::UNPROCESSABLE_ENTITY, Some((false, text)), blocks);
        }
        cx.audit(
            conn,
            "card.import",
            &file_name,
            json!({ "sha256": report.sha256, "new": report.new_cards, "changed": report.changed_cards }),
        )?;
        let done = crate::http::extract::url_encode(&counts(cx, &report));
        let mut next = format!("{}&imported={done}", cx.console_url("cards/import"));
        if let Some(data) = &report.notices {
            upload::write_kept(&notices_path, data)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("keeping the notice data: {e}")))?;
            next.push_str(&format!("&notices={notices_token}"));
        }
        Ok(Outcome::Redirect(next))
    })
    .await
}

/// The notice printer's data, once: the file is removed as it is handed out.
pub async fn notices(request: PageRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (_, token) = path.into_inner();
    let state_for_files = request.state.clone();
    request
        .staff_step(Permission::ImportData, move |conn, cx| {
            // Only this city's notice data, within the hour after its import.
            let file = upload::kept(&state_for_files, NOTICES, cx.tenant.id, &token);
            let data = file
                .as_ref()
                .and_then(|path| std::fs::read(path).ok())
                .ok_or(AppError::NotFound(crate::error::Resource::Page))?;
            if let Some(path) = &file {
                let _ = std::fs::remove_file(path);
            }
            cx.audit(
                conn,
                "card.notices_downloaded",
                &token,
                json!({ "bytes": data.len() }),
            )?;
            Ok(Outcome::File {
                content_type: "text/csv; charset=utf-8",
                body: data.into(),
            })
        })
        .await
}
