//! The end of a city's data: the wipe of a training city's practice before go-live keeps
//! its settings and accounts and nothing else; disposal leaves no row with the city's id in
//! any table of the database's catalogue and none of its files, and another city untouched.

use std::collections::BTreeMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::staff::Role;
use madoguchi::domain::staff_accounts::create_account;
use madoguchi::domain::tenant_lifecycle;
use serde_json::json;

use crate::booking_flow::card_at;
use crate::helpers::{answer, TestApp};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows of the city in every table the catalogue shows with a `tenant_id`, and its
/// timetable periods (which belong to it through its timetables).
pub fn rows_per_table(conn: &mut PgConnection, tenant_id: i64) -> BTreeMap<String, i64> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name FROM information_schema.columns c \
         JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' \
           AND t.table_type = 'BASE TABLE' ORDER BY 1",
    )
    .load(conn)
    .unwrap();
    let mut counts: BTreeMap<String, i64> = tables
        .into_iter()
        .map(|t| {
            let n: Count = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM {} WHERE tenant_id = $1",
                t.table_name
            ))
            .bind::<diesel::sql_types::BigInt, _>(tenant_id)
            .get_result(conn)
            .unwrap();
            (t.table_name, n.n)
        })
        .collect();
    let periods: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM timetable_periods p JOIN timetables t ON t.id = p.timetable_id \
         WHERE t.tenant_id = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(tenant_id)
    .get_result(conn)
    .unwrap();
    counts.insert("timetable_periods".into(), periods.n);
    let city: Count = diesel::sql_query("SELECT count(*) AS n FROM tenants WHERE id = $1")
        .bind::<diesel::sql_types::BigInt, _>(tenant_id)
        .get_result(conn)
        .unwrap();
    counts.insert("tenants".into(), city.n);
    counts
}

