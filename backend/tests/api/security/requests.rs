//! What an attacker without an account tries, each attack first as it worked, then refused:
//! cross-site writes to the JSON API, open redirects, control characters in addresses and
//! JSON, and spreadsheet formulas planted in exports.

use serde_json::json;

use crate::console::{booking_today, log_in, new_client, town, PASSWORD};
use crate::helpers::{answer, fill_in, TestApp};

/// A hold on the demo city's first open day at 0101, as a raw request.
fn hold_body(slot: i64) -> String {
    json!({ "slot_id": slot, "procedure": "apply" }).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_another_site_cannot_make_its_visitors_hold_or_book() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let slot = slots[0]["id"].as_i64().unwrap();
    let url = app.url("/api/v1/demo/holds");
    let client = reqwest::Client::new();

    // A form on evil.example can send text/plain without a preflight.
    let forged = client
        .post(&url)
        .header("content-type", "text/plain")
        .header("origin", "http://evil.example")
        .body(hold_body(slot))
        .send()
        .await
        .unwrap();
    let forged = answer(forged).await;
    assert_eq!((forged.status, forged.code()), (403, "cross_site_request"));
    let fetched = client
        .post(&url)
        .header("content-type", "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(hold_body(slot))
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 403);
    // Without a browser's headers, a body that is not JSON is refused as such.
    let plain = client
        .post(&url)
        .header("content-type", "text/plain")
        .body(hold_body(slot))
        .send()
        .await
        .unwrap();
    let plain = answer(plain).await;
    assert_eq!(
        (plain.status, plain.code()),
        (415, "unsupported_media_type")
    );
    let cancel = client
        .delete(app.url("/api/v1/demo/bookings/ABCDEFGHJ"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 403);

    let held: i64 = app.query(|conn| {
        use diesel::prelude::*;
        madoguchi::db::schema::holds::table.count().get_result(conn)
    });
    assert_eq!(held, 0, "nothing was held");

    // The site's own pages and integrations still write.
    let host = app.address.trim_start_matches("http://").to_string();
    let same_site = client
        .post(&url)
        .header("content-type", "application/json; charset=utf-8")
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .body(hold_body(slot))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 201);
    let integration = app
        .post(
            "/api/v1/demo/holds",
            &json!({ "slot_id": slot, "procedure": "apply" }),
        )
        .await;
    assert_eq!(integration.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_stay_on_this_site_and_control_characters_are_refused() {
    let app = TestApp::spawn().await;
    town(&app);
    let client = new_client();
    for path in [
        "/%2Fevil.example",
        "/%5Cevil.example",
        "/%2F%2Fevil.example",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        assert!(
            location
                .as_deref()
                .is_none_or(|l| l.starts_with('/') && !l.starts_with("//")),
            "{path} → {location:?}"
        );
        assert_ne!(response.status().as_u16(), 500);
    }

    // After logging in, `next` leads only to a page of this city's console.
    for next in [
        "//evil.example/",
        "/%09/evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/town/staff/../../evil",
        "/other/staff/today",
    ] {
        let client = new_client();
        let login = format!(
            "/town/staff/login?next={}",
            madoguchi::domain::input::url_encode(next)
        );
        let page = client
            .get(app.url(&login))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::helpers::csrf_of(&page);
        let response = client
            .post(app.url(&login))
            .form(&[
                ("csrf", csrf.as_str()),
                ("login", "clerk"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{next}");
        assert_eq!(
            response.headers()["location"],
            "/town/staff/?lang=ja",
            "{next} leads to the console's front page"
        );
    }
    let kept = new_client();
    let login = "/town/staff/login?next=%2Ftown%2Fstaff%2Fbookings%3Fstatus%3Dbooked";
    let page = kept
        .get(app.url(login))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = kept
        .post(app.url(login))
        .form(&[
            ("csrf", crate::helpers::csrf_of(&page).as_str()),
            ("login", "clerk"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "/town/staff/bookings?status=booked"
    );

    // Control characters in a path, a query or a JSON field: refused, never a 500.
    for path in [
        "/town/%00",
        "/town/staff/login?next=%0d%0aSet-Cookie:%20x=1",
        "/api/v1/town/availability?location=0001%00&procedure=apply",
        "/town/booking/ABC%0aDEF",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        assert!(matches!(status, 400 | 422), "{path}: {status}");
        assert!(response.headers().get("set-cookie").is_none(), "{path}");
    }
    for body in [
        json!({ "procedure": "apply\u{0000}", "slot_id": 1 }),
        json!({ "procedure": "apply", "slot_id": 1, "contact": { "email": "a@example.jp\r\nBcc: b@example.jp" } }),
        json!({ "procedure": "apply", "slot_id": 1, "contact": { "name": "\u{0000}" } }),
    ] {
        let refused = app.post("/api/v1/town/bookings", &body).await;
        assert_eq!(
            (refused.status, refused.code()),
            (422, "invalid_input"),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_never_hand_a_spreadsheet_a_formula() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    // A planted address (valid: `=` and `+` may stand in an address's local part) and a
    // failed login typed as a formula.
    booking_today(&app, &tenant, "=1+2@example.jp");
    log_in(
        &app,
        &new_client(),
        "=HYPERLINK(\"http://evil.example\")",
        "x",
    )
    .await;
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    for export in ["/town/staff/bookings.csv", "/town/staff/log.csv"] {
        let bytes = admin
            .get(app.url(export))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{export}: a cell a spreadsheet would evaluate: {cell}"
                );
            }
        }
        assert!(cells > 0, "{export} has rows");
        if export.ends_with("bookings.csv") {
            assert!(text.contains("'=1+2@example.jp"), "kept as text");
        }
    }
    let workbook = admin
        .get(app.url("/town/staff/bookings.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut sheets: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook.to_vec())).unwrap();
    let range = calamine::Reader::worksheet_range(&mut sheets, "予約受付一覧表").unwrap();
    assert!(range
        .rows()
        .flatten()
        .all(|cell| !cell.to_string().starts_with(['=', '+', '-', '@'])));
}

/// Logs `login` in to the demo city's console on a new client.
async fn demo_staff(app: &TestApp, login: &str) -> reqwest::Client {
    let client = new_client();
    let answer = fill_in(
        app,
        &client,
        "/demo/staff/login",
        &[("login", login), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(answer.status(), 303);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_limited_to_one_counter_cannot_book_at_another_by_its_slot_id() {
    use diesel::prelude::*;
    use madoguchi::db::schema::{holds, locations, staff_accounts};
    use madoguchi::domain::staff::Role;
    use madoguchi::domain::staff_accounts::create_account;

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let north: i64 = app.query(|conn| {
        locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .filter(locations::code.eq("0102"))
            .select(locations::id)
            .first(conn)
    });
    create_account(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        "north",
        Role::Operator,
        PASSWORD,
    )
    .unwrap();
    app.query(|conn| {
        diesel::update(staff_accounts::table.filter(staff_accounts::login.eq("north")))
            .set(staff_accounts::location_ids.eq(vec![north]))
            .execute(conn)
    });
    let operator = demo_staff(&app, "north").await;
    let (day, main_slots) = app.next_open_day("0101", "apply").await;
    let elsewhere = main_slots[0]["id"].as_i64().unwrap().to_string();
    // The times page of the operator's own counter, its form posting another counter's slot.
    let times = format!("/demo/staff/phone/times?procedure=apply&location=0102&date={day}");
    let page = operator
        .get(app.url(&times))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::csrf_of(&page);
    let forged = operator
        .post(app.url(&times))
        .form(&[
            ("csrf", csrf.as_str()),
            ("slot", elsewhere.as_str()),
            ("people", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // Nor does the other counter's own times page open.
    let other = format!("/demo/staff/phone/times?procedure=apply&location=0101&date={day}");
    assert_eq!(
        operator.get(app.url(&other)).send().await.unwrap().status(),
        403
    );
    let held: i64 = app.query(|conn| holds::table.count().get_result(conn));
    assert_eq!(held, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_session_gets_a_new_token_once_the_card_is_proven() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let client = new_client();
    let start = client
        .get(app.url("/demo/book/pickup/"))
        .send()
        .await
        .unwrap();
    let before = start
        .cookies()
        .find(|c| c.name() == "madoguchi_session")
        .expect("a session cookie")
        .value()
        .to_string();
    let proven = fill_in(
        &app,
        &client,
        "/demo/book/pickup/identify",
        &[("number", "1SD-175722"), ("birth_date", "1961-05-07")],
    )
    .await;
    assert_eq!(proven.status(), 303);
    let after = proven
        .cookies()
        .find(|c| c.name() == "madoguchi_session")
        .expect("a new session cookie")
        .value()
        .to_string();
    assert_ne!(before, after);
    // The old token (seen before the proof, e.g. fixed by someone else) carries nothing.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/demo/book/pickup/date"))
        .header("cookie", format!("madoguchi_session={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        303,
        "sent back to the start, not shown the calendar"
    );
    // The browser that proved it goes on.
    let calendar = client
        .get(app.url("/demo/book/pickup/date"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        calendar.status(),
        200,
        "{:?}",
        calendar.headers().get("location")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_session_ends_after_a_working_day_however_busy() {
    use diesel::prelude::*;
    use madoguchi::db::schema::staff_sessions;

    let app = TestApp::spawn().await;
    town(&app);
    let clerk = new_client();
    log_in(&app, &clerk, "clerk", PASSWORD).await;
    let today = |client: &reqwest::Client| {
        let (client, url) = (client.clone(), app.url("/town/staff/today"));
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(today(&clerk).await, 200);
    // Kept busy (used a minute ago) but logged in thirteen hours ago.
    app.query(|conn| {
        diesel::update(staff_sessions::table)
            .set((
                staff_sessions::created_at.eq(app.clock().now - chrono::Duration::hours(13)),
                staff_sessions::last_seen_at.eq(app.clock().now - chrono::Duration::minutes(1)),
            ))
            .execute(conn)
    });
    assert_eq!(today(&clerk).await, 303, "back to the login");
}
