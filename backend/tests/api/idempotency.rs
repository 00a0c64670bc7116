//! Retries with an `Idempotency-Key`: the first answer comes back and nothing is booked,
//! moved or cancelled twice; the same key with another request is refused; the key does not
//! let anyone around the limits on guessing card numbers.

use diesel::prelude::*;
use madoguchi::db::schema::{bookings, identification_failures, slots};
use serde_json::{json, Value};

use crate::booking_flow::card_at;
use crate::helpers::{answer, Answer, TestApp};

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> Answer {
    answer(
        app.client
            .post(app.url("/api/v1/demo/bookings"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn bookings_of(app: &TestApp, email: &str) -> i64 {
    app.query(|conn| {
        bookings::table
            .filter(bookings::contact_email.eq(email))
            .count()
            .get_result(conn)
    })
}

fn booked_in(app: &TestApp, slot_id: i64) -> i32 {
    app.query(|conn| slots::table.find(slot_id).select(slots::booked).first(conn))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_booking_gets_the_first_answer_and_books_once() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, day_slots) = app.next_open_day("0101", "apply").await;
    let slot = day_slots[0]["id"].as_i64().unwrap();
    let body = json!({
        "slot_id": slot, "procedure": "apply", "party_size": 2,
        "contact": { "email": "retry@example.jp" },
    });
    let key = "3f1c2a9e-7b44-4d0a-9a51-0c2b7d1e5f60";

    let first = post_with_key(&app, key, &body).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = post_with_key(&app, key, &body).await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(
        again.body, first.body,
        "the retry gets the first answer, code and all"
    );
    assert_eq!(bookings_of(&app, "retry@example.jp"), 1);
    assert_eq!(booked_in(&app, slot), 2);

    // The same key with something else asked is refused at the header, not answered with
    // the first booking.
    let mut other = body.clone();
    other["party_size"] = json!(1);
    let reused = post_with_key(&app, key, &other).await;
    assert_eq!(reused.status, 422, "{:?}", reused.body);
    assert_eq!(reused.body["field"], "Idempotency-Key");
    assert_eq!(bookings_of(&app, "retry@example.jp"), 1);
    assert_eq!(booked_in(&app, slot), 2);

    // Keys that are not visible ASCII of 8–200 characters are refused before anything.
    for bad in ["short", "with spaces in it", &"k".repeat(201)] {
        let refused = post_with_key(&app, bad, &body).await;
        assert_eq!(
            (refused.status, refused.body["field"].as_str()),
            (422, Some("Idempotency-Key")),
            "{bad:?}"
        );
    }
    assert_eq!(booked_in(&app, slot), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twin_requests_in_flight_at_once_book_once_and_both_get_the_code() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, day_slots) = app.next_open_day("0101", "apply").await;
    let slot = day_slots[0]["id"].as_i64().unwrap();
    for round in 0..5 {
        let email = format!("twin{round}@example.jp");
        let body = json!({
            "slot_id": slot, "procedure": "apply", "party_size": 1,
            "contact": { "email": email },
        });
        let key = format!("twin-key-{round}-0123456789");
        let (a, b) = tokio::join!(
            post_with_key(&app, &key, &body),
            post_with_key(&app, &key, &body)
        );
        assert_eq!(
            (a.status, b.status),
            (201, 201),
            "{:?} {:?}",
            a.body,
            b.body
        );
        assert_eq!(a.body["code"], b.body["code"]);
        assert_eq!(bookings_of(&app, &email), 1, "round {round}");
    }
    assert_eq!(booked_in(&app, slot), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_moves_and_cancellations_answer_as_the_first_did() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, birth_date) = card_at(&app, "0101", 0);
    let (_, day_slots) = app.next_open_day("0101", "pickup").await;
    let (first, second) = (
        day_slots[0]["id"].as_i64().unwrap(),
        day_slots[1]["id"].as_i64().unwrap(),
    );
    let pickup = json!({
        "slot_id": first, "procedure": "pickup",
        "members": [{ "number": number, "birth_date": birth_date }],
        "contact": { "email": "mover@example.jp" },
    });
    let booked = post_with_key(&app, "pickup-booking-key-1", &pickup).await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    let code = booked.body["code"].as_str().unwrap().to_string();
    // The retry of a pickup booking is answered from the key, not refused because the card
    // is now booked.
    let retried = post_with_key(&app, "pickup-booking-key-1", &pickup).await;
    assert_eq!((retried.status, &retried.body), (201, &booked.body));

    let owned = |method: reqwest::Method, key: &'static str, body: Option<Value>| {
        let mut request = app
            .client
            .request(method, app.url(&format!("/api/v1/demo/bookings/{code}")))
            .header("X-Card-Number", number.clone())
            .header("X-Birth-Date", birth_date.clone())
            .header("Idempotency-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move { answer(request.send().await.unwrap()).await }
    };
    let moved = owned(
        reqwest::Method::PATCH,
        "move-key-000001",
        Some(json!({ "slot_id": second })),
    )
    .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    // Without the key, moving to where it already is would be refused as "same time".
    let moved_again = owned(
        reqwest::Method::PATCH,
        "move-key-000001",
        Some(json!({ "slot_id": second })),
    )
    .await;
    assert_eq!((moved_again.status, &moved_again.body), (200, &moved.body));
    assert_eq!((booked_in(&app, first), booked_in(&app, second)), (0, 1));

    let cancelled = owned(reqwest::Method::DELETE, "cancel-key-00001", None).await;
    assert_eq!(
        (cancelled.status, cancelled.body["status"].as_str()),
        (200, Some("cancelled"))
    );
    let cancelled_again = owned(reqwest::Method::DELETE, "cancel-key-00001", None).await;
    assert_eq!(cancelled_again.body, cancelled.body);
    assert_eq!(booked_in(&app, second), 0);
}

/// An attacker guessing birth dates sends every guess with a fresh key: each failure still
/// counts, since identification is written outside the booking's transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_does_not_undo_the_count_of_failed_identifications() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, _) = card_at(&app, "0101", 1);
    let (_, day_slots) = app.next_open_day("0101", "pickup").await;
    let slot = day_slots[0]["id"].as_i64().unwrap();
    for guess in 0..3 {
        let refused = post_with_key(
            &app,
            &format!("guess-key-{guess:04}"),
            &json!({
                "slot_id": slot, "procedure": "pickup",
                "members": [{ "number": number, "birth_date": format!("1950-01-{:02}", guess + 1) }],
                "contact": { "email": "guess@example.jp" },
            }),
        )
        .await;
        assert!(
            refused.status >= 400 && refused.status < 500,
            "{:?}",
            refused.body
        );
    }
    let failures: i64 = app.query(|conn| identification_failures::table.count().get_result(conn));
    assert_eq!(failures, 3);
    assert_eq!(bookings_of(&app, "guess@example.jp"), 0);
}
