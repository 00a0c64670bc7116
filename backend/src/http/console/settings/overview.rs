//! The city's settings as its staff read them, and the tenant file they make: the same
//! model `madoguchi tenant apply` reads, so an exported file applies with no changes.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use madoguchi_frontend::pages::console::kit::Block;
use serde_json::json;

use crate::domain::mail::settings::MailRules;
use crate::domain::staff::Permission;
use crate::domain::tenant_file;
use crate::domain::{archive, retention};
use crate::error::AppError;
use crate::http::console::csv_export;
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::{Outcome, PageRequest};

fn yes_no(cx: &StaffCx, value: bool) -> String {
    cx.text(if value { "settings_yes" } else { "settings_no" })
}

/// The rules residents and staff meet, as label and value.
pub(super) fn rules(cx: &StaffCx, mail: MailRules) -> Vec<(String, String)> {
    let s = &cx.tenant.settings;
    let deadline = |days: i32, at: chrono::NaiveTime| {
        madoguchi_frontend::i18n::tf(
            cx.lang,
            "settings_deadline_value",
            &[
                ("days", &days.to_string()),
                ("at", &at.format("%H:%M").to_string()),
            ],
        )
    };
    let networks = if s.staff_networks.is_empty() {
        cx.text("settings_anywhere")
    } else {
        s.staff_networks.join(", ")
    };
    vec![
        (
            cx.text("settings_booking_opens_days"),
            s.booking_opens_days.to_string(),
        ),
        (
            cx.text("settings_cutoff"),
            deadline(s.cutoff_days_before, s.cutoff_time),
        ),
        (
            cx.text("settings_change_deadline"),
            deadline(s.change_deadline_days_before, s.change_deadline_time),
        ),
        (cx.text("settings_hold_minutes"), s.hold_minutes.to_string()),
        (
            cx.text("settings_max_party_size"),
            s.max_party_size.to_string(),
        ),
        (
            cx.text("settings_pickup_number"),
            cx.text(&format!("settings_pickup_number_{}", s.pickup_number_kind)),
        ),
        (
            cx.text("settings_pickup_proof"),
            cx.text(&format!("settings_pickup_proof_{}", s.pickup_proof_kind)),
        ),
        (
            cx.text("settings_allow_transfers"),
            yes_no(cx, s.allow_transfers),
        ),
        (
            cx.text("settings_closed_on_national_holidays"),
            yes_no(cx, s.closed_on_national_holidays),
        ),
        (
            cx.text("settings_closed_over_new_year"),
            yes_no(cx, s.closed_over_new_year),
        ),
        (
            cx.text("settings_reminder_hour"),
            format!("{}:00", mail.reminder_hour),
        ),
        (
            cx.text("settings_confirm_email"),
            yes_no(cx, mail.confirm_email),
        ),
        (cx.text("settings_inquiry_phone"), s.inquiry_phone.clone()),
        (
            cx.text("settings_staff_idle_minutes"),
            s.staff_idle_minutes.to_string(),
        ),
        (
            cx.text("settings_staff_password"),
            madoguchi_frontend::i18n::tf(
                cx.lang,
                if s.staff_password_mixed {
                    "settings_staff_password_mixed"
                } else {
                    "settings_staff_password_length"
                },
                &[("n", &s.staff_password_min_length.to_string())],
            ),
        ),
        (cx.text("settings_staff_networks"), networks),
    ]
}

/// How long the city's data is kept (docs/data-lifecycle.md), set by the operator.
fn retention_facts(cx: &StaffCx, rules: retention::Rules) -> Vec<(String, String)> {
    let days =
        |n: i32| madoguchi_frontend::i18n::tf(cx.lang, "retention_days", &[("n", &n.to_string())]);
    vec![
        (
            cx.text("retention_operation_log"),
            days(rules.operation_log_days),
        ),
        (
            cx.text("retention_personal_data"),
            rules.personal_data_days.map_or_else(
                || cx.text("retention_kept"),
                |n| {
                    madoguchi_frontend::i18n::tf(
                        cx.lang,
                        "retention_after_visit",
                        &[("n", &n.to_string())],
                    )
                },
            ),
        ),
        (cx.text("retention_mail_files"), days(rules.file_days)),
    ]
}

