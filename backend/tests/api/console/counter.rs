//! The counter's day: check-in, hand-over, no-show, undo.

use diesel::prelude::*;

use super::{booking_today, booking_today_for, clerk_desk, log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, submit_and_follow, TestApp};
use madoguchi::db::schema::booking_events;
use madoguchi::domain::booking::Party;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_checks_a_visitor_in_by_the_code_and_sees_why_others_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let code = booking_today(&app, &tenant, "visitor@example.jp");
    app.query(|conn| {
        use diesel::prelude::*;
        use madoguchi::db::schema::bookings;
        diesel::update(bookings::table.filter(bookings::code.eq(&code)))
            .set(bookings::note.eq("車いすで来庁"))
            .execute(conn)
    });
    let page = clerk_desk(&app).await;
    assert!(page.contains("予約中"));
    assert!(
        page.contains("<td>車いすで来庁</td>"),
        "the clerk sees the note"
    );
    let csrf = csrf_of(&page);
    let url = app.url("/town/staff/today/check-in?location=0001");
    let scan = |code: String| {
        let (client, url, csrf) = (app.client.clone(), url.clone(), csrf.clone());
        async move { submit_and_follow(&client, &url, &[("csrf", &csrf), ("code", &code)]).await }
    };
    // Typed by hand, in lower case with hyphens.
    let typed = format!("{}-{}-{}", &code[0..3], &code[3..6], &code[6..9]).to_lowercase();
    let after = scan(typed).await;
    assert!(after.contains("受け付けました"), "{after}");
    assert!(after.contains("来庁済"));
    assert!(scan(code.clone())
        .await
        .contains("この予約はすでに受付済みです。"));
    assert!(scan("ZZZZZZZZZ".into())
        .await
        .contains("予約が見つかりません。"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_desks_checking_in_the_same_booking_make_one_check_in() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let code = booking_today(&app, &tenant, "both@example.jp");
    let desks = [new_client(), new_client()];
    let mut tokens = Vec::new();
    for desk in &desks {
        log_in(&app, desk, "clerk", PASSWORD).await;
        let page = desk
            .get(app.url("/town/staff/today?location=0001"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        tokens.push(csrf_of(&page));
    }
    let url = app.url("/town/staff/today/check-in?location=0001");
    let (a, b) = tokio::join!(
        desks[0]
            .post(&url)
            .form(&[("csrf", tokens[0].as_str()), ("code", code.as_str())])
            .send(),
        desks[1]
            .post(&url)
            .form(&[("csrf", tokens[1].as_str()), ("code", code.as_str())])
            .send(),
    );
    let mut results: Vec<String> = [a.unwrap(), b.unwrap()]
        .iter()
        .map(|r| {
            let location = r.headers()["location"].to_str().unwrap();
            location
                .split("result=")
                .nth(1)
                .unwrap_or("")
                .split('&')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    results.sort();
    assert_eq!(
        results,
        vec!["already_checked_in".to_string(), "ok".to_string()]
    );
    let events: i64 = app.query(|conn| {
        booking_events::table
            .filter(booking_events::kind.eq("checked_in"))
            .count()
            .get_result(conn)
    });
    assert_eq!(events, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handing_the_card_over_marks_it_issued_and_an_undo_with_a_reason_restores_it() {
    use madoguchi::db::card::NewCardRecord;
    use madoguchi::db::schema::{bookings, card_records, locations};
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let card_id: i64 = app.query(|conn| {
        let location_id: i64 = locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .select(locations::id)
            .first(conn)?;
        diesel::insert_into(card_records::table)
            .values(NewCardRecord {
                tenant_id: tenant.id,
                application_id: "12345678901234567890123".into(),
                manufacture_number: "123456789012".into(),
                reservation_number: Some("ABC-123456".into()),
                password_hash: None,
                name: "髙橋 𠮷子".into(),
                name_kana: "タカハシ ヨシコ".into(),
                birth_date: chrono::NaiveDate::from_ymd_opt(1980, 4, 1).unwrap(),
                location_id,
                shipment_number: "1".into(),
                manufactured_on: None,
            })
            .returning(card_records::id)
            .get_result(conn)
    });
    let code = booking_today_for(
        &app,
        &tenant,
        "card@example.jp",
        "pickup",
        Party::IdentifiedCards(vec![card_id]),
    );
    let page = clerk_desk(&app).await;
    let csrf = csrf_of(&page);
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let (client, url, csrf) = (app.client.clone(), app.url(path), csrf.clone());
        async move {
            let mut fields: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fields.push(("csrf", &csrf));
            submit_and_follow(&client, &url, &fields).await
        }
    };
    let status = |app: &TestApp| -> (String, String) {
        app.query(|conn| {
            let booking: String = bookings::table
                .filter(bookings::code.eq(&code))
                .select(bookings::status)
                .first(conn)?;
            let card: String = card_records::table
                .find(card_id)
                .select(card_records::status)
                .first(conn)?;
            Ok((booking, card))
        })
    };
    post(
        "/town/staff/today/check-in?location=0001",
        vec![("code", code.clone())],
    )
    .await;
    let handed = post(
        "/town/staff/today/action?location=0001",
        vec![("code", code.clone()), ("action", "hand_over".into())],
    )
    .await;
    assert!(handed.contains("交付済にしました"), "{handed}");
    assert_eq!(
        status(&app),
        ("completed".to_string(), "issued".to_string())
    );
    let no_reason = post(
        "/town/staff/today/action?location=0001",
        vec![
            ("code", code.clone()),
            ("action", "undo".into()),
            ("reason", " ".into()),
        ],
    )
    .await;
    assert!(no_reason.contains("取り消す理由は必須です"), "{no_reason}");
    assert_eq!(status(&app).0, "completed");
    let undone = post(
        "/town/staff/today/action?location=0001",
        vec![
            ("code", code.clone()),
            ("action", "undo".into()),
            ("reason", "別の方に渡しかけたため".into()),
        ],
    )
    .await;
    assert!(undone.contains("直前の操作を取り消しました"), "{undone}");
    assert_eq!(
        status(&app),
        ("checked_in".to_string(), "booked".to_string()),
        "the card is back to booked, as before the hand-over"
    );
    let kinds: Vec<String> = app.query(|conn| {
        booking_events::table
            .inner_join(bookings::table)
            .filter(bookings::code.eq(&code))
            .order(booking_events::id)
            .select(booking_events::kind)
            .load(conn)
    });
    assert_eq!(
        kinds,
        vec!["created", "checked_in", "completed", "reverted"]
    );
}
