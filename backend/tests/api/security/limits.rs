//! One client cannot take what is meant for everyone: a whole day's places held from one
//! address, requests without end, codes mailed to anyone from new sessions.

use diesel::prelude::*;
use madoguchi::db::schema::{holds, mail_outbox};
use serde_json::json;

use crate::console::new_client;
use crate::helpers::{csrf_of, fill_in, page_text, TestApp};

/// An anonymous hold of one place in `slot`, under a token of its own.
async fn hold(app: &TestApp, slot: i64, token: usize) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/v1/demo/holds"))
        .json(&json!({
            "slot_id": slot,
            "procedure": "apply",
            "client_token": format!("attackertoken{token:08}"),
        }))
        .send()
        .await
        .unwrap()
}

/// A new browser (a cookie of its own) that has chosen counter 0102 for an application;
/// the form token its pages carry.
async fn at_counter(app: &TestApp) -> (reqwest::Client, String) {
    let client = new_client();
    let csrf = csrf_of(&page_text(app, &client, "/demo/book/apply/location").await);
    let chosen = fill_in(
        app,
        &client,
        "/demo/book/apply/location",
        &[("location", "0102")],
    )
    .await;
    assert_eq!(chosen.status(), 303);
    (client, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_a_whole_day() {
    let app = TestApp::spawn_with(|config| config.held_places_per_address = 40).await;
    app.with_demo_tenant();
    // 0103 has 28 times a day of 4 places each: 112 places, the attack's 112 holds.
    let (day, slots) = app.next_open_day("0103", "apply").await;
    let mut held = 0;
    let mut refused = Vec::new();
    for (i, slot) in slots
        .iter()
        .flat_map(|s| std::iter::repeat_n(s, 4))
        .enumerate()
    {
        let response = hold(&app, slot["id"].as_i64().unwrap(), i).await;
        match response.status().as_u16() {
            201 => held += 1,
            429 => refused.push(
                response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap(),
            ),
            other => panic!("hold {i}: {other}"),
        }
    }
    assert_eq!(held, 40, "one address holds 40 places at most");
    assert_eq!(refused.len(), 112 - 40);
    assert!(refused.iter().all(|seconds| *seconds >= 60), "{refused:?}");
    let free: i64 = app
        .slots_on("0103", "apply", day)
        .await
        .iter()
        .map(|s| s["remaining"].as_i64().unwrap())
        .sum();
    assert_eq!(free, 112 - 40, "the rest of the day stays open to others");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sessions_do_not_lift_the_limit_on_the_pages() {
    let app = TestApp::spawn_with(|config| config.held_places_per_address = 2).await;
    app.with_demo_tenant();
    let (day, slots) = app.next_open_day("0102", "apply").await;
    let mut statuses = Vec::new();
    for slot in slots.iter().take(3) {
        // A fresh cookie each time, as the attack did.
        let (client, csrf) = at_counter(&app).await;
        let slot = slot["id"].as_i64().unwrap().to_string();
        let response = client
            .post(app.url(&format!("/demo/book/apply/time?date={day}")))
            .form(&[("csrf", csrf.as_str()), ("slot", slot.as_str())])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status != 303 {
            let page = response.text().await.unwrap();
            assert!(page.contains("分ほど待ってから"), "{page}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [303, 303, 409]);
    let held: i64 = app.query(|conn| holds::table.count().get_result(conn));
    assert_eq!(held, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_a_minutes_share_wait_with_retry_after() {
    let app = TestApp::spawn_with(|config| config.writes_per_minute = 20).await;
    app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let slot = slots[0]["id"].as_i64().unwrap();
    let mut statuses = Vec::new();
    for i in 0..21 {
        statuses.push(hold(&app, slot, i).await);
    }
    let last = statuses.pop().unwrap();
    assert!(statuses.iter().all(|r| r.status() != 429));
    assert_eq!(last.status(), 429);
    let wait: u64 = last.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn address_codes_are_limited_per_recipient_whatever_the_session() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    app.with_tenant(&madoguchi::cli::DEMO_TENANT.replacen(
        "confirm_email = false",
        "confirm_email = true",
        1,
    ));
    let (day, slots) = app.next_open_day("0102", "apply").await;
    for (attempt, slot) in slots.iter().enumerate().take(7) {
        let (client, csrf) = at_counter(&app).await;
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let client = client.clone();
            let mut fields = fields;
            fields.push(("csrf", csrf.clone()));
            async move { client.post(path).form(&fields).send().await.unwrap() }
        };
        let slot = slot["id"].as_i64().unwrap().to_string();
        post(
            app.url(&format!("/demo/book/apply/time?date={day}")),
            vec![("slot", slot)],
        )
        .await;
        // The same victim's address, in other letters each time.
        let email = if attempt % 2 == 0 {
            "victim@example.jp"
        } else {
            "VICTIM@example.jp"
        };
        post(
            app.url("/demo/book/apply/contact"),
            vec![("email", email.into())],
        )
        .await;
    }
    let queued: i64 = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::kind.eq("address_code"))
            .count()
            .get_result(conn)
    });
    assert_eq!(queued, 5, "five codes an hour to one address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fetched_without_a_cookie_store_nothing_until_a_form_comes_back() {
    use diesel::prelude::*;
    use madoguchi::db::schema::web_sessions;
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let sessions =
        |app: &TestApp| -> i64 { app.query(|conn| web_sessions::table.count().get_result(conn)) };
    // What a crawler or a flood does: page after page, never keeping a cookie.
    for _ in 0..30 {
        for path in [
            "/demo/book/apply/",
            "/demo/book/apply/location",
            "/demo/booking",
        ] {
            let answer = reqwest::Client::new()
                .get(app.url(path))
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_success(), "{path}: {}", answer.status());
        }
    }
    assert_eq!(sessions(&app), 0, "no row for pages only read");

    // A forged form stores nothing either.
    let forged = new_client()
        .post(app.url("/demo/book/apply/location"))
        .form(&[("csrf", "guessed"), ("location", "0102")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(sessions(&app), 0);

    // A resident's first real answer makes the session, under a token of the server's.
    let client = new_client();
    let page = client
        .get(app.url("/demo/book/apply/location"))
        .send()
        .await
        .unwrap();
    let first_cookie = page
        .cookies()
        .find(|c| c.name() == "madoguchi_session")
        .unwrap()
        .value()
        .to_string();
    let chosen = fill_in(
        &app,
        &client,
        "/demo/book/apply/location",
        &[("location", "0102")],
    )
    .await;
    assert_eq!(chosen.status(), 303);
    let stored_cookie = chosen
        .cookies()
        .find(|c| c.name() == "madoguchi_session")
        .expect("the session's own token")
        .value()
        .to_string();
    assert_ne!(first_cookie, stored_cookie);
    assert_eq!(sessions(&app), 1);
    let date = client
        .get(app.url(chosen.headers()["location"].to_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(date.status(), 200, "the flow goes on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_sent_at_once_from_one_address_stay_within_its_share() {
    let app = TestApp::spawn_with(|config| config.held_places_per_address = 3).await;
    app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0103", "apply").await;
    let ids: Vec<i64> = slots.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    let attempts = (0..20).map(|i| {
        let app = &app;
        let slot = ids[i % ids.len()];
        async move { hold(app, slot, 1000 + i).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    let held: i64 = app.query(|conn| {
        holds::table
            .select(diesel::dsl::sum(holds::places))
            .first::<Option<i64>>(conn)
            .map(|sum| sum.unwrap_or(0))
    });
    assert_eq!(held, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_forms_from_another_site_do_not_spend_a_networks_budget() {
    // Five writes a minute from one network (one a session).
    let app = TestApp::spawn_with(|config| config.writes_per_minute = 5).await;
    app.with_demo_tenant();
    let (day, slots) = app.next_open_day("0102", "apply").await;
    let slot = slots[0]["id"].as_i64().unwrap().to_string();
    // A page elsewhere makes its visitors' browsers post without the token, many times.
    for _ in 0..20 {
        let forged = new_client()
            .post(app.url(&format!("/demo/book/apply/time?date={day}")))
            .form(&[("slot", slot.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
    }
    // The resident behind that network still books a time.
    let (client, _) = at_counter(&app).await;
    let chosen = fill_in(
        &app,
        &client,
        &format!("/demo/book/apply/time?date={day}"),
        &[("slot", slot.as_str())],
    )
    .await;
    assert_eq!(chosen.status(), 303);
    let held: i64 = app.query(|conn| holds::table.count().get_result(conn));
    assert_eq!(held, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_session_cannot_send_forms_without_end() {
    use madoguchi::db::schema::staff_notices;
    // Five writes a minute for residents: five console forms a minute per staff session.
    let app = TestApp::spawn_with(|config| config.writes_per_minute = 5).await;
    let town = crate::console::town(&app);
    let admin = new_client();
    crate::console::log_in(&app, &admin, "admin", crate::console::PASSWORD).await;
    let url = app.url("/town/staff/settings/notices");
    let csrf = csrf_of(&page_text(&app, &admin, "/town/staff/settings/notices").await);
    // Another site makes the administrator's browser post without the token: refused
    // before it is counted, so it spends none of the session's share.
    for _ in 0..10 {
        let forged = admin
            .post(&url)
            .form(&[("body", "偽物")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
    }
    let mut statuses = Vec::new();
    for n in 0..8 {
        let body = format!("お知らせ{n}");
        let sent = admin
            .post(&url)
            .form(&[("csrf", csrf.as_str()), ("body", body.as_str())])
            .send()
            .await
            .unwrap();
        if sent.status() == 429 {
            assert!(sent.headers().contains_key("retry-after"));
        }
        statuses.push(sent.status().as_u16());
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429, 429, 429]);
    let posted: i64 = app.query(|conn| {
        staff_notices::table
            .filter(staff_notices::tenant_id.eq(town.id))
            .count()
            .get_result(conn)
    });
    assert_eq!(posted, 5, "nothing of a refused form is written");
}
