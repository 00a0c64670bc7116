//! Proxy booking by a call-center operator: finding the caller's card, availability at
//! every counter, holding a time, booking with a note, then moving and cancelling it.

use chrono::Duration;
use diesel::prelude::*;
use madoguchi::db::card::NewCardRecord;
use madoguchi::db::schema::{bookings, card_records, locations};
use madoguchi::db::tenant::Tenant;

use super::{log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, TestApp};

fn add_card(app: &TestApp, tenant: &Tenant) -> i64 {
    let mut conn = app.conn();
    let location_id: i64 = locations::table
        .filter(locations::tenant_id.eq(tenant.id))
        .select(locations::id)
        .first(&mut conn)
        .unwrap();
    diesel::insert_into(card_records::table)
        .values(NewCardRecord {
            tenant_id: tenant.id,
            application_id: "10000000000000000000001".into(),
            manufacture_number: "123456789012".into(),
            reservation_number: Some("1AB-123456".into()),
            password_hash: None,
            name: "山田　花子".into(),
            name_kana: "ヤマダ　ハナコ".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1990, 4, 1).unwrap(),
            location_id,
            shipment_number: "4642892693".into(),
            manufactured_on: None,
        })
        .returning(card_records::id)
        .get_result(&mut conn)
        .unwrap()
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The slot ids of the radio buttons that can be chosen.
fn open_times(page: &str) -> Vec<String> {
    page.split("<input type=\"radio\"")
        .skip(1)
        .map(|input| &input[..input.find('>').unwrap()])
        .filter(|input| !input.contains("disabled"))
        .map(|input| {
            let start = input.find("value=\"").unwrap() + 7;
            input[start..].split('"').next().unwrap().to_string()
        })
        .collect()
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_books_moves_and_cancels_for_a_caller_without_the_notice() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let card_id = add_card(&app, &tenant);
    let operator = new_client();
    assert_eq!(
        log_in(&app, &operator, "operator", PASSWORD).await.status(),
        303
    );

    // The search is sent by POST: a name and a date of birth never stand in an address.
    let (_, start) = get(&app, &operator, "/town/staff/phone").await;
    let csrf = csrf_of(&start);
    let search = |fields: Vec<(&'static str, &'static str)>| {
        let mut fields = fields;
        fields.push(("csrf", csrf.as_str()));
        let operator = operator.clone();
        let url = app.url("/town/staff/phone");
        async move {
            let response = operator.post(url).form(&fields).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let (_, refused) = search(vec![("kana", "ヤマダ")]).await;
    assert!(refused.contains("生年月日も入力してください"));
    let (status, found) = search(vec![("kana", "やまだ"), ("birth_date", "1990-04-01")]).await;
    assert_eq!(status, 200);
    assert!(
        found.contains("山田　花子"),
        "hiragana finds the katakana name"
    );
    let slots_link = format!("phone/slots?procedure=pickup&amp;card={card_id}");
    assert!(found.contains(&slots_link));
    let (_, by_shipment) = search(vec![("shipment", "4642892693")]).await;
    assert!(by_shipment.contains("山田　花子"));
    let (status, unreadable) = search(vec![("kana", "やまだ"), ("birth_date", "1990-02-30")]).await;
    assert_eq!(status, 422);
    assert!(unreadable.contains("「1990-02-30」という日はありません"));

    let (_, week) = get(
        &app,
        &operator,
        &format!("/town/staff/phone/slots?procedure=pickup&card={card_id}"),
    )
    .await;
    assert!(week.contains("本庁") && week.contains("残り"));

    let tomorrow = app.clock().today() + Duration::days(1);
    let times_path = format!(
        "/town/staff/phone/times?procedure=pickup&card={card_id}&location=0001&date={tomorrow}"
    );
    let (_, times) = get(&app, &operator, &times_path).await;
    let open = open_times(&times);
    // 00:00–23:59 in hours: the 23:00 slot would end after closing.
    assert_eq!(open.len(), 23, "every slot of tomorrow is open by phone");
    let csrf = csrf_of(&times);
    let none_chosen = post(&app, &operator, &times_path, &[("csrf", &csrf)]).await;
    assert_eq!(none_chosen.status(), 422);
    let held = post(
        &app,
        &operator,
        &times_path,
        &[("csrf", &csrf), ("slot", &open[9])],
    )
    .await;
    assert_eq!(held.status(), 303);
    let details_path = format!("/town/staff/phone/details?procedure=pickup&card={card_id}");
    let (_, details) = get(&app, &operator, &details_path).await;
    assert!(details.contains("仮押さえしています"));

    let bad = post(
        &app,
        &operator,
        &details_path,
        &[
            ("csrf", &csrf),
            ("name", "山田　花子"),
            ("phone", "12"),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("090-1234-5678 の形"));
    let booked = post(
        &app,
        &operator,
        &details_path,
        &[
            ("csrf", &csrf),
            ("name", "山田　花子"),
            ("phone", "090-1234-5678"),
            ("note", "車いすで来庁"),
        ],
    )
    .await;
    assert_eq!(booked.status(), 303);
    let detail_path = booked.headers()["location"].to_str().unwrap().to_string();
    let (status, detail) = get(&app, &operator, &detail_path).await;
    assert_eq!(status, 200);
    assert!(detail.contains("予約しました"));
    assert!(detail.contains("車いすで来庁") && detail.contains("staff:operator"));
    let (channel, note): (String, String) = app.query(|conn| {
        bookings::table
            .filter(bookings::tenant_id.eq(tenant.id))
            .select((bookings::channel, bookings::note))
            .first(conn)
    });
    assert_eq!((channel.as_str(), note.as_str()), ("phone", "車いすで来庁"));
    let code: String = app.query(|conn| bookings::table.select(bookings::code).first(conn));
    let (_, born) = get(
        &app,
        &operator,
        "/town/staff/bookings?birth_date=1990-04-01",
    )
    .await;
    assert!(born.contains(&format!("/town/staff/bookings/{code}")));
    let (_, other) = get(
        &app,
        &operator,
        "/town/staff/bookings?birth_date=1990-04-02",
    )
    .await;
    assert!(!other.contains(&format!("/town/staff/bookings/{code}")));

    // The caller asks for another time.
    let move_path = format!("/town/staff/phone/times?move={code}&location=0001&date={tomorrow}");
    let moved = post(
        &app,
        &operator,
        &move_path,
        &[("csrf", &csrf), ("slot", &open[11])],
    )
    .await;
    assert_eq!(moved.status(), 303);
    let (_, detail) = get(&app, &operator, &format!("/town/staff/bookings/{code}")).await;
    assert!(detail.contains("日時変更") && detail.contains("11:00"));

    // …and then cancels: only with the caller's confirmation ticked.
    let cancel_path = format!("/town/staff/bookings/{code}/cancel");
    let unconfirmed = post(&app, &operator, &cancel_path, &[("csrf", &csrf)]).await;
    assert_eq!(unconfirmed.status(), 422);
    let cancelled = post(
        &app,
        &operator,
        &cancel_path,
        &[("csrf", &csrf), ("confirm", "1")],
    )
    .await;
    assert_eq!(cancelled.status(), 303);
    let status: String = app.query(|conn| bookings::table.select(bookings::status).first(conn));
    assert_eq!(status, "cancelled");

    // A counter clerk has no phone desk.
    let clerk = new_client();
    log_in(&app, &clerk, "clerk", PASSWORD).await;
    assert_eq!(get(&app, &clerk, "/town/staff/phone").await.0, 403);
}
