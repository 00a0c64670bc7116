//! Many clients at once: a slot never holds more bookings than its capacity.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use madoguchi::db::schema::{booking_members, bookings, holds, slots};
use rand::Rng;
use serde_json::json;

use crate::helpers::{answer, TestApp};

/// Books `procedure` directly into `slot_id` from a client of its own (own connection).
async fn book_alone(address: String, slot_id: i64, email: String) -> (u16, String) {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{address}/api/v1/demo/bookings"))
        .json(&json!({ "slot_id": slot_id, "procedure": "apply", "contact": { "email": email } }))
        .send()
        .await
        .expect("POST");
    let answer = answer(response).await;
    (answer.status, answer.code().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_clients_racing_for_eight_places_get_exactly_eight_twenty_times() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    // 0102 has 8 places per slot, all bookable online.
    let (_, day_slots) = app.next_open_day("0102", "apply").await;
    assert!(day_slots.len() >= 20);
    for (round, slot) in day_slots.iter().take(20).enumerate() {
        let slot_id = slot["id"].as_i64().expect("slot id");
        assert_eq!(slot["remaining"], 8);
        let racers: Vec<_> = (0..200)
            .map(|i| {
                tokio::spawn(book_alone(
                    app.address.clone(),
                    slot_id,
                    format!("r{round}-{i}@example.jp"),
                ))
            })
            .collect();
        let mut outcomes: HashMap<(u16, String), usize> = HashMap::new();
        for racer in racers {
            *outcomes.entry(racer.await.expect("racer")).or_default() += 1;
        }
        assert_eq!(
            outcomes.get(&(201, String::new())),
            Some(&8),
            "round {round}: {outcomes:?}"
        );
        assert_eq!(
            outcomes.get(&(409, "slot_full".to_string())),
            Some(&192),
            "round {round}: {outcomes:?}"
        );
        let (booked, rows): (i32, i64) = app.query(|conn| {
            let booked = slots::table
                .find(slot_id)
                .select(slots::booked)
                .first(conn)?;
            let rows = bookings::table
                .filter(bookings::slot_id.eq(slot_id))
                .count()
                .get_result(conn)?;
            Ok((booked, rows))
        });
        assert_eq!((booked, rows), (8, 8), "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_racing_pickups_for_the_same_card_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    // Cards of the sample file kept at 0101 (number, birth date).
    let cards: Vec<(String, String)> = app.query(|conn| {
        use madoguchi::db::schema::{card_records, locations};
        card_records::table
            .inner_join(locations::table)
            .filter(locations::code.eq("0101"))
            .select((
                card_records::reservation_number.assume_not_null(),
                card_records::birth_date,
            ))
            .limit(10)
            .load::<(String, chrono::NaiveDate)>(conn)
            .map(|rows| rows.into_iter().map(|(n, d)| (n, d.to_string())).collect())
    });
    assert_eq!(cards.len(), 10);
    let (_, day_slots) = app.next_open_day("0101", "pickup").await;
    for (k, (number, birth_date)) in cards.into_iter().enumerate() {
        // Each card races on a pair of slots of its own, so places never run out.
        let racers: Vec<_> = [2 * k, 2 * k + 1]
            .into_iter()
            .map(|i| {
                let address = app.address.clone();
                let body = json!({
                    "slot_id": day_slots[i]["id"], "procedure": "pickup",
                    "members": [{ "number": number, "birth_date": birth_date }],
                    "contact": { "email": format!("{number}@example.jp") },
                });
                tokio::spawn(async move {
                    let response = reqwest::Client::new()
                        .post(format!("{address}/api/v1/demo/bookings"))
                        .json(&body)
                        .send()
                        .await
                        .expect("POST");
                    let answer = answer(response).await;
                    (answer.status, answer.code().to_string())
                })
            })
            .collect();
        let mut results = Vec::new();
        for racer in racers {
            results.push(racer.await.expect("racer"));
        }
        results.sort();
        assert_eq!(
            results,
            vec![(201, String::new()), (409, "already_booked".to_string())],
            "{number}"
        );
    }
}

#[derive(Default, Debug)]
struct Tally {
    ok: usize,
    refused: HashMap<String, usize>,
}

/// One simulated resident: picks among hold+book, direct book, move and cancel.
async fn churn(address: String, worker: usize, slot_ids: Arc<Vec<i64>>, until: Instant) -> Tally {
    let client = reqwest::Client::new();
    let mut tally = Tally::default();
    let mut mine: Vec<(String, String)> = Vec::new(); // (code, email)
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let (action, slot) = {
            let mut rng = rand::thread_rng();
            (
                rng.gen_range(0..4),
                slot_ids[rng.gen_range(0..slot_ids.len())],
            )
        };
        let email = format!("w{worker}-{n}@example.jp");
        let base = format!("{address}/api/v1/demo");
        let response = match action {
            0 => {
                let hold = client
                    .post(format!("{base}/holds"))
                    .json(&json!({ "slot_id": slot, "procedure": "apply" }))
                    .send()
                    .await
                    .expect("hold");
                let hold = answer(hold).await;
                if hold.status != 201 {
                    *tally.refused.entry(hold.code().to_string()).or_default() += 1;
                    continue;
                }
                client
                    .post(format!("{base}/bookings"))
                    .json(&json!({ "hold_token": hold.body["hold_token"], "procedure": "apply", "contact": { "email": email } }))
                    .send()
                    .await
            }
            1 => {
                client
                    .post(format!("{base}/bookings"))
                    .json(&json!({ "slot_id": slot, "procedure": "apply", "contact": { "email": email } }))
                    .send()
                    .await
            }
            2 if !mine.is_empty() => {
                let (code, owner) = &mine[n % mine.len()];
                client
                    .patch(format!("{base}/bookings/{code}"))
                    .header("X-Contact", owner)
                    .json(&json!({ "slot_id": slot }))
                    .send()
                    .await
            }
            _ if !mine.is_empty() => {
                let (code, owner) = mine.swap_remove(n % mine.len());
                client
                    .delete(format!("{base}/bookings/{code}"))
                    .header("X-Contact", owner)
                    .send()
                    .await
            }
            _ => continue,
        };
        let result = answer(response.expect("request")).await;
        if (200..300).contains(&result.status) {
            tally.ok += 1;
            if result.status == 201 {
                mine.push((
                    result.body["code"].as_str().unwrap_or_default().to_string(),
                    email,
                ));
            }
        } else {
            assert!(result.status < 500, "server error: {:?}", result.body);
            *tally.refused.entry(result.code().to_string()).or_default() += 1;
        }
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_seconds_of_holds_books_moves_and_cancels_never_overfill_a_slot() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    // Four slots of 4 places at 0103: constant contention.
    let (_, day_slots) = app.next_open_day("0103", "apply").await;
    let slot_ids: Arc<Vec<i64>> = Arc::new(
        day_slots
            .iter()
            .take(4)
            .map(|s| s["id"].as_i64().expect("id"))
            .collect(),
    );
    let until = Instant::now() + Duration::from_secs(10);
    let workers: Vec<_> = (0..24)
        .map(|w| tokio::spawn(churn(app.address.clone(), w, slot_ids.clone(), until)))
        .collect();
    let mut ok = 0;
    let mut refused: HashMap<String, usize> = HashMap::new();
    for worker in workers {
        let tally = worker.await.expect("worker");
        ok += tally.ok;
        for (code, count) in tally.refused {
            *refused.entry(code).or_default() += count;
        }
    }
    eprintln!("churn over 10 s: {ok} requests succeeded, refused: {refused:?}");
    assert!(
        ok > 100,
        "too little happened: {ok} successes, refused {refused:?}"
    );
    assert!(
        refused.get("slot_full").copied().unwrap_or(0) > 0,
        "no contention: {refused:?}"
    );
    let unexpected: Vec<_> = refused
        .keys()
        .filter(|code| !["slot_full", "invalid_input"].contains(&code.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "unexpected refusals: {refused:?}");

    let now = chrono::Utc::now();
    for slot_id in slot_ids.iter() {
        let (capacity, stored, real, members, held): (i32, i32, i64, i64, i64) =
            app.query(|conn| {
                let (capacity, stored) = slots::table
                    .find(slot_id)
                    .select((slots::capacity, slots::booked))
                    .first::<(i32, i32)>(conn)?;
                let real: Option<i64> = bookings::table
                    .filter(bookings::slot_id.eq(slot_id))
                    .filter(bookings::status.ne("cancelled"))
                    .select(diesel::dsl::sum(bookings::party_size))
                    .first(conn)?;
                let members = booking_members::table
                    .inner_join(bookings::table)
                    .filter(bookings::slot_id.eq(slot_id))
                    .filter(booking_members::active.eq(true))
                    .count()
                    .get_result(conn)?;
                let held: Option<i64> = holds::table
                    .filter(holds::slot_id.eq(slot_id))
                    .filter(holds::expires_at.gt(now))
                    .select(diesel::dsl::sum(holds::places))
                    .first(conn)?;
                Ok((
                    capacity,
                    stored,
                    real.unwrap_or(0),
                    members,
                    held.unwrap_or(0),
                ))
            });
        assert_eq!(
            i64::from(stored),
            real,
            "slot {slot_id}: stored counter differs from the bookings"
        );
        assert_eq!(
            members, real,
            "slot {slot_id}: active members differ from the places booked"
        );
        assert!(
            stored <= capacity,
            "slot {slot_id} overbooked: {stored} > {capacity}"
        );
        assert!(
            i64::from(stored) + held <= i64::from(capacity),
            "slot {slot_id}: bookings and holds exceed capacity"
        );
    }
}