/// The demo city with a row in every table of a city's data: a pickup booked over the API
/// (with its mail, history, card events and a retry key), a hold, a failed identification,
/// staff with a session, a notice, closures, a banner, an excused stop, its own mail
/// template, settings and card columns, a card import and a resident's session.
pub async fn city_with_every_kind_of_row(app: &TestApp) -> Tenant {
    let tenant = app.with_demo_tenant();
    let (number, birth_date) = card_at(app, "0101", 0);
    let (_, day_slots) = app.next_open_day("0101", "pickup").await;
    let slot = day_slots[0]["id"].as_i64().unwrap();
    let booked = answer(
        app.client
            .post(app.url("/api/v1/demo/bookings"))
            .header("Idempotency-Key", "lifecycle-key-0001")
            .json(&json!({
                "slot_id": slot, "procedure": "pickup",
                "members": [{ "number": number, "birth_date": birth_date }],
                "contact": { "email": "kept@example.jp" },
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    let hold = app
        .post(
            "/api/v1/demo/holds",
            &json!({ "slot_id": day_slots[1]["id"], "procedure": "apply" }),
        )
        .await;
    assert_eq!(hold.status, 201, "{:?}", hold.body);
    let (other_number, _) = card_at(app, "0101", 1);
    let refused = app
        .post(
            "/api/v1/demo/bookings",
            &json!({
                "slot_id": slot, "procedure": "pickup",
                "members": [{ "number": other_number, "birth_date": "1900-01-01" }],
                "contact": { "email": "guess@example.jp" },
            }),
        )
        .await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    let mut conn = app.conn();
    create_account(
        &mut conn,
        &app.clock(),
        &tenant,
        "admin",
        Role::Admin,
        "Madoguchi#2026",
    )
    .unwrap();
    let id = tenant.id;
    conn.batch_execute(&format!(
        "INSERT INTO staff_sessions (token, tenant_id, staff_id, csrf_token, created_at, last_seen_at) \
           SELECT 'lifecycle-session-token-0000000000000000', {id}, id, 'lifecycle-csrf-token-00000000000000000', now(), now() FROM staff_accounts WHERE tenant_id = {id};
         INSERT INTO staff_notices (tenant_id, body, created_by, created_at) VALUES ({id}, '研修の連絡', 'admin', now());
         INSERT INTO closures (tenant_id, location_id, day, reason) VALUES ({id}, NULL, '2031-01-06', '臨時休業');
         INSERT INTO maintenance_windows (tenant_id, starts_at, ends_at, text_ja) VALUES ({id}, now(), now() + interval '1 day', '点検');
         INSERT INTO availability_exclusions (tenant_id, cause, starts_at, ends_at, reason, created_at)
           VALUES ({id}, 'city', now(), now() + interval '1 hour', '庁内工事', now());
         INSERT INTO mail_templates (tenant_id, procedure_id, kind, subject, body_text, body_html, updated_by, updated_at)
           SELECT {id}, id, 'confirmation', '件名', '本文', '<p>本文</p>', 'admin', now() FROM procedures WHERE tenant_id = {id} LIMIT 1;
         INSERT INTO translated_mail_templates (tenant_id, procedure_id, kind, lang, subject, body_text, body_html, updated_by, updated_at)
           SELECT {id}, id, 'reminder', 'vi', 'Nhắc lịch', 'Ngày mai', '<p>Ngày mai</p>', 'admin', now() FROM procedures WHERE tenant_id = {id} LIMIT 1;
         INSERT INTO tenant_mail_settings (tenant_id, reminder_hour, confirm_email) VALUES ({id}, 9, false)
           ON CONFLICT DO NOTHING;
         INSERT INTO tenant_card_columns (tenant_id, standard_name, file_name) VALUES ({id}, '予約番号', '受付番号');
         INSERT INTO city_texts (tenant_id, lang, procedure_id, field, body)
           SELECT {id}, 'vi', id, 'name', 'Nộp đơn' FROM procedures WHERE tenant_id = {id} LIMIT 1;
         INSERT INTO city_text_fallbacks (tenant_id, lang, fallbacks) VALUES ({id}, 'ko', 'ja-easy,ja');
         INSERT INTO card_imports (tenant_id, actor, file_name, sha256, encoding, rows_read, new_cards,
                                   changed_cards, unchanged_cards, created_at)
           VALUES ({id}, 'admin', 'cards.csv', repeat('ab', 32), 'UTF-8', 1, 1, 0, 0, now());
         INSERT INTO web_sessions (token, tenant_id, csrf_token, state, created_at, expires_at)
           VALUES ('lifecycle-web-session-token-000000000000000', {id}, 'lifecycle-web-csrf-token-0000000000000', '{{}}', now(), now() + interval '1 hour');"
    ))
    .unwrap_or_else(|e| panic!("arranging the city: {e}"));
    Tenant::by_id(&mut conn, tenant.id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disposal_leaves_no_row_of_the_city_in_any_table_and_none_of_its_files() {
    let app = TestApp::spawn().await;
    let tenant = city_with_every_kind_of_row(&app).await;
    let bystander = app.with_tenant(crate::console::ALL_DAY);
    let mut conn = app.conn();
    let before = rows_per_table(&mut conn, tenant.id);
    let empty: Vec<_> = before.iter().filter(|(_, n)| **n == 0).collect();
    assert!(
        empty.is_empty(),
        "the fixture should fill every table: {empty:?}"
    );
    let bystander_before = rows_per_table(&mut conn, bystander.id);
    // Its files: a written mail message and a kept upload, beside another city's upload.
    let var = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(var.path().join("mail")).unwrap();
    std::fs::create_dir_all(var.path().join("uploads")).unwrap();
    let outbox: i64 = madoguchi::db::schema::mail_outbox::table
        .filter(madoguchi::db::schema::mail_outbox::tenant_id.eq(tenant.id))
        .select(diesel::dsl::min(madoguchi::db::schema::mail_outbox::id))
        .first::<Option<i64>>(&mut conn)
        .unwrap()
        .unwrap();
    let mail = var.path().join(format!("mail/{outbox}-confirmation.eml"));
    let upload = var
        .path()
        .join(format!("uploads/notices-{}-abc123.upload", tenant.id));
    let kept = var
        .path()
        .join(format!("uploads/notices-{}-abc123.upload", bystander.id));
    for file in [&mail, &upload, &kept] {
        std::fs::write(file, "x").unwrap();
    }

    let disposal =
        tenant_lifecycle::dispose(&mut conn, &tenant, var.path(), chrono::Utc::now).unwrap();

    let after = rows_per_table(&mut conn, tenant.id);
    let left: Vec<_> = after.iter().filter(|(_, n)| **n > 0).collect();
    assert!(left.is_empty(), "rows of the city left: {left:?}");
    assert_eq!(rows_per_table(&mut conn, bystander.id), bystander_before);
    assert!(!mail.exists() && !upload.exists() && kept.exists());
    assert_eq!((disposal.mail_files, disposal.upload_files), (1, 1));
    // The report counts what went, and its last line is the SHA-256 of the lines above.
    let report = disposal.report();
    let deleted: i64 = before.values().sum();
    assert!(
        report.contains(&format!("rows in all (合計): {deleted}")),
        "{report}"
    );
    let (body, digest) = report.trim_end().rsplit_once("\nSHA-256: ").unwrap();
    use sha2::Digest;
    assert_eq!(
        digest,
        madoguchi::domain::secret::hex(&sha2::Sha256::digest(format!("{body}\n").as_bytes()))
    );
    // The service's own log keeps one line that it happened.
    let noted: i64 = madoguchi::db::schema::audit_log::table
        .filter(madoguchi::db::schema::audit_log::tenant_id.is_null())
        .filter(madoguchi::db::schema::audit_log::action.eq("tenant.disposed"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(noted, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_training_wipe_keeps_settings_and_accounts_and_nothing_else() {
    let app = TestApp::spawn().await;
    let tenant = city_with_every_kind_of_row(&app).await;
    let mut conn = app.conn();
    let var = tempfile::tempdir().unwrap();
    // A live city's data is never wiped.
    assert!(tenant_lifecycle::wipe_training_data(
        &mut conn,
        &tenant,
        var.path(),
        "operator",
        app.clock().now
    )
    .is_err());
    tenant_lifecycle::set_training(&mut conn, &tenant, true).unwrap();
    let tenant = Tenant::by_id(&mut conn, tenant.id).unwrap();
    let before = rows_per_table(&mut conn, tenant.id);

    let wipe = tenant_lifecycle::wipe_training_data(
        &mut conn,
        &tenant,
        var.path(),
        "operator",
        app.clock().now,
    )
    .unwrap();

    let after = rows_per_table(&mut conn, tenant.id);
    for (table, rows) in &after {
        let expected = if table == "audit_log" {
            1
        } else if tenant_lifecycle::TRAINING_DATA.contains(&table.as_str()) {
            0
        } else {
            before[table]
        };
        assert_eq!(*rows, expected, "{table}");
    }
    let removed: BTreeMap<&str, usize> = wipe.rows.iter().copied().collect();
    assert_eq!(removed["bookings"] as i64, before["bookings"]);
    // Slots stay, emptied; the one log line says what went.
    let booked: i64 = madoguchi::db::schema::slots::table
        .filter(madoguchi::db::schema::slots::tenant_id.eq(tenant.id))
        .select(diesel::dsl::sum(madoguchi::db::schema::slots::booked))
        .first::<Option<i64>>(&mut conn)
        .unwrap()
        .unwrap_or(0);
    assert_eq!(booked, 0);
    let (action, details): (String, serde_json::Value) = madoguchi::db::schema::audit_log::table
        .filter(madoguchi::db::schema::audit_log::tenant_id.eq(tenant.id))
        .select((
            madoguchi::db::schema::audit_log::action,
            madoguchi::db::schema::audit_log::details,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(action, "tenant.training_wiped");
    assert_eq!(details["removed"]["bookings"], json!(before["bookings"]));
    // The chain of the city's log starts again and verifies.
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["audit", "verify", "--tenant", &tenant.code])
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// The history tables still refuse deletion to anyone who has not named the city, and the
/// application role cannot delete from them at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_stays_append_only_outside_the_named_city() {
    let app = TestApp::spawn().await;
    let tenant = city_with_every_kind_of_row(&app).await;
    let mut conn = app.conn();
    let refused = diesel::sql_query("DELETE FROM booking_events WHERE tenant_id = $1")
        .bind::<diesel::sql_types::BigInt, _>(tenant.id)
        .execute(&mut conn);
    assert!(refused.is_err());
    let other_city = conn.transaction(|conn| {
        diesel::sql_query("SELECT set_config('madoguchi.erasing_tenant', $1, true)")
            .bind::<diesel::sql_types::Text, _>((tenant.id + 1000).to_string())
            .execute(conn)?;
        diesel::sql_query("DELETE FROM audit_log WHERE tenant_id = $1")
            .bind::<diesel::sql_types::BigInt, _>(tenant.id)
            .execute(conn)
    });
    assert!(
        other_city.is_err(),
        "naming another city deletes nothing of this one"
    );
    let as_application = conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL ROLE madoguchi_app").execute(conn)?;
        diesel::sql_query("SELECT set_config('madoguchi.erasing_tenant', $1, true)")
            .bind::<diesel::sql_types::Text, _>(tenant.id.to_string())
            .execute(conn)?;
        diesel::sql_query("SELECT set_config('madoguchi.tenant_id', $1, true)")
            .bind::<diesel::sql_types::Text, _>(tenant.id.to_string())
            .execute(conn)?;
        diesel::sql_query("DELETE FROM booking_events WHERE tenant_id = $1")
            .bind::<diesel::sql_types::BigInt, _>(tenant.id)
            .execute(conn)
    });
    assert!(
        as_application.is_err(),
        "the server's role may not delete history"
    );
}
