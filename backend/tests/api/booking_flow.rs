//! A resident's whole journey over the API, and what the database keeps of it.

use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, booking_events, bookings, card_records, locations, slots};
use serde_json::json;

use crate::helpers::{answer, TestApp};

/// A sample card kept at `location`: (reservation number, birth date).
/// The reservation number and birth date of the `skip`-th card of the counter `location`.
pub(crate) fn card_at(app: &TestApp, location: &str, skip: i64) -> (String, String) {
    app.query(|conn| {
        card_records::table
            .inner_join(locations::table)
            .filter(locations::code.eq(location))
            .order(card_records::id)
            .offset(skip)
            .select((
                card_records::reservation_number.assume_not_null(),
                card_records::birth_date,
            ))
            .first::<(String, chrono::NaiveDate)>(conn)
            .map(|(n, d)| (n, d.to_string()))
    })
}

fn booked_count(app: &TestApp, slot_id: i64) -> i32 {
    app.query(|conn| slots::table.find(slot_id).select(slots::booked).first(conn))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pickup_is_held_booked_looked_up_moved_and_cancelled() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, birth_date) = card_at(&app, "0101", 0);
    let (day, slots_of_day) = app.next_open_day("0101", "pickup").await;
    let (first, second) = (
        slots_of_day[0]["id"].as_i64().unwrap(),
        slots_of_day[1]["id"].as_i64().unwrap(),
    );

    let hold = app
        .post(
            "/api/v1/demo/holds",
            &json!({ "slot_id": first, "procedure": "pickup" }),
        )
        .await;
    assert_eq!(hold.status, 201, "{:?}", hold.body);
    // The held place is gone for everyone else: 6 of 8 places are online at 0101.
    let after_hold = app.slots_on("0101", "pickup", day).await;
    assert_eq!(
        (&after_hold[0]["id"], &after_hold[0]["remaining"]),
        (&json!(first), &json!(5))
    );
    // Typed the way people type it: lower case, no hyphen, birth date in 和暦 is fine too.
    let typed = number.replace('-', "").to_lowercase();
    let booked = app
        .post(
            "/api/v1/demo/bookings",
            &json!({
                "hold_token": hold.body["hold_token"], "procedure": "pickup",
                "members": [{ "number": typed, "birth_date": birth_date }],
                "contact": { "email": "taro@example.jp", "phone": "090-1234-5678" },
            }),
        )
        .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    assert_eq!(booked.body["status"], "booked");
    assert_eq!(booked.body["slot_id"], first);
    assert_eq!(booked_count(&app, first), 1);
    let code = booked.body["code_display"].as_str().unwrap().to_lowercase();

    // Lookup needs the same proof as booking; a wrong birth date is refused.
    let lookup = |birth: String| {
        app.client
            .get(app.url(&format!("/api/v1/demo/bookings/{code}")))
            .header("X-Card-Number", number.clone())
            .header("X-Birth-Date", birth)
            .send()
    };
    let seen = answer(lookup(birth_date.clone()).await.unwrap()).await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["location"]["code"], "0101");
    let wrong = answer(lookup("1900-01-01".into()).await.unwrap()).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (404, "booking_not_found"),
        "a wrong proof is answered as a wrong code is"
    );

    let moved = answer(
        app.client
            .patch(app.url(&format!("/api/v1/demo/bookings/{code}")))
            .header("X-Card-Number", number.clone())
            .header("X-Birth-Date", birth_date.clone())
            .json(&json!({ "slot_id": second }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["slot_id"], second);
    assert_eq!(
        (booked_count(&app, first), booked_count(&app, second)),
        (0, 1)
    );

    let cancelled = answer(
        app.client
            .delete(app.url(&format!("/api/v1/demo/bookings/{code}")))
            .header("X-Card-Number", number.clone())
            .header("X-Birth-Date", birth_date.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(booked_count(&app, second), 0);

    // History stays: the booking row, its three events and three audit lines.
    let compact = code.replace('-', "").to_uppercase();
    let (status, kinds, audits): (String, Vec<String>, i64) = app.query(|conn| {
        let (id, status) = bookings::table
            .filter(bookings::code.eq(&compact))
            .select((bookings::id, bookings::status))
            .first::<(i64, String)>(conn)?;
        let kinds = booking_events::table
            .filter(booking_events::booking_id.eq(id))
            .order(booking_events::id)
            .select(booking_events::kind)
            .load(conn)?;
        let audits = audit_log::table
            .filter(audit_log::target.eq(&compact))
            .count()
            .get_result(conn)?;
        Ok((status, kinds, audits))
    });
    assert_eq!(status, "cancelled");
    assert_eq!(kinds, vec!["created", "moved", "cancelled"]);
    assert_eq!(audits, 3);

    // The card is free again: it can be booked anew.
    let again = app
        .post(
            "/api/v1/demo/bookings",
            &json!({
                "slot_id": first, "procedure": "pickup",
                "members": [{ "number": number, "birth_date": birth_date }],
                "contact": { "email": "taro@example.jp" },
            }),
        )
        .await;
    assert_eq!(again.status, 201, "{:?}", again.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_takes_one_place_per_member_all_or_nothing() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let members: Vec<_> = (0..3).map(|i| card_at(&app, "0103", i)).collect();
    let (_, day_slots) = app.next_open_day("0103", "pickup").await;
    let slot = day_slots[0]["id"].as_i64().unwrap();
    // Two of the four places go to others first.
    for i in 0..2 {
        let taken = app
            .post("/api/v1/demo/bookings", &json!({ "slot_id": slot, "procedure": "apply", "contact": { "email": format!("o{i}@example.jp") } }))
            .await;
        assert_eq!(taken.status, 201, "{:?}", taken.body);
    }
    let party = |members: &[(String, String)]| {
        json!({
            "slot_id": slot, "procedure": "pickup",
            "members": members.iter().map(|(n, d)| json!({ "number": n, "birth_date": d })).collect::<Vec<_>>(),
            "contact": { "email": "family@example.jp" },
        })
    };
    let too_many = app.post("/api/v1/demo/bookings", &party(&members)).await;
    assert_eq!((too_many.status, too_many.code()), (409, "slot_full"));
    assert_eq!(
        booked_count(&app, slot),
        2,
        "a refused party must leave nothing behind"
    );
    let fits = app
        .post("/api/v1/demo/bookings", &party(&members[..2]))
        .await;
    assert_eq!(fits.status, 201, "{:?}", fits.body);
    assert_eq!(fits.body["party_size"], 2);
    assert_eq!(booked_count(&app, slot), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_is_picked_up_only_where_it_is_kept() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, birth_date) = card_at(&app, "0101", 0);
    let (_, elsewhere) = app.next_open_day("0102", "pickup").await;
    let answer = app
        .post(
            "/api/v1/demo/bookings",
            &json!({
                "slot_id": elsewhere[0]["id"], "procedure": "pickup",
                "members": [{ "number": number, "birth_date": birth_date }],
                "contact": { "email": "a@example.jp" },
            }),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (422, "wrong_location"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_birth_dates_lock_the_card_number_for_thirty_minutes() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, birth_date) = card_at(&app, "0104", 0);
    let (_, day_slots) = app.next_open_day("0104", "pickup").await;
    let attempt = |birth: &str| {
        json!({
            "slot_id": day_slots[0]["id"], "procedure": "pickup",
            "members": [{ "number": number, "birth_date": birth }],
            "contact": { "email": "a@example.jp" },
        })
    };
    for _ in 0..4 {
        let wrong = app
            .post("/api/v1/demo/bookings", &attempt("1999-12-31"))
            .await;
        assert_eq!(
            (wrong.status, wrong.code(), wrong.body["field"].as_str()),
            (422, "identification_failed", Some("members[0].number"))
        );
    }
    let fifth = app
        .post("/api/v1/demo/bookings", &attempt("1999-12-31"))
        .await;
    assert_eq!((fifth.status, fifth.code()), (429, "card_locked"));
    // Locked even with the right date now.
    let right = app
        .post("/api/v1/demo/bookings", &attempt(&birth_date))
        .await;
    assert_eq!((right.status, right.code()), (429, "card_locked"));
    let unknown = app
        .post(
            "/api/v1/demo/bookings",
            &json!({
                "slot_id": day_slots[0]["id"], "procedure": "pickup",
                "members": [{ "number": "ZZZ-000000", "birth_date": birth_date }],
            }),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (422, "identification_failed"),
        "an unknown number is answered as a wrong date is"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_person_has_one_active_booking_per_procedure() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, day_slots) = app.next_open_day("0102", "apply").await;
    let book = |slot: &serde_json::Value, email: &str| json!({ "slot_id": slot["id"], "procedure": "apply", "contact": { "email": email } });
    assert_eq!(
        app.post(
            "/api/v1/demo/bookings",
            &book(&day_slots[0], "hana@example.jp")
        )
        .await
        .status,
        201
    );
    let twice = app
        .post(
            "/api/v1/demo/bookings",
            &book(&day_slots[1], "Hana@Example.jp"),
        )
        .await;
    assert_eq!((twice.status, twice.code()), (409, "already_booked"));
    // Another procedure is another matter.
    let renewal = app
        .post("/api/v1/demo/bookings", &json!({ "slot_id": day_slots[1]["id"], "procedure": "cert-renewal", "contact": { "email": "hana@example.jp" } }))
        .await;
    assert_eq!(renewal.status, 201, "{:?}", renewal.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_attempts_are_rate_limited_per_client_address() {
    let app = TestApp::spawn_with(|config| config.proof_checks_per_minute = 3).await;
    app.with_demo_tenant();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = app
            .client
            .get(app.url("/api/v1/demo/bookings/ABCDEFGHJ"))
            .header("X-Contact", "someone@example.jp")
            .send()
            .await
            .unwrap();
        statuses.push(answer(response).await.status);
    }
    assert_eq!(statuses, vec![404, 404, 404, 429, 429]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_tables_refuse_updates_and_deletes() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, day_slots) = app.next_open_day("0102", "apply").await;
    let booked = app
        .post("/api/v1/demo/bookings", &json!({ "slot_id": day_slots[0]["id"], "procedure": "apply", "contact": { "email": "x@example.jp" } }))
        .await;
    assert_eq!(booked.status, 201);
    let mut conn = app.conn();
    assert!(diesel::delete(audit_log::table).execute(&mut conn).is_err());
    assert!(diesel::update(booking_events::table)
        .set(booking_events::actor.eq("someone else"))
        .execute(&mut conn)
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pick_releases_the_clients_previous_hold() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (day, day_slots) = app.next_open_day("0103", "apply").await;
    let (a, b) = (&day_slots[0]["id"], &day_slots[1]["id"]);
    let first = app
        .post(
            "/api/v1/demo/holds",
            &json!({ "slot_id": a, "procedure": "apply", "places": 2 }),
        )
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let remaining = |slots: &[serde_json::Value], id: &serde_json::Value| {
        slots
            .iter()
            .find(|s| &s["id"] == id)
            .map(|s| s["remaining"].clone())
    };
    assert_eq!(
        remaining(&app.slots_on("0103", "apply", day).await, a),
        Some(json!(2))
    );
    let second = app
        .post("/api/v1/demo/holds", &json!({ "slot_id": b, "procedure": "apply", "client_token": first.body["hold_token"] }))
        .await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    let now = app.slots_on("0103", "apply", day).await;
    assert_eq!(
        (remaining(&now, a), remaining(&now, b)),
        (Some(json!(4)), Some(json!(3)))
    );
}
