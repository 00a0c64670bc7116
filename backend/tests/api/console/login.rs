//! Logging in and out, lockout, idle logout, permissions.

use chrono::Duration;
use diesel::prelude::*;

use super::{log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, TestApp};
use madoguchi::db::schema::{staff_accounts, staff_sessions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_login_get_the_same_answer() {
    let app = TestApp::spawn().await;
    town(&app);
    let wrong = log_in(&app, &app.client, "clerk", "Wrong#Password1").await;
    let unknown = log_in(&app, &app.client, "nobody", "Wrong#Password1").await;
    assert_eq!(
        (wrong.status().as_u16(), unknown.status().as_u16()),
        (401, 401)
    );
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "ログインIDまたはパスワードが正しくありません。";
    assert!(wrong.contains(message) && unknown.contains(message));
    let ok = log_in(&app, &app.client, "clerk", PASSWORD).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/town/staff/?lang=ja");
    let home = app
        .client
        .get(app.url("/town/staff/?lang=ja"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        home.headers()["location"],
        "/town/staff/today?lang=ja",
        "a counter clerk starts at the day's list"
    );
    let failures: i64 = app.query(|conn| {
        madoguchi::db::schema::audit_log::table
            .filter(madoguchi::db::schema::audit_log::action.eq("staff.login_failed"))
            .count()
            .get_result(conn)
    });
    assert_eq!(failures, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_bad_passwords_lock_the_account() {
    let app = TestApp::spawn().await;
    town(&app);
    for _ in 0..5 {
        assert_eq!(
            log_in(&app, &app.client, "clerk", "Wrong#Password1")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        log_in(&app, &app.client, "clerk", PASSWORD).await.status(),
        401,
        "locked, even with the right password"
    );
    let locked: Option<chrono::DateTime<chrono::Utc>> = app.query(|conn| {
        staff_accounts::table
            .filter(staff_accounts::login.eq("clerk"))
            .select(staff_accounts::locked_until)
            .first(conn)
    });
    assert!(locked.is_some_and(|until| until > chrono::Utc::now() + Duration::minutes(29)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_and_login_returns_to_the_page() {
    let app = TestApp::spawn().await;
    town(&app);
    assert_eq!(
        log_in(&app, &app.client, "clerk", PASSWORD).await.status(),
        303
    );
    let today = app
        .client
        .get(app.url("/town/staff/today?location=0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(today.status(), 200);
    // 21 minutes without a request (the default idle limit is 20).
    app.query(|conn| {
        diesel::update(staff_sessions::table)
            .set(staff_sessions::last_seen_at.eq(chrono::Utc::now() - Duration::minutes(21)))
            .execute(conn)
    });
    let idle = app
        .client
        .get(app.url("/town/staff/today?location=0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(idle.status(), 303);
    let login_page = idle.headers()["location"].to_str().unwrap().to_string();
    assert!(
        login_page.starts_with("/town/staff/login?lang=ja&next="),
        "{login_page}"
    );
    let page = app
        .client
        .get(app.url(&login_page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let back = app
        .client
        .post(app.url(&login_page))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "clerk"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.headers()["location"],
        "/town/staff/today?location=0001"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_is_refused_the_staff_management_page() {
    let app = TestApp::spawn().await;
    town(&app);
    let operator = new_client();
    log_in(&app, &operator, "operator", PASSWORD).await;
    let refused = operator
        .get(app.url("/town/staff/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("このページを利用する権限がありません。"));
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let page = admin
        .get(app.url("/town/staff/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("clerk") && page.contains("operator"));
}
