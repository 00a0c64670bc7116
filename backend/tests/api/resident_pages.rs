//! The resident pages over plain HTTP: what a form submission does, double clicks and
//! forged forms. (The browser tests in frontend/tests drive the same pages in Chromium.)

use diesel::prelude::*;
use madoguchi::db::schema::bookings;

use crate::helpers::{csrf_of, location_of, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_click_on_book_makes_one_booking() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (day, slots) = app.next_open_day("0102", "apply").await;
    let slot = slots[0]["id"].as_i64().unwrap().to_string();

    let start = app
        .client
        .get(app.url("/demo/book/apply/"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let csrf = csrf_of(&app.page_text("/demo/book/apply/location").await);
    let chosen = app
        .submit(
            "/demo/book/apply/location",
            &[("csrf", &csrf), ("location", "0102")],
        )
        .await;
    assert_eq!(location_of(&chosen), "/demo/book/apply/date?lang=ja");
    let held = app
        .submit(
            &format!("/demo/book/apply/time?date={day}"),
            &[("csrf", &csrf), ("slot", &slot)],
        )
        .await;
    assert_eq!(location_of(&held), "/demo/book/apply/contact?lang=ja");
    let contact = app
        .submit(
            "/demo/book/apply/contact",
            &[("csrf", &csrf), ("email", "twice@example.jp")],
        )
        .await;
    assert_eq!(location_of(&contact), "/demo/book/apply/check?lang=ja");

    let confirm = [("csrf", csrf.as_str())];
    let (first, second) = tokio::join!(
        app.submit("/demo/book/apply/check", &confirm),
        app.submit("/demo/book/apply/check", &confirm),
    );
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (303, 303)
    );
    assert_eq!(
        location_of(&first),
        location_of(&second),
        "both clicks land on the same confirmation"
    );
    assert!(location_of(&first).starts_with("/demo/book/done/"));
    let made: i64 = app.query(|conn| {
        bookings::table
            .filter(bookings::contact_email.eq("twice@example.jp"))
            .count()
            .get_result(conn)
    });
    assert_eq!(made, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_form_is_refused_with_a_page_that_offers_to_start_again() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    app.client
        .get(app.url("/demo/book/pickup/"))
        .send()
        .await
        .unwrap();
    let forged = app
        .submit(
            "/demo/book/pickup/identify",
            &[("csrf", "not-the-token"), ("number", "1SD-175722")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let page = forged.text().await.unwrap();
    assert!(page.contains("操作の有効期限が切れました"));
    assert!(page.contains("最初からやり直す"));
    // Nothing was counted against the card.
    let failures: i64 = app.query(|conn| {
        use madoguchi::db::schema::identification_failures;
        identification_failures::table.count().get_result(conn)
    });
    assert_eq!(failures, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_the_security_headers_and_a_strict_session_cookie() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let response = app
        .client
        .get(app.url("/demo/book/pickup/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}
