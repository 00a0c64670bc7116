//! Cards in the console: the status a booking gives, sending and receiving on a transfer
//! list, statuses set by hand, and a card that can no longer be booked.

use chrono::Duration;
use diesel::prelude::*;
use madoguchi::db::card::NewCardRecord;
use madoguchi::db::schema::{card_events, card_records, locations, procedures, slots};
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, Party, Placement};
use madoguchi::domain::input::PhoneNumber;
use madoguchi::domain::staff::Role;
use madoguchi::domain::staff_accounts::create_account;
use madoguchi::domain::{Actor, Channel};
use madoguchi::error::AppError;

use super::{log_in, new_client, PASSWORD};
use crate::helpers::{csrf_of, TestApp};

/// Cards are kept at a central store (0001) and picked up at the east counter (0002).
const CENTRAL: &str = r#"
code = "town"
name = "保管町"
[rules]
allow_transfers = true
closed_on_national_holidays = false
closed_over_new_year = false
[[procedures]]
code = "pickup"
name_ja = "交付"
needs_card = true
[[locations]]
code = "0001"
name = "中央保管庫"
issues_cards = false
lanes = []
[[locations]]
code = "0002"
name = "東窓口"
issues_cards = true
[[locations.lanes]]
code = "main"
procedures = ["pickup"]
[[locations.lanes.timetables]]
effective_from = 2020-01-01
slot_minutes = 60
capacity = 8
[locations.lanes.timetables.hours]
weekdays = ["00:00-23:59"]
sat = ["00:00-23:59"]
sun = ["00:00-23:59"]
"#;

fn location_id(app: &TestApp, tenant: &Tenant, code: &str) -> i64 {
    let code = code.to_string();
    app.query(|conn| {
        locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .filter(locations::code.eq(code))
            .select(locations::id)
            .first(conn)
    })
}

fn card_status(app: &TestApp, card: i64) -> String {
    app.query(|conn| {
        card_records::table
            .find(card)
            .select(card_records::status)
            .first(conn)
    })
}

