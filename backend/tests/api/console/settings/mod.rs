//! The settings pages: who may read them, and the tenant file they export.

mod closures;
mod counters;
mod procedures;
mod timetables;
mod translations;

use diesel::prelude::*;
use madoguchi::db::schema::audit_log;
use madoguchi::domain::tenant_file;

use super::{log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_read_the_rules_and_export_a_file_that_applies_unchanged() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);

    let clerk = logged_in(&app, "clerk").await;
    for path in ["/town/staff/settings", "/town/staff/settings/tenant.toml"] {
        let status = clerk.get(app.url(path)).send().await.unwrap().status();
        assert_eq!(status, 403, "{path}");
    }

    let admin = logged_in(&app, "admin").await;
    let page = page_of(&admin, &app.url("/town/staff/settings")).await;
    assert!(page.contains("予約の決まり"), "{page}");
    assert!(page.contains("変更・取消の締切"));
    assert!(page.contains("/town/staff/settings/tenant.toml"));

    let response = admin
        .get(app.url("/town/staff/settings/tenant.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(disposition, "attachment; filename=\"tenant-town.toml\"");
    let text = response.text().await.unwrap();
    let file = tenant_file::parse(&text).expect("the export is a tenant file");
    assert_eq!(file.code, "town");
    let report = tenant_file::apply(&mut app.conn(), &file, true).unwrap();
    assert_eq!(report.changes, Vec::<String>::new(), "{text}");

    let exports: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("settings.export"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(exports, 1);
}

/// The rules form as the town's rules stand, with `changed` fields in place.
fn rules_form(csrf: &str, version: &str, changed: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", csrf),
        ("version", version),
        ("booking_opens_days", "60"),
        ("cutoff_days_before", "1"),
        ("cutoff_at", "17:00"),
        ("change_days_before", "1"),
        ("change_at", "17:00"),
        ("hold_minutes", "10"),
        ("max_party_size", "4"),
        ("pickup_number", "reservation_number"),
        ("pickup_proof", "birth_date"),
        ("reminder_hour", "9"),
        ("inquiry_phone", ""),
        ("contact_email", "required"),
        ("contact_phone", "optional"),
        ("contact_name", "off"),
        ("staff_idle_minutes", "20"),
        ("staff_password_min_length", "8"),
        ("staff_password_mixed", "1"),
        ("staff_networks", ""),
    ];
    for (name, value) in changed {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// The value of the hidden `version` field of a page.
fn version_of(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn text_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Form fields as the client sends them.
fn owned(fields: Vec<(&str, String)>) -> Vec<(String, String)> {
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// Sends a settings form (made by `fields` from a version and a step) to be previewed at
/// the version of `form`, then saved at the version the preview shows; the preview page.
async fn preview_then_save(
    client: &reqwest::Client,
    url: &str,
    form: &str,
    fields: impl Fn(&str, &str) -> Vec<(String, String)>,
) -> String {
    let (status, preview) = text_of(post(client, url, &fields(&version_of(form), "")).await).await;
    assert_eq!(status, 200, "{preview}");
    let saved = post(client, url, &fields(&version_of(&preview), "save")).await;
    assert_eq!(saved.status(), 303);
    preview
}

/// A client of its own with `login` logged in to the town's console.
async fn logged_in(app: &TestApp, login: &str) -> reqwest::Client {
    let client = new_client();
    log_in(app, &client, login, PASSWORD).await;
    client
}

async fn page_of(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// The rules form with `changed`, sent to be saved.
fn saving(csrf: &str, version: &str, changed: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = rules_form(csrf, version, changed);
    fields.push(("step".into(), "save".into()));
    fields
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    client.post(url).form(fields).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_previews_a_rule_change_then_saves_it_and_the_log_keeps_both_values() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/rules");
    let form = page_of(&admin, &url).await;
    let (csrf, version) = (csrf_of(&form), version_of(&form));
    assert!(form.contains("value=\"17:00\""), "{form}");

    // The preview lists what changes and keeps everything as it was.
    let changed = [("change_at", "12:00"), ("hold_minutes", "15")];
    let (status, preview) =
        text_of(post(&admin, &url, &rules_form(&csrf, &version, &changed)).await).await;
    assert_eq!(status, 200);
    assert!(preview.contains("この変更で変わること"), "{preview}");
    assert!(
        preview.contains("時間の仮押さえ（分）: 10 → 15"),
        "{preview}"
    );
    assert!(
        preview.contains("変更・取消の締切（時刻、例 17:00）: \"17:00:00\" → \"12:00:00\""),
        "{preview}"
    );
    let stored = madoguchi::db::tenant::Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    assert_eq!(stored.hold_minutes, 10, "a preview saves nothing");

    let save = saving(&csrf, &version_of(&preview), &changed);
    let response = post(&admin, &url, &save).await;
    assert_eq!(response.status(), 303);
    let location = crate::helpers::location_of(&response);
    assert!(location.contains("notice=settings_saved"), "{location}");
    let stored = madoguchi::db::tenant::Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    assert_eq!(stored.hold_minutes, 15);
    assert_eq!(stored.change_deadline_time.to_string(), "12:00:00");
    let details: serde_json::Value = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("settings.rules"))
        .select(audit_log::details)
        .first(&mut app.conn())
        .unwrap();
    let changes = details["changes"].to_string();
    assert!(changes.contains("hold_minutes 10 → 15"), "{changes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rules_are_named_at_their_fields_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/rules");
    let form = page_of(&admin, &url).await;
    let bad = [
        ("hold_minutes", "0"),
        ("cutoff_at", "25:99"),
        ("max_party_size", "many"),
        ("staff_networks", "192.0.2.0/24\nthe office"),
        ("contact_name", "sometimes"),
        ("step", "save"),
    ];
    let (status, page) = text_of(
        admin
            .post(&url)
            .form(&rules_form(&csrf_of(&form), &version_of(&form), &bad))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("時間の仮押さえ（分）は1から60までの数で入力してください。"),
        "{page}"
    );
    assert!(
        page.contains("は 17:00 のような時刻で入力してください。"),
        "{page}"
    );
    assert!(page.contains("一度に予約できる人数は1から10までの数で入力してください。"));
    assert!(page.contains("「the office」はアドレスの範囲"), "{page}");
    assert!(
        page.contains("「sometimes」は選べる値ではありません。"),
        "{page}"
    );
    // The form comes back as typed.
    assert!(page.contains("value=\"25:99\""));
    let stored = madoguchi::db::tenant::Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    assert_eq!(stored.hold_minutes, 10);
    assert!(stored.staff_networks.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_over_a_change_made_meanwhile_is_refused_and_shown_again() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/rules");
    let form = page_of(&admin, &url).await;
    let (csrf, seen) = (csrf_of(&form), version_of(&form));

    // Another administrator raises the party size first.
    let other = saving(&csrf, &seen, &[("max_party_size", "6")]);
    assert_eq!(post(&admin, &url, &other).await.status(), 303);

    let late = saving(&csrf, &seen, &[("hold_minutes", "20")]);
    let (status, page) = text_of(post(&admin, &url, &late).await).await;
    assert_eq!(status, 409);
    assert!(page.contains("ほかの人が設定を変更しました"), "{page}");
    // Against the settings as they are now, the late form would also undo the party size.
    assert!(page.contains("一度に予約できる人数: 6 → 4"), "{page}");
    let stored = madoguchi::db::tenant::Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    assert_eq!((stored.hold_minutes, stored.max_party_size), (10, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_read_the_settings_and_cannot_change_them() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    super::create_account_in(
        &app,
        &tenant,
        "chief",
        madoguchi::domain::staff::Role::Supervisor,
    );
    let chief = logged_in(&app, "chief").await;
    let (status, page) = text_of(
        chief
            .get(app.url("/town/staff/settings"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("/town/staff/settings/rules"),
        "no link to change them"
    );
    let url = app.url("/town/staff/settings/rules");
    assert_eq!(chief.get(&url).send().await.unwrap().status(), 403);
    let save = saving("x", "y", &[("hold_minutes", "30")]);
    assert_eq!(post(&chief, &url, &save).await.status(), 403);
    let stored = madoguchi::db::tenant::Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    assert_eq!(stored.hold_minutes, 10);

    // Procedures, counters, lanes and hours are read without a form to change them.
    for path in [
        "/town/staff/settings/procedures",
        "/town/staff/settings/procedures/apply",
        "/town/staff/settings/locations",
        "/town/staff/settings/locations/0001",
        "/town/staff/settings/locations/0001/lanes/main",
    ] {
        let (status, page) = text_of(chief.get(app.url(path)).send().await.unwrap()).await;
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("name=\"version\""), "no form on {path}");
    }
    for path in [
        "/town/staff/settings/procedures/apply",
        "/town/staff/settings/locations/0001/lanes/main/timetable",
        "/town/staff/settings/notices",
    ] {
        let sent = post(&chief, &app.url(path), &saving("x", "y", &[])).await;
        assert_eq!(sent.status(), 403, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_cannot_shut_their_own_terminal_out_of_the_console() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/rules");
    let form = page_of(&admin, &url).await;
    let save = saving(
        &csrf_of(&form),
        &version_of(&form),
        &[("staff_networks", "192.0.2.0/24")],
    );
    let (status, page) = text_of(post(&admin, &url, &save).await).await;
    assert_eq!(status, 422);
    assert!(page.contains("いま使っている端末（127.0.0.1）"), "{page}");
    // With this terminal's address among them, the ranges are taken.
    let save = saving(
        &csrf_of(&form),
        &version_of(&form),
        &[("staff_networks", "192.0.2.0/24\n127.0.0.0/8")],
    );
    assert_eq!(post(&admin, &url, &save).await.status(), 303);
    let stored = madoguchi::db::tenant::Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    assert_eq!(stored.staff_networks, vec!["192.0.2.0/24", "127.0.0.0/8"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announced_stop_shows_on_resident_and_console_pages_inside_its_window_only() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/maintenance");
    let form = page_of(&admin, &url).await;
    let csrf = csrf_of(&form);
    let now = app.clock().now.with_timezone(&chrono_tz::Asia::Tokyo);
    let at = |hours: i64| {
        (now + chrono::Duration::hours(hours))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };

    // The end before the start, and a Japanese text missing: named at their fields.
    let (status, page) = text_of(
        admin
            .post(&url)
            .form(&[
                ("csrf", csrf.as_str()),
                ("starts", &at(2)),
                ("ends", &at(1)),
                ("text_ja", ""),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("表示の終了は開始より後にしてください。"),
        "{page}"
    );
    assert!(page.contains("200文字以内"), "{page}");

    // One announcement showing now, one from tomorrow.
    for (starts, ends, text) in [
        (
            at(-1),
            at(3),
            "本日22時から翌2時まで点検のため予約できません。",
        ),
        (at(24), at(48), "来週の停止のお知らせ"),
    ] {
        let response = admin
            .post(&url)
            .form(&[
                ("csrf", csrf.as_str()),
                ("starts", &starts),
                ("ends", &ends),
                ("text_ja", text),
                ("text_en", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
    }
    let resident = new_client();
    for path in ["/town/", "/town/booking"] {
        let page = page_of(&resident, &app.url(path)).await;
        assert!(
            page.contains("本日22時から翌2時まで点検のため予約できません。"),
            "{path}: {page}"
        );
        assert!(!page.contains("来週の停止のお知らせ"), "{path}");
    }
    let console = page_of(&admin, &app.url("/town/staff/settings")).await;
    assert!(console.contains("本日22時から翌2時まで点検のため予約できません。"));

    // Removed, it is gone from every page, and both acts are in the log.
    let list = page_of(&admin, &url).await;
    let first = list
        .split("/town/staff/settings/maintenance/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let removed = admin
        .post(app.url(&format!("/town/staff/settings/maintenance/{first}/remove")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 303);
    let page = page_of(&resident, &app.url("/town/")).await;
    assert!(!page.contains("点検のため"), "{page}");
    let logged: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.like("settings.maintenance_%"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(logged, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_procedure_made_phone_only_leaves_the_resident_pages_and_stays_on_the_phone_desk() {
    let app = TestApp::spawn().await;
    town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/procedures/apply");
    let form = page_of(&admin, &url).await;
    assert!(form.contains("value=\"申請\""), "{form}");
    let fields = |version: &str, step: &str| {
        owned(vec![
            ("csrf", csrf_of(&form)),
            ("version", version.to_string()),
            ("name_ja", "申請".into()),
            ("name_en", "Application".into()),
            (
                "notes_ja",
                "本人確認書類をお持ちください。\n写真は窓口で撮れます。".into(),
            ),
            ("notes_en", String::new()),
            ("phone_only", "1".into()),
            ("step", step.to_string()),
        ])
    };
    let preview = preview_then_save(&admin, &url, &form, fields).await;
    assert!(
        preview.contains("apply: 電話でのみ受け付ける（住民の予約ページに出さない） いいえ → はい"),
        "{preview}"
    );

    let resident = new_client();
    let home = page_of(&resident, &app.url("/town/")).await;
    assert!(!home.contains("/town/book/apply/"), "{home}");
    assert!(home.contains("/town/book/pickup/"));
    let start = resident
        .get(app.url("/town/book/apply/"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 404);
    let api = page_of(&resident, &app.url("/api/v1/town/procedures")).await;
    assert!(!api.contains("\"apply\""), "{api}");

    let operator = logged_in(&app, "operator").await;
    let desk = page_of(&operator, &app.url("/town/staff/phone")).await;
    assert!(desk.contains("申請"), "{desk}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_procedure_without_a_name_is_refused_at_its_field() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/procedures/pickup");
    let form = page_of(&admin, &url).await;
    let fields: Vec<(String, String)> = [
        ("csrf", csrf_of(&form)),
        ("version", version_of(&form)),
        ("name_ja", "  ".to_string()),
        ("notes_ja", "改行\u{0007}ベル".to_string()),
        ("step", "save".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (status, page) = text_of(post(&admin, &url, &fields).await).await;
    assert_eq!(status, 422);
    assert!(page.contains("日本語の名前は必須"), "{page}");
    let names: Vec<String> =
        madoguchi::db::procedure::Procedure::for_tenant(&mut app.conn(), tenant.id)
            .unwrap()
            .into_iter()
            .map(|p| p.name_ja)
            .collect();
    assert!(names.contains(&"交付".to_string()), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_notice_is_changed_with_a_preview() {
    let app = TestApp::spawn().await;
    town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/texts");
    let form = page_of(&admin, &url).await;
    let fields = |version: &str, step: &str| {
        owned(vec![
            ("csrf", csrf_of(&form)),
            ("version", version.to_string()),
            (
                "notice_ja",
                "年末年始は12月29日から1月3日まで休みます。".into(),
            ),
            ("notice_en", "Closed 29 December to 3 January.".into()),
            ("step", step.to_string()),
        ])
    };
    let resident = new_client();
    assert!(!page_of(&resident, &app.url("/town/"))
        .await
        .contains("年末年始は"));
    let preview = preview_then_save(&admin, &url, &form, fields).await;
    assert!(
        preview.contains("お知らせ（日本語）: \"\" → \"年末年始は"),
        "{preview}"
    );
    assert!(page_of(&resident, &app.url("/town/"))
        .await
        .contains("年末年始は12月29日から1月3日まで休みます。"));
    assert!(page_of(&resident, &app.url("/town/?lang=en"))
        .await
        .contains("Closed 29 December to 3 January."));
}

/// The whole city as a zip, for administrators only, written to the log before it is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_download_all_of_the_citys_data_and_the_log_says_so() {
    use std::io::Read;

    let app = TestApp::spawn().await;
    let tenant = town(&app);
    super::booking_today(&app, &tenant, "downloaded@example.jp");
    super::create_account_in(
        &app,
        &tenant,
        "chief",
        madoguchi::domain::staff::Role::Supervisor,
    );
    for login in ["clerk", "operator", "chief"] {
        let client = logged_in(&app, login).await;
        let response = client
            .get(app.url("/town/staff/settings/data.zip"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{login}");
    }
    let anonymous = new_client()
        .get(app.url("/town/staff/settings/data.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303, "to the login page");

    let admin = logged_in(&app, "admin").await;
    let page = page_of(&admin, &app.url("/town/staff/settings")).await;
    assert!(page.contains("/town/staff/settings/data.zip"), "{page}");
    assert!(
        page.contains("データの保存期間") && page.contains("366日"),
        "{page}"
    );
    assert!(page.contains("来庁日から1095日後に消去"), "{page}");
    let response = admin
        .get(app.url("/town/staff/settings/data.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"madoguchi-town-"));
    let body = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).expect("a whole zip");
    let mut bookings = String::new();
    zip.by_name("tables/bookings.csv")
        .unwrap()
        .read_to_string(&mut bookings)
        .unwrap();
    assert!(bookings.starts_with("\u{feff}id,code,"), "{bookings}");
    assert!(bookings.contains("downloaded@example.jp"));
    assert!(zip.by_name("README.txt").is_ok() && zip.by_name("tenant.toml").is_ok());

    let logged: Vec<String> = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("data.export"))
        .select(audit_log::actor)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(logged.len(), 1, "one line, for the one download");
}
