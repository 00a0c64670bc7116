//! Bad input gets a problem document naming what is wrong; nothing panics.

use serde_json::json;

use crate::helpers::{answer, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_things_are_404_problems() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let cases = [
        ("/api/v1/nowhere/locations", "tenant_not_found"),
        (
            "/api/v1/demo/availability?location=9999&procedure=apply",
            "location_not_found",
        ),
        (
            "/api/v1/demo/availability?location=0101&procedure=nothing",
            "procedure_not_found",
        ),
        ("/api/v1/demo/no-such-route", "not_found"),
    ];
    for (path, code) in cases {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/problem+json",
            "{path}"
        );
        let answer = answer(response).await;
        assert_eq!((answer.status, answer.code()), (404, code), "{path}");
        assert!(answer.body["message_ja"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(answer.body["message_en"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let slot = app
        .post(
            "/api/v1/demo/holds",
            &json!({ "slot_id": 999_999_999, "procedure": "apply" }),
        )
        .await;
    assert_eq!((slot.status, slot.code()), (404, "slot_not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_is_422_with_the_field_named() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (day, _) = app.next_open_day("0101", "apply").await;
    let cases = [
        (
            json!({ "procedure": "apply", "slot_id": "seven" }),
            "slot_id",
        ),
        (json!({ "slot_id": 1 }), "procedure"),
        (
            json!({ "procedure": "apply", "location": "0101", "start": "2026-02-30T10:00" }),
            "start",
        ),
        (
            json!({ "procedure": "apply", "location": "0101", "start": format!("{day}T10:07") }),
            "start",
        ),
        (
            json!({ "procedure": "apply", "location": "0101", "start": format!("{day}T10:00"), "contact": { "email": "not-an-address" } }),
            "contact.email",
        ),
        (
            json!({ "procedure": "apply", "location": "0101", "start": format!("{day}T10:00"), "contact": { "email": "a@example.jp", "phone": "12" } }),
            "contact.phone",
        ),
        (
            json!({ "procedure": "apply", "location": "0101", "start": format!("{day}T10:00") }),
            "contact.email",
        ),
        (
            json!({ "procedure": "pickup", "location": "0101", "start": format!("{day}T10:00"), "members": [{ "number": "1SD-175722", "birth_date": "令和8年2月30日" }] }),
            "members[0].birth_date",
        ),
        (
            json!({ "procedure": "apply", "slot_id": 1, "unexpected": true }),
            "unexpected",
        ),
    ];
    for (body, field) in cases {
        let answer = app.post("/api/v1/demo/bookings", &body).await;
        assert_eq!(answer.status, 422, "{body}: {:?}", answer.body);
        assert!(
            answer.body["field"]
                .as_str()
                .is_some_and(|f| f.contains(field)),
            "{body}: expected field {field}, got {:?}",
            answer.body
        );
    }
    let broken = answer(
        app.client
            .post(app.url("/api/v1/demo/bookings"))
            .header("content-type", "application/json")
            .body("{\"procedure\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((broken.status, broken.code()), (422, "invalid_input"));
    let bad_range = app
        .get("/api/v1/demo/availability?location=0101&procedure=apply&from=2026-13-01")
        .await;
    assert_eq!(
        (bad_range.status, bad_range.body["field"].as_str()),
        (422, Some("from"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_64_kib_is_413() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let note = "あ".repeat(30_000);
    let answer = app
        .post(
            "/api/v1/demo/bookings",
            &json!({ "procedure": "apply", "slot_id": 1, "note": note }),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (413, "payload_too_large"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_gives_503_and_the_server_recovers_by_itself() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    assert_eq!(app.get("/health").await.status, 200);
    app.db.set_available(false);
    let down = app.get("/api/v1/demo/locations").await;
    assert_eq!((down.status, down.code()), (503, "service_unavailable"));
    app.db.set_available(true);
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/api/v1/demo/locations").await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the server did not recover after the database came back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json").await;
    assert_eq!(doc.status, 200);
    let paths = doc.body["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/api/v1/{tenant}/locations", &["get"][..]),
        ("/api/v1/{tenant}/procedures", &["get"][..]),
        ("/api/v1/{tenant}/availability", &["get"][..]),
        ("/api/v1/{tenant}/holds", &["post"][..]),
        ("/api/v1/{tenant}/bookings", &["post"][..]),
        (
            "/api/v1/{tenant}/bookings/{code}",
            &["get", "patch", "delete"][..],
        ),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is undocumented"
            );
        }
    }
}