/// What residents are asked for their contact: each field required, optional or off.
fn contact(cx: &StaffCx) -> Vec<(String, String)> {
    let s = &cx.tenant.settings;
    [
        ("contact_email", s.contact_email),
        ("contact_phone", s.contact_phone),
        ("contact_name", s.contact_name),
    ]
    .into_iter()
    .map(|(label, rule)| (cx.text(label), cx.text(&format!("settings_contact_{rule}"))))
    .collect()
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewSettings, |conn, cx| {
            let mail = MailRules::of_tenant(conn, cx.tenant.id)?;
            let retention = retention::rules(conn, cx.tenant.id)?;
            let mut links = Vec::new();
            if cx.may(Permission::ManageSettings) {
                for (page, label) in [
                    ("settings/rules", "settings_edit_rules"),
                    ("settings/texts", "texts_title"),
                    ("settings/translations", "translations_title"),
                    ("settings/maintenance", "maintenance_title"),
                    ("settings/notices", "staff_notices_title"),
                ] {
                    links.push((cx.console_url(page), cx.text(label)));
                }
            }
            links.push((
                cx.console_url("settings/procedures"),
                cx.text("procedures_title"),
            ));
            links.push((
                cx.console_url("settings/locations"),
                cx.text("locations_title"),
            ));
            links.push((
                cx.console_url("settings/tenant.toml"),
                cx.text("settings_export"),
            ));
            if cx.may(Permission::ExportCityData) {
                links.push((cx.console_url("settings/data.zip"), cx.text("data_export")));
            }
            let notice = cx.notice_among(&[Notice::SettingsSaved]);
            let blocks = vec![
                Block::Text(cx.text("settings_lead")),
                Block::Links(links),
                Block::Heading(cx.text("settings_rules")),
                Block::Facts(rules(cx, mail)),
                Block::Heading(cx.text("settings_contact")),
                Block::Facts(contact(cx)),
                Block::Heading(cx.text("retention_title")),
                Block::Facts(retention_facts(cx, retention)),
            ];
            cx.page(StatusCode::OK, "settings_title", notice, blocks)
        })
        .await
}

/// The city's tenant file, for the operator or for keeping: logged as an export.
pub async fn export(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ViewSettings, |conn, cx| {
            let file = tenant_file::export(conn, &cx.tenant).map_err(AppError::Internal)?;
            let text = tenant_file::to_toml(
                &file,
                &cx.clock.now.with_timezone(&cx.clock.tz).to_rfc3339(),
            )
            .map_err(AppError::Internal)?;
            cx.audit(conn, "settings.export", "tenant.toml", json!({}))?;
            Ok(Outcome::Download {
                content_type: "application/toml; charset=utf-8",
                filename: format!("tenant-{}.toml", cx.tenant.code),
                body: text.into(),
            })
        })
        .await
}

/// All of the city's data as a zip of CSV files (docs/data-lifecycle.md), for the day the
/// city changes contractor: administrators only, logged before the first byte, and
/// streamed from one database snapshot as it is written.
pub async fn export_all(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ExportCityData, move |conn, cx| {
            cx.audit(conn, "data.export", "data.zip", json!({}))?;
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            let (pool, tenant, now) = (pool.clone(), cx.tenant.clone(), cx.clock.now);
            actix_web::rt::task::spawn_blocking(move || {
                let written = pool
                    .get()
                    .map_err(anyhow::Error::from)
                    .and_then(|mut conn| {
                        crate::db::act_for_tenant(&mut conn, Some(tenant.id))?;
                        let writer = csv_export::ChunkWriter::new(tx);
                        let (_, mut writer) = archive::export(&mut conn, &tenant, writer, now)?;
                        std::io::Write::flush(&mut writer)?;
                        Ok(())
                    });
                if let Err(e) = written {
                    tracing::error!("data export of {} stopped: {e:#}", tenant.code);
                }
            });
            Ok(Outcome::Stream {
                content_type: "application/zip",
                filename: format!("madoguchi-{}-{}.zip", cx.tenant.code, cx.clock.today()),
                chunks: rx,
            })
        })
        .await
}
