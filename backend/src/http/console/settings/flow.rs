//! What every settings form does after its fields are read: a preview of the changes the
//! city's tenant file would undergo, or the save, checked against the version previewed
//! and written to the operation log with its before → after lines.

use actix_web::http::StatusCode;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Input};
use serde_json::json;

use crate::domain::settings::{self, NotSaved};
use crate::domain::tenant_file::TenantFile;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;

/// Where a settings form stands when it is shown again.
pub(super) struct Shown<'a> {
    pub status: StatusCode,
    pub notice: Option<(bool, String)>,
    /// The version its save button will send.
    pub version: &'a str,
    /// The changes it makes, when this is a preview.
    pub changes: Option<&'a [String]>,
}

/// Previews `wanted` (the city's file as the form would make it), or saves it when the
/// form asked to (`step` = `save`) and the settings are still at `seen`. `show` draws the
/// form again; `action` names the save in the operation log.
#[allow(clippy::too_many_arguments)]
pub(super) fn preview_or_save(
    conn: &mut PgConnection,
    cx: &StaffCx,
    step: &str,
    seen: &str,
    now: &str,
    wanted: &TenantFile,
    action: &str,
    show: impl Fn(&mut PgConnection, &StaffCx, Shown) -> Result<Outcome, AppError>,
) -> Result<Outcome, AppError> {
    if step != "save" {
        let changes = settings::preview(conn, wanted)?;
        let shown = Shown {
            status: StatusCode::OK,
            notice: None,
            version: now,
            changes: Some(&changes),
        };
        return show(conn, cx, shown);
    }
    match settings::save(conn, &cx.clock, &cx.tenant, seen, wanted)? {
        Ok(changes) => {
            cx.audit(conn, action, &cx.tenant.code, json!({ "changes": changes }))?;
            Ok(cx.back_with("settings", Notice::SettingsSaved))
        }
        Err(NotSaved::ChangedMeanwhile) => {
            // What the form would change now, against the settings as they stand.
            let changes = settings::preview(conn, wanted)?;
            let shown = Shown {
                status: StatusCode::CONFLICT,
                notice: Some((false, cx.text("settings_changed_meanwhile"))),
                version: now,
                changes: Some(&changes),
            };
            show(conn, cx, shown)
        }
    }
}

/// The preview's blocks, and the save button with the version in the form's fields.
pub(super) fn preview_blocks(cx: &StaffCx, shown: &Shown, fields: &mut Vec<Input>) -> Vec<Block> {
    fields.push(Input::hidden("version", shown.version));
    let Some(changes) = shown.changes else {
        return Vec::new();
    };
    let mut blocks = vec![Block::Heading(cx.text("settings_preview"))];
    if changes.is_empty() {
        blocks.push(Block::Text(cx.text("settings_no_changes")));
    } else {
        blocks.push(Block::Text(cx.text("settings_preview_lead")));
        blocks.push(Block::Preformatted(changes.join("\n")));
        fields.push(Input::Submit {
            name: "step".into(),
            value: "save".into(),
            label: cx.text("settings_save"),
        });
    }
    blocks
}
