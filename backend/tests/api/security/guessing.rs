//! Card numbers cannot be tested, birth dates cannot be guessed, and a stranger who knows a
//! number cannot lock its holder out. Each client here comes from its own loopback address
//! (127.0.0.x), as residents come from their own networks.

use std::net::{IpAddr, Ipv4Addr};

use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, card_records};
use serde_json::{json, Value};

use crate::booking_flow::card_at;
use crate::console::{create_account_in, PASSWORD};
use crate::helpers::{answer, csrf_of, fill_in, page_text, TestApp};

fn from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Attempts<'a> {
    app: &'a TestApp,
    slot: Value,
}

impl Attempts<'_> {
    async fn book(
        &self,
        client: &reqwest::Client,
        number: &str,
        birth_date: &str,
    ) -> crate::helpers::Answer {
        let body = json!({
            "slot_id": self.slot["id"], "procedure": "pickup",
            "members": [{ "number": number, "birth_date": birth_date }],
            "contact": { "email": "holder@example.jp" },
        });
        answer(
            client
                .post(self.app.url("/api/v1/demo/bookings"))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_number_and_a_wrong_birth_date_get_one_answer() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, _) = card_at(&app, "0104", 0);
    let (_, slots) = app.next_open_day("0104", "pickup").await;
    let attempts = Attempts {
        app: &app,
        slot: slots[0].clone(),
    };
    let client = from(2);
    let wrong = attempts.book(&client, &number, "1999-12-31").await;
    let unknown = attempts.book(&client, "ZZZ-000000", "1999-12-31").await;
    assert_eq!((wrong.status, unknown.status), (422, 422));
    assert_eq!(wrong.body, unknown.body, "the same code, field and message");
    assert_eq!(wrong.code(), "identification_failed");

    // The resident pages say the same thing for both, at the number.
    let page_answer = |number: &'static str| {
        let app = &app;
        async move {
            let client = from(3);
            let form = client
                .get(app.url("/demo/book/pickup/"))
                .send()
                .await
                .unwrap();
            let form = client
                .get(app.url(form.headers()["location"].to_str().unwrap()))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = csrf_of(&form);
            let page = client
                .post(app.url("/demo/book/pickup/identify"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("number", number),
                    ("birth_date", "1999-12-31"),
                ])
                .send()
                .await
                .unwrap();
            let status = page.status().as_u16();
            // The page with what differs by nature (the typed number, the token) set aside.
            let text = page
                .text()
                .await
                .unwrap()
                .replace(number, "NUMBER")
                .replace(&csrf, "TOKEN");
            (status, text)
        }
    };
    let leaked = Box::leak(number.clone().into_boxed_str());
    let (known_status, known) = page_answer(leaked).await;
    let (unknown_status, unknown) = page_answer("ZZZ-000000").await;
    assert_eq!(known_status, unknown_status);
    assert!(known.contains("番号と生年月日が一致しません"), "{known}");
    assert_eq!(known, unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_who_guesses_does_not_lock_the_holder_out() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (number, birth_date) = card_at(&app, "0104", 0);
    let (_, slots) = app.next_open_day("0104", "pickup").await;
    let attempts = Attempts {
        app: &app,
        slot: slots[0].clone(),
    };
    let stranger = from(10);
    for _ in 0..4 {
        let wrong = attempts.book(&stranger, &number, "1999-12-31").await;
        assert_eq!(wrong.code(), "identification_failed");
    }
    let fifth = attempts.book(&stranger, &number, "1999-12-30").await;
    assert_eq!((fifth.status, fifth.code()), (429, "card_locked"));
    let again = attempts.book(&stranger, &number, &birth_date).await;
    assert_eq!(
        (again.status, again.code()),
        (429, "card_locked"),
        "the guessing network waits, even with the right date"
    );
    // The holder, from their own phone, books at once.
    let holder = attempts.book(&from(11), &number, &birth_date).await;
    assert_eq!(holder.status, 201, "{:?}", holder.body);
    let locks: i64 = app.query(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("card.locked"))
            .count()
            .get_result(conn)
    });
    assert!(locks >= 1, "staff see the lock in the operation log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_from_many_networks_stop_the_number_until_the_call_center_unlocks_it() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let (number, birth_date) = card_at(&app, "0104", 1);
    let (_, slots) = app.next_open_day("0104", "pickup").await;
    let attempts = Attempts {
        app: &app,
        slot: slots[0].clone(),
    };
    // Three networks, five guesses each: fifteen guesses in all on one number.
    for network in 20..23 {
        let client = from(network);
        for guess in 0..5 {
            attempts
                .book(&client, &number, &format!("1950-01-{:02}", guess + 1))
                .await;
        }
    }
    let holder = from(30);
    let stopped = attempts.book(&holder, &number, &birth_date).await;
    assert_eq!((stopped.status, stopped.code()), (429, "card_locked"));
    assert!(
        stopped.body["message_ja"]
            .as_str()
            .unwrap()
            .contains("お問い合わせ窓口"),
        "{:?}",
        stopped.body
    );

    // The holder calls; the operator checks who is calling and unlocks the number.
    create_account_in(
        &app,
        &tenant,
        "operator",
        madoguchi::domain::staff::Role::Operator,
    );
    let operator = from(40);
    let login = [("login", "operator"), ("password", PASSWORD)];
    fill_in(&app, &operator, "/demo/staff/login", &login).await;
    // The console's card list tells staff which numbers wait for their holders.
    let list = page_text(&app, &operator, "/demo/staff/cards").await;
    assert!(
        list.contains("入力の誤りが続いて止めているカード番号"),
        "{list}"
    );
    let number_for_query = number.clone();
    let card_id: i64 = app.query(move |conn| {
        card_records::table
            .filter(card_records::reservation_number.eq(&number_for_query))
            .select(card_records::id)
            .first(conn)
    });
    let card_page = page_text(&app, &operator, &format!("/demo/staff/cards/{card_id}")).await;
    assert!(
        card_page.contains("受付を止めています"),
        "the card's page says why"
    );
    let csrf = csrf_of(&card_page);
    let unlocked = operator
        .post(app.url(&format!("/demo/staff/cards/{card_id}/unlock")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unlocked.status(), 303);
    let booked = attempts.book(&holder, &number, &birth_date).await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    let unlocks: i64 = app.query(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("card.unlocked"))
            .count()
            .get_result(conn)
    });
    assert_eq!(unlocks, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_network_cannot_walk_through_many_numbers() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0104", "pickup").await;
    let attempts = Attempts {
        app: &app,
        slot: slots[0].clone(),
    };
    let walker = from(50);
    for n in 0..10 {
        let answer = attempts
            .book(&walker, &format!("ZZZ-{n:06}"), "1980-01-01")
            .await;
        assert_eq!(answer.code(), "identification_failed");
    }
    let eleventh = attempts.book(&walker, "ZZZ-000099", "1980-01-01").await;
    assert_eq!(eleventh.status, 429);
    // Another network is not affected.
    let (number, birth_date) = card_at(&app, "0104", 2);
    let other = attempts.book(&from(51), &number, &birth_date).await;
    assert_eq!(other.status, 201, "{:?}", other.body);
}
