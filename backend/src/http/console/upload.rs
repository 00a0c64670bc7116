//! Files uploaded to the console (card data, holiday lists): the form's fields and the file,
//! saved under `var/uploads` with a random name, so that a preview and its confirmation
//! read the same bytes.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use actix_multipart::Multipart;
use futures_util::TryStreamExt;

use crate::domain::input::new_client_token;
use crate::error::AppError;
use crate::http::AppState;

/// A saved upload: its token (the name under `var/uploads`) and the name it had.
pub struct Upload {
    pub token: String,
    pub file_name: String,
}

pub fn path(state: &AppState, kind: &str, token: &str) -> PathBuf {
    state
        .config
        .var_dir
        .join("uploads")
        .join(format!("{kind}-{token}.upload"))
}

/// An upload token is ours only if it is made of the letters we make tokens from.
pub fn valid_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Reads a multipart form: text fields into the map, the field named `file` saved to disk.
/// Past `max_bytes` the rest of the file is drained, not stored; the reader of the saved
/// file sees one byte over the limit and refuses it.
pub async fn receive(
    state: &AppState,
    kind: &str,
    max_bytes: u64,
    mut payload: Multipart,
) -> Result<(HashMap<String, String>, Option<Upload>), AppError> {
    let mut fields = HashMap::new();
    let mut upload = None;
    let fail =
        |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("reading the upload: {e}"));
    while let Some(mut field) = payload.try_next().await.map_err(|e| fail(&e))? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        match file_name {
            Some(file_name) if name == "file" && !file_name.is_empty() => {
                let token = new_client_token(&mut rand::thread_rng());
                let target = path(state, kind, &token);
                if let Some(folder) = target.parent() {
                    std::fs::create_dir_all(folder).map_err(|e| fail(&e))?;
                }
                let mut file = std::fs::File::create(&target).map_err(|e| fail(&e))?;
                let mut written = 0u64;
                while let Some(chunk) = field.try_next().await.map_err(|e| fail(&e))? {
                    if written <= max_bytes {
                        let room = (max_bytes + 1 - written).min(chunk.len() as u64) as usize;
                        file.write_all(&chunk[..room]).map_err(|e| fail(&e))?;
                    }
                    written += chunk.len() as u64;
                }
                upload = Some(Upload { token, file_name });
            }
            _ => {
                let mut value = Vec::new();
                while let Some(chunk) = field.try_next().await.map_err(|e| fail(&e))? {
                    if value.len() < 4096 {
                        value.extend_from_slice(&chunk);
                    }
                }
                fields.insert(name, String::from_utf8_lossy(&value).into_owned());
            }
        }
    }
    Ok((fields, upload))
}
