//! The outbox: exactly once with two workers, and the list of failed messages.

use diesel::prelude::*;
use madoguchi::db::schema::{bookings, mail_outbox};
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::outbox::{enqueue, NewMessage};
use madoguchi::domain::mail::transport::Mailer;

use super::{book_with_email, settings};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_deliver_500_queued_messages_exactly_once() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let booked = app
        .post(
            "/api/v1/demo/bookings",
            &serde_json::json!({
                "procedure": "apply",
                "slot_id": slots[0]["id"],
                "party_size": 1,
                "contact": { "email": "taro@example.jp" }
            }),
        )
        .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    let (tenant_id, booking_id): (i64, i64) = app.query(|conn| {
        bookings::table
            .select((bookings::tenant_id, bookings::id))
            .first(conn)
    });
    let queued: i64 = app.query(|conn| mail_outbox::table.count().get_result(conn));
    assert_eq!(queued, 1, "the booking queued its confirmation");
    let now = app.clock().now;
    fn message(tenant_id: i64, booking_id: i64, key: &str) -> NewMessage<'_> {
        NewMessage {
            tenant_id,
            booking_id: Some(booking_id),
            kind: "confirmation",
            recipient: "taro@example.jp",
            one_time_code: None,
            dedupe_key: key,
            requested_from: None,
            lang: None,
        }
    }
    for i in 0..499 {
        enqueue(
            &mut app.conn(),
            &message(tenant_id, booking_id, &format!("load:{i}")),
            now,
        )
        .unwrap();
    }
    let again = enqueue(
        &mut app.conn(),
        &message(tenant_id, booking_id, "load:0"),
        now,
    )
    .unwrap();
    assert_eq!(again, 0, "a message with the same key is queued once");

    let folder = tempfile::tempdir().unwrap();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let pool = app.pool.clone();
            let path = folder.path().to_path_buf();
            let clock = app.clock();
            std::thread::spawn(move || {
                let mailer = Mailer::new(None, path).unwrap();
                let mut sent = 0;
                loop {
                    let batch = deliver_due(&pool, &mailer, &settings(), &clock, 20).unwrap();
                    if batch == 0 {
                        return sent;
                    }
                    sent += batch;
                }
            })
        })
        .collect();
    let counts: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(counts.iter().sum::<usize>(), 500);
    assert!(
        counts.iter().all(|n| *n > 0),
        "both workers took part: {counts:?}"
    );
    let files: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".eml"))
        .collect();
    assert_eq!(files.len(), 500, "one file per message, none twice");
    let unsent: i64 = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::status.ne("sent"))
            .count()
            .get_result(conn)
    });
    assert_eq!(unsent, 0);
    let sample = std::fs::read_to_string(folder.path().join(&files[0])).unwrap();
    assert!(
        sample.contains("Subject: =?utf-8?"),
        "the Japanese subject is encoded (RFC 2047)"
    );
    assert!(sample.contains("Message-ID: <outbox-"));
    assert!(sample.contains("text/calendar"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_failed_past_the_limit_is_listed_for_staff_and_sent_again_on_request() {
    use madoguchi::domain::mail::outbox::MAX_ATTEMPTS;
    use madoguchi::domain::staff::Role;
    use madoguchi::domain::staff_accounts::create_account;

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    book_with_email(&app, "later@example.jp").await;
    app.query(|conn| {
        diesel::update(mail_outbox::table)
            .set((
                mail_outbox::status.eq("failed"),
                mail_outbox::attempts.eq(MAX_ATTEMPTS),
                mail_outbox::last_error.eq("connection refused"),
            ))
            .execute(conn)
    });
    create_account(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        "admin",
        Role::Admin,
        "Madoguchi#2026",
    )
    .unwrap();
    let admin = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let login = admin
        .get(app.url("/demo/staff/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fields = [
        ("csrf", crate::helpers::csrf_of(&login)),
        ("login", "admin".into()),
        ("password", "Madoguchi#2026".into()),
    ];
    admin
        .post(app.url("/demo/staff/login"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let page = admin
        .get(app.url("/demo/staff/mail"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("connection refused") && page.contains("later@example.jp"));
    let id: i64 = app.query(|conn| mail_outbox::table.select(mail_outbox::id).first(conn));
    let resent = admin
        .post(app.url(&format!("/demo/staff/mail/{id}/resend")))
        .form(&[("csrf", crate::helpers::csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), 303);
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );
}
