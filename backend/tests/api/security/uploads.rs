//! Uploads that filled the disk before any check, notice data another city could fetch,
//! and one city closing every city's days.

use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, national_holidays, slots};
use madoguchi::domain::staff::Role;
use madoguchi::domain::staff_accounts::create_account;

use crate::console::{log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, upload_action, TestApp};

/// The files the server keeps under its `uploads` folder.
fn uploads(app: &TestApp) -> usize {
    std::fs::read_dir(app.var_dir.path().join("uploads"))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

fn big_form(parts: usize, bytes: usize) -> reqwest::multipart::Form {
    (0..parts).fold(reqwest::multipart::Form::new(), |form, i| {
        form.part(
            "file",
            reqwest::multipart::Part::bytes(vec![b'x'; bytes]).file_name(format!("{i}.csv")),
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_of_an_upload_is_read_before_the_session_permission_and_csrf_checks() {
    let app = TestApp::spawn().await;
    town(&app);
    let anonymous = new_client();
    for path in ["/town/staff/cards/import", "/nosuch/staff/cards/import"] {
        let response = anonymous
            .post(app.url(path))
            .multipart(big_form(5, 2 * 1024 * 1024))
            .send()
            .await;
        // The server may answer before the body is sent and close the connection.
        if let Ok(response) = response {
            assert!(
                matches!(response.status().as_u16(), 303 | 404),
                "{path}: {}",
                response.status()
            );
        }
        assert_eq!(uploads(&app), 0, "{path} left files");
    }

    // Logged in, but a clerk may not import, and the form's token must be in the address.
    let clerk = new_client();
    log_in(&app, &clerk, "clerk", PASSWORD).await;
    let refused = clerk
        .post(app.url("/town/staff/cards/import"))
        .multipart(big_form(1, 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let forged = admin
        .post(app.url("/town/staff/cards/import?csrf=forged"))
        .multipart(big_form(1, 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(uploads(&app), 0);

    // With every check passed: one file a request, within the limit, nothing left behind.
    let page = admin
        .get(app.url("/town/staff/cards/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = app.url(&upload_action(&page));
    let two = admin
        .post(&action)
        .multipart(big_form(2, 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(two.status(), 422);
    // A body declared larger than the limit (100 MB of card data and the form around it)
    // is refused before a byte of it is read.
    let huge = admin
        .post(&action)
        .header("content-type", "multipart/form-data; boundary=x")
        .header("content-length", (200u64 * 1024 * 1024).to_string())
        .body(vec![b'x'; 1024])
        .send()
        .await;
    if let Ok(huge) = huge {
        assert_eq!(huge.status(), 413);
    }
    let bad = admin
        .post(&action)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"not a card file\r\n".to_vec()).file_name("x.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422, "refused line by line");
    assert_eq!(uploads(&app), 0, "no path keeps a file it is done with");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notice_data_belongs_to_its_city_and_expires() {
    let app = TestApp::spawn().await;
    let password_mode = madoguchi::cli::DEMO_TENANT
        .replacen(
            "pickup_proof = \"birth_date\"",
            "pickup_proof = \"password\"",
            1,
        )
        .replacen("code = \"demo\"", "code = \"town\"", 1);
    let town = app.with_tenant(&password_mode);
    let other = app.with_tenant(&madoguchi::cli::DEMO_TENANT.replacen(
        "code = \"demo\"",
        "code = \"other\"",
        1,
    ));
    for (tenant, login) in [(&town, "admin"), (&other, "other")] {
        create_account(
            &mut app.conn(),
            &app.clock(),
            tenant,
            login,
            Role::Admin,
            PASSWORD,
        )
        .unwrap();
    }
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let page = admin
        .get(app.url("/town/staff/cards/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let bytes = std::fs::read(crate::helpers::shared_data("jlis-cards-sample.cp932.csv")).unwrap();
    let preview = admin
        .post(app.url(&upload_action(&page)))
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("cards.csv"),
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"upload\" value=\"";
    let start = preview.find(marker).expect("a confirm form") + marker.len();
    let upload = preview[start..].split('"').next().unwrap().to_string();
    let committed = admin
        .post(app.url("/town/staff/cards/import/commit"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("upload", &upload),
            ("file_name", "cards.csv"),
        ])
        .send()
        .await
        .unwrap();
    let next = committed.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let token = next
        .split("notices=")
        .nth(1)
        .expect("notice data to download")
        .to_string();

    // Another city's administrator, who learnt the token, finds nothing under it.
    let stranger = new_client();
    let login = stranger
        .get(app.url("/other/staff/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    stranger
        .post(app.url("/other/staff/login"))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("login", "other"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let elsewhere = stranger
        .get(app.url(&format!("/other/staff/cards/import/notices/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);

    // An hour after the import, the data is gone.
    let kept = std::fs::read_dir(app.var_dir.path().join("uploads"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.to_string_lossy().contains(&token))
        .expect("the kept notice data");
    std::fs::File::options()
        .write(true)
        .open(&kept)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3700))
        .unwrap();
    let late = admin
        .get(app.url(&format!("/town/staff/cards/import/notices/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 404);
    assert!(!kept.exists(), "removed when found expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_closes_its_own_days_and_no_other_citys() {
    let app = TestApp::spawn().await;
    let town = town(&app);
    let demo = app.with_demo_tenant();
    let holidays_before: i64 = app.query(|conn| national_holidays::table.count().get_result(conn));
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let page = admin
        .get(app.url("/town/staff/holidays"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("multipart/form-data"),
        "no upload of the national list"
    );
    let csrf = csrf_of(&page);

    // The national list cannot be sent from a city's console any more.
    let upload = admin
        .post(app.url(&format!("/town/staff/holidays?csrf={csrf}")))
        .multipart(
            reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(b"2026/12/7,\xe4\xbc\x91\xe6\x97\xa5\n".to_vec())
                    .file_name("syukujitsu.csv"),
            ),
        )
        .send()
        .await
        .unwrap();
    assert!(upload.status().is_client_error());
    let holidays_after: i64 = app.query(|conn| national_holidays::table.count().get_result(conn));
    assert_eq!(holidays_before, holidays_after);

    // Closing a day next week closes the town's slots of that day, and only those.
    let day = app.clock().today() + chrono::Duration::days(7);
    let open_slots = |tenant_id: i64| {
        let clock = app.clock();
        app.query(|conn| {
            slots::table
                .filter(slots::tenant_id.eq(tenant_id))
                .filter(slots::closed.eq(false))
                .filter(slots::starts_at.ge(clock.start_of(day)))
                .filter(slots::starts_at.lt(clock.start_of(day + chrono::Duration::days(1))))
                .count()
                .get_result::<i64>(conn)
        })
    };
    let demo_before = open_slots(demo.id);
    assert!(open_slots(town.id) > 0);
    let closed = admin
        .post(app.url("/town/staff/holidays"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("day", day.to_string().as_str()),
            ("location", ""),
            ("reason", "選挙の投票所のため"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 303);
    assert_eq!(open_slots(town.id), 0);
    assert_eq!(
        open_slots(demo.id),
        demo_before,
        "another city is untouched"
    );
    let logged: Vec<serde_json::Value> = app.query(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("closure.added"))
            .filter(audit_log::tenant_id.eq(town.id))
            .select(audit_log::details)
            .load(conn)
    });
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["after"]["reason"], "選挙の投票所のため");
    let residents_see = reqwest::get(app.url(&format!(
        "/api/v1/town/availability?location=0001&procedure=apply&from={day}&to={day}"
    )))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        !residents_see.contains("\"bookable\":true"),
        "{residents_see}"
    );

    // A day with a booking is not closed over it.
    crate::console::booking_today(&app, &town, "standing@example.jp");
    let refused = admin
        .post(app.url("/town/staff/holidays"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("day", app.clock().today().to_string().as_str()),
            ("location", ""),
            ("reason", "臨時休業"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("予約が1件あります"));
}
