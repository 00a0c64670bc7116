//! Files uploaded to the console (card data): read only after the session, permission and
//! CSRF checks (`staff_gate`), one file a request within a limit on the whole body, saved
//! under `var/uploads` with a random name bound to the tenant, so that a preview and its
//! confirmation read the same bytes. Every path removes the file when it is done with it;
//! what a closed browser leaves is swept after an hour, and all of it when the server
//! starts.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use futures_util::TryStreamExt;

use crate::domain::input::new_client_token;
use crate::error::AppError;
use crate::http::state::AppState;

/// How long a kept upload (a previewed file, the notice data) may wait for its next step.
pub const KEPT_FOR: Duration = Duration::from_secs(3600);
/// Text fields of an upload form, and the bytes of each.
const MAX_FIELDS: usize = 16;
const MAX_FIELD_BYTES: usize = 4096;

/// A saved upload: its token (part of its name under `var/uploads`) and the name it had.
pub struct Upload {
    pub token: String,
    pub file_name: String,
}

fn folder(state: &AppState) -> PathBuf {
    state.config.var_dir.join("uploads")
}

/// Where an upload of `kind` for the tenant is kept: another tenant's token finds nothing.
pub fn path(state: &AppState, kind: &str, tenant_id: i64, token: &str) -> PathBuf {
    folder(state).join(format!("{kind}-{tenant_id}-{token}.upload"))
}

/// The kept file of a token, while it is ours and has not outlived `KEPT_FOR`.
pub fn kept(state: &AppState, kind: &str, tenant_id: i64, token: &str) -> Option<PathBuf> {
    if !valid_token(token) {
        return None;
    }
    let path = path(state, kind, tenant_id, token);
    let age = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())?;
    if age > KEPT_FOR {
        let _ = std::fs::remove_file(&path);
        return None;
    }
    Some(path)
}

/// Keeps `data` at `path`, dated by this process's clock: the file system dates a new file
/// by the kernel's, which differs from the process's when its clock is moved (libfaketime
/// in the tests), and `kept` and `sweep` compare the date with the process's clock.
pub fn write_kept(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(data)?;
    file.set_modified(SystemTime::now())
}

/// An upload token is ours only if it is made of the letters we make tokens from.
pub fn valid_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Removes the uploads older than `KEPT_FOR` (all of them with `everything`, at start).
pub fn sweep(var_dir: &Path, everything: bool) -> usize {
    let Ok(entries) = std::fs::read_dir(var_dir.join("uploads")) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_none_or(|age| age > KEPT_FOR);
        if (everything || old) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Reads a multipart form of at most `max_bytes` in all: text fields into the map, the one
/// field named `file` saved to disk. A larger body, a second file or too many fields are
/// refused, and nothing is left behind.
pub async fn receive(
    state: &AppState,
    req: &HttpRequest,
    kind: &str,
    tenant_id: i64,
    max_bytes: u64,
    payload: Multipart,
) -> Result<(HashMap<String, String>, Option<Upload>), AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Room for the form's other fields and the multipart framing around the file.
    let limit = max_bytes + 64 * 1024;
    if declared.is_some_and(|len| len > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut saved: Option<PathBuf> = None;
    let result = read_parts(state, kind, tenant_id, limit, payload, &mut saved).await;
    if result.is_err() {
        if let Some(path) = saved {
            let _ = std::fs::remove_file(path);
        }
    }
    result
}

async fn read_parts(
    state: &AppState,
    kind: &str,
    tenant_id: i64,
    limit: u64,
    mut payload: Multipart,
    saved: &mut Option<PathBuf>,
) -> Result<(HashMap<String, String>, Option<Upload>), AppError> {
    let mut fields = HashMap::new();
    let mut upload = None;
    let mut total = 0u64;
    let fail = |e: &dyn std::fmt::Display| {
        AppError::invalid_with(
            "file",
            "invalid_upload_unreadable",
            &[("problem", &e.to_string())],
        )
    };
    while let Some(mut field) = payload.try_next().await.map_err(|e| fail(&e))? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        match file_name {
            Some(file_name) if name == "file" && !file_name.is_empty() => {
                if upload.is_some() {
                    return Err(AppError::invalid("file", "invalid_one_file"));
                }
                let token = new_client_token(&mut rand::thread_rng());
                let target = path(state, kind, tenant_id, &token);
                if let Some(folder) = target.parent() {
                    std::fs::create_dir_all(folder).map_err(|e| fail(&e))?;
                }
                let mut file = std::fs::File::create(&target).map_err(|e| fail(&e))?;
                *saved = Some(target);
                while let Some(chunk) = field.try_next().await.map_err(|e| fail(&e))? {
                    total += chunk.len() as u64;
                    if total > limit {
                        return Err(AppError::PayloadTooLarge);
                    }
                    file.write_all(&chunk).map_err(|e| fail(&e))?;
                }
                // Dated by this process's clock, as `write_kept` dates its files.
                file.set_modified(SystemTime::now()).map_err(|e| fail(&e))?;
                upload = Some(Upload { token, file_name });
            }
            _ => {
                if fields.len() >= MAX_FIELDS {
                    return Err(AppError::PayloadTooLarge);
                }
                let mut value = Vec::new();
                while let Some(chunk) = field.try_next().await.map_err(|e| fail(&e))? {
                    total += chunk.len() as u64;
                    if total > limit || value.len() + chunk.len() > MAX_FIELD_BYTES {
                        return Err(AppError::PayloadTooLarge);
                    }
                    value.extend_from_slice(&chunk);
                }
                fields.insert(name, String::from_utf8_lossy(&value).into_owned());
            }
        }
    }
    Ok((fields, upload))
}