fn book_pickup(app: &TestApp, tenant: &Tenant, card: i64) -> Result<String, AppError> {
    let clock = app.clock();
    let start = clock.start_of(clock.today() + Duration::days(2)) + Duration::hours(10);
    let mut conn = app.conn();
    let slot_id: i64 = slots::table
        .filter(slots::tenant_id.eq(tenant.id))
        .filter(slots::starts_at.eq(start))
        .select(slots::id)
        .first(&mut conn)
        .unwrap();
    let procedure_id: i64 = procedures::table
        .filter(procedures::tenant_id.eq(tenant.id))
        .select(procedures::id)
        .first(&mut conn)
        .unwrap();
    let request = BookingRequest {
        procedure_id,
        placement: Placement::Slot { slot_id },
        party: Party::IdentifiedCards(vec![card]),
        contact: Contact {
            phone: PhoneNumber::parse("090-1234-5678"),
            ..Contact::default()
        },
        note: String::new(),
        lang: Default::default(),
    };
    let actor = Actor {
        label: "staff:operator".into(),
        channel: Channel::Phone,
        client_addr: None,
    };
    booking::book(&mut conn, &clock, tenant, &request, &actor).map(|d| d.booking.code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_kept_centrally_is_sent_received_and_freed_by_a_cancellation() {
    let app = TestApp::spawn().await;
    let tenant = app.with_tenant(CENTRAL);
    let store = location_id(&app, &tenant, "0001");
    let card: i64 = app.query(|conn| {
        diesel::insert_into(card_records::table)
            .values(NewCardRecord {
                tenant_id: tenant.id,
                application_id: "12345678901234567890123".into(),
                manufacture_number: "555566667777".into(),
                reservation_number: Some("ABC-123456".into()),
                password_hash: None,
                name: "髙橋　一郎".into(),
                name_kana: "タカハシ　イチロウ".into(),
                birth_date: chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
                location_id: store,
                shipment_number: String::new(),
                manufactured_on: None,
            })
            .returning(card_records::id)
            .get_result(conn)
    });
    let code = book_pickup(&app, &tenant, card).expect("booked at another counter");
    assert_eq!(card_status(&app, card), "booked");
    let mut conn = app.conn();
    create_account(
        &mut conn,
        &app.clock(),
        &tenant,
        "admin",
        Role::Admin,
        PASSWORD,
    )
    .unwrap();
    drop(conn);
    let admin = new_client();
    assert_eq!(log_in(&app, &admin, "admin", PASSWORD).await.status(), 303);
    let list_path = "/town/staff/transfers?location=0002";
    let list = admin
        .get(app.url(list_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("髙橋　一郎") && list.contains("中央保管庫"));
    let csrf = csrf_of(&list);
    let sent = admin
        .post(app.url("/town/staff/transfers/send?location=0002"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    assert_eq!(card_status(&app, card), "in_transfer");
    let received = admin
        .post(app.url("/town/staff/transfers/receive?location=0002"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("scanned", "５５５５－６６６６－７７７７"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(received.status(), 303);
    assert_eq!(card_status(&app, card), "transferred");

    let cancelled = {
        let mut conn = app.conn();
        let booking = madoguchi::db::booking::Booking::by_code(&mut conn, tenant.id, &code)
            .unwrap()
            .unwrap();
        let actor = Actor {
            label: "staff:admin".into(),
            channel: Channel::Counter,
            client_addr: None,
        };
        booking::cancel(&mut conn, &app.clock(), &tenant, booking.id, &actor)
    };
    assert!(cancelled.is_ok());
    assert_eq!(
        card_status(&app, card),
        "received",
        "back to how it was before the booking"
    );
    let statuses: Vec<Option<String>> = app.query(|conn| {
        card_events::table
            .filter(card_events::card_id.eq(card))
            .order(card_events::id)
            .select(card_events::to_status)
            .load(conn)
    });
    let statuses: Vec<&str> = statuses.iter().flatten().map(String::as_str).collect();
    assert_eq!(
        statuses,
        ["booked", "in_transfer", "transferred", "received"]
    );

    // Not collected: the administrator marks it to return, then returned; it can no longer
    // be booked.
    let card_page = admin
        .get(app.url(&format!("/town/staff/cards/{card}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(card_page.contains("移送済") || card_page.contains("受領"));
    for to in ["to_return", "returned"] {
        let set = admin
            .post(app.url(&format!("/town/staff/cards/{card}/status")))
            .form(&[("csrf", csrf.as_str()), ("to", to)])
            .send()
            .await
            .unwrap();
        assert_eq!(set.status(), 303, "{to}");
    }
    assert_eq!(card_status(&app, card), "returned");
    let refused = admin
        .post(app.url(&format!("/town/staff/cards/{card}/status")))
        .form(&[("csrf", csrf.as_str()), ("to", "notified")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        409,
        "a returned card is not notified again"
    );
    assert!(matches!(
        book_pickup(&app, &tenant, card),
        Err(AppError::CardNotAvailable)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notice_data_of_an_upload_in_password_mode_is_downloaded_once() {
    let app = TestApp::spawn().await;
    let toml = madoguchi::cli::DEMO_TENANT
        .replacen(
            "pickup_proof = \"birth_date\"",
            "pickup_proof = \"password\"",
            1,
        )
        .replacen("code = \"demo\"", "code = \"town\"", 1);
    let tenant = app.with_tenant(&toml);
    create_account(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        "admin",
        Role::Admin,
        PASSWORD,
    )
    .unwrap();
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let page = admin
        .get(app.url("/town/staff/cards/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let bytes = std::fs::read(crate::helpers::shared_data("jlis-cards-sample.cp932.csv")).unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("cards.csv"),
    );
    let preview = admin
        .post(app.url(&crate::helpers::upload_action(&page)))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"upload\" value=\"";
    let start = preview.find(marker).expect("a confirm form") + marker.len();
    let upload = preview[start..].split('"').next().unwrap().to_string();
    let committed = admin
        .post(app.url("/town/staff/cards/import/commit"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("upload", &upload),
            ("file_name", "cards.csv"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(committed.status(), 303);
    let next = committed.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let result = admin
        .get(app.url(&next))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "/town/staff/cards/import/notices/";
    let start = result.find(marker).expect("the download link");
    let link: String = result[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let first = admin.get(app.url(&link)).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let data = first.bytes().await.unwrap();
    let rows = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(rows, 201, "a header and one line per new card");
    let second = admin.get(app.url(&link)).send().await.unwrap();
    assert_eq!(second.status(), 404, "the passwords are handed out once");
}
