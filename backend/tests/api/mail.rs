//! E-mail through the outbox: each booking change queues one message, and workers running
//! at once deliver each message exactly once.

use diesel::prelude::*;
use madoguchi::db::schema::{bookings, mail_outbox};
use madoguchi::domain::mail::compose::MailSettings;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::outbox::enqueue;
use madoguchi::domain::mail::transport::Mailer;

use crate::helpers::TestApp;

fn settings() -> MailSettings {
    MailSettings {
        from: "デモ市 <noreply@demo.example>".parse().unwrap(),
        public_url: "https://booking.example".into(),
        link_key: b"0123456789abcdef0123456789abcdef".to_vec(),
    }
}

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
    for i in 0..499 {
        enqueue(
            &mut app.conn(),
            tenant_id,
            booking_id,
            "confirmation",
            "taro@example.jp",
            &format!("load:{i}"),
            now,
        )
        .unwrap();
    }
    let again = enqueue(
        &mut app.conn(),
        tenant_id,
        booking_id,
        "confirmation",
        "taro@example.jp",
        "load:0",
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
async fn the_reminder_job_run_twice_sends_one_reminder_per_booking_and_none_when_cancelled() {
    use madoguchi::domain::mail::reminders::queue_due;

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let (day, slots) = app.next_open_day("0101", "apply").await;
    let mut codes = Vec::new();
    for (i, slot) in slots.iter().take(2).enumerate() {
        let booked = app
            .post(
                "/api/v1/demo/bookings",
                &serde_json::json!({
                    "procedure": "apply",
                    "slot_id": slot["id"],
                    "party_size": 1,
                    "contact": { "email": format!("visitor{i}@example.jp") }
                }),
            )
            .await;
        assert_eq!(booked.status, 201, "{:?}", booked.body);
        codes.push(booked.body["code"].as_str().unwrap().to_string());
    }
    // The second visitor cancels.
    {
        let mut conn = app.conn();
        let booking = madoguchi::db::booking::Booking::by_code(&mut conn, tenant.id, &codes[1])
            .unwrap()
            .unwrap();
        let actor = madoguchi::domain::Actor::system("test");
        madoguchi::domain::booking::cancel(&mut conn, &app.clock(), &tenant, booking.id, &actor)
            .unwrap();
    }
    let eve = day - chrono::Duration::days(1);
    let at = |hour: u32| {
        let clock = app.clock();
        madoguchi::domain::Clock {
            now: clock.instant(eve.and_hms_opt(hour, 0, 0).unwrap()),
            ..clock
        }
    };
    let reminders = |app: &TestApp| -> i64 {
        app.query(|conn| {
            mail_outbox::table
                .filter(mail_outbox::kind.eq("reminder"))
                .count()
                .get_result(conn)
        })
    };
    assert_eq!(
        queue_due(&mut app.conn(), &at(8), &tenant).unwrap(),
        0,
        "not before 9:00"
    );
    assert_eq!(queue_due(&mut app.conn(), &at(9), &tenant).unwrap(), 1);
    assert_eq!(
        queue_due(&mut app.conn(), &at(15), &tenant).unwrap(),
        0,
        "never twice"
    );
    assert_eq!(reminders(&app), 1);
    let to: String = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::kind.eq("reminder"))
            .select(mail_outbox::recipient)
            .first(conn)
    });
    assert_eq!(to, "visitor0@example.jp", "the cancelled booking gets none");

    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    let sent = deliver_due(&app.pool, &mailer, &settings(), &at(9), 50).unwrap();
    // The confirmation of each booking, the cancellation, and the one reminder.
    assert_eq!(sent, 4);
    let reminder = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-reminder.eml"))
        .expect("the reminder was written");
    let text = std::fs::read_to_string(reminder).unwrap();
    assert!(text.contains("To: visitor0@example.jp"));
}

/// A booking of the demo city with an address, made through the API; its confirmation is
/// queued. Returns the booking's code.
async fn book_with_email(app: &TestApp, email: &str) -> String {
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let booked = app
        .post(
            "/api/v1/demo/bookings",
            &serde_json::json!({
                "procedure": "apply",
                "slot_id": slots[0]["id"],
                "party_size": 1,
                "contact": { "email": email }
            }),
        )
        .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    booked.body["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_arrives_at_a_real_smtp_server_with_both_parts_and_the_calendar_file() {
    use mailparse::MailHeaderMap;

    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let code = book_with_email(&app, "hanako@example.jp").await;
    let sink = crate::helpers::SmtpSink::start();
    let mailer = Mailer::new(Some(&sink.url()), std::path::PathBuf::new()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    let mail = mailparse::parse_mail(&received[0]).unwrap();
    let subject = mail.headers.get_first_value("Subject").unwrap();
    assert_eq!(
        subject,
        "【デモ市】予約を受け付けました / Your booking is confirmed"
    );
    assert!(mail
        .headers
        .get_first_value("Message-ID")
        .unwrap()
        .starts_with("<outbox-"));
    assert!(mail.headers.get_first_value("Date").is_some());
    assert_eq!(
        mail.headers.get_first_value("To").unwrap(),
        "hanako@example.jp"
    );
    let parts: Vec<&mailparse::ParsedMail> = mail.parts().collect();
    let body_of = |mime: &str| {
        parts
            .iter()
            .find(|p| p.ctype.mimetype == mime)
            .unwrap_or_else(|| panic!("a {mime} part"))
            .get_body()
            .unwrap()
    };
    let shown = format!("{}-{}-{}", &code[0..3], &code[3..6], &code[6..9]);
    let text = body_of("text/plain");
    assert!(text.contains(&shown) && text.contains("次の内容で予約を受け付けました"));
    assert!(text.contains(&format!("https://booking.example/demo/booking/{code}?exp=")));
    let html = body_of("text/html");
    // minijinja escapes HTML, `/` included; the link still reads the same to a browser.
    assert!(html.contains(&shown), "{html}");
    assert!(
        html.contains(&format!("booking&#x2f;{code}?exp=")),
        "{html}"
    );
    let ics = body_of("text/calendar");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.trim_end().ends_with("END:VCALENDAR"));
    assert!(ics.contains(&format!("UID:{code}@demo.madoguchi")));
    assert!(ics
        .lines()
        .any(|l| l.starts_with("DTSTART:") && l.ends_with('Z')));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_wait_while_the_smtp_server_is_down_and_all_arrive_once_it_is_back() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    for i in 0..5 {
        book_with_email(&app, &format!("wait{i}@example.jp")).await;
    }
    let mut sink = crate::helpers::SmtpSink::start();
    sink.stop();
    let mailer = Mailer::new(Some(&sink.url()), std::path::PathBuf::new()).unwrap();
    let clock = app.clock();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &clock, 50).unwrap(),
        0
    );
    let waiting: Vec<(String, i32)> = app.query(|conn| {
        mail_outbox::table
            .select((mail_outbox::status, mail_outbox::attempts))
            .load(conn)
    });
    assert_eq!(waiting.len(), 5);
    assert!(waiting
        .iter()
        .all(|(status, attempts)| status == "pending" && *attempts == 1));
    // Not yet due again: nothing is tried before the pause is over.
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &clock, 50).unwrap(),
        0
    );

    sink.resume();
    let later = madoguchi::domain::Clock {
        now: clock.now + chrono::Duration::minutes(2),
        ..clock
    };
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &later, 50).unwrap(),
        5
    );
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &later, 50).unwrap(),
        0
    );
    let mut recipients: Vec<String> = sink
        .messages()
        .iter()
        .map(|raw| {
            use mailparse::MailHeaderMap;
            mailparse::parse_mail(raw)
                .unwrap()
                .headers
                .get_first_value("To")
                .unwrap()
        })
        .collect();
    recipients.sort();
    let expected: Vec<String> = (0..5).map(|i| format!("wait{i}@example.jp")).collect();
    assert_eq!(recipients, expected, "each message arrived, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_failed_past_the_limit_is_listed_for_staff_and_sent_again_on_request() {
    use madoguchi::domain::mail::outbox::MAX_ATTEMPTS;
    use madoguchi::domain::staff::{create_account, Role};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_that_does_not_render_cannot_be_saved_and_a_saved_one_is_used() {
    use madoguchi::domain::mail::compose::{default_set, sample_values, TemplateSet};
    use madoguchi::domain::mail::templates::{save, stored};

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let mut conn = app.conn();
    let procedure =
        madoguchi::db::procedure::Procedure::active_by_code(&mut conn, tenant.id, "apply")
            .unwrap()
            .unwrap();
    let location = madoguchi::db::location::Location::for_tenant(&mut conn, tenant.id)
        .unwrap()
        .remove(0);
    let sample = sample_values(&tenant, &procedure, &location, &app.clock(), &settings());
    let mut broken = default_set("confirmation");
    broken.text = "ご予約ありがとうございます。\n{{ cod }}\n".into();
    let problem = save(
        &mut conn,
        tenant.id,
        procedure.id,
        "confirmation",
        &broken,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(
        (problem.part, problem.line),
        ("text", Some(2)),
        "{problem:?}"
    );
    let mut unclosed = default_set("confirmation");
    unclosed.html = "<p>{% if code %}</p>".into();
    let problem = save(
        &mut conn,
        tenant.id,
        procedure.id,
        "confirmation",
        &unclosed,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(problem.part, "html");
    assert!(
        stored(&mut conn, tenant.id, procedure.id, "confirmation")
            .unwrap()
            .is_none(),
        "nothing was saved"
    );

    let own = TemplateSet {
        subject: "【{{ tenant }}】申請のご予約 {{ code }}".into(),
        text: "{% extends \"base.txt\" %}{% block content %}申請の窓口でお待ちしています。{% endblock %}".into(),
        html: "{% extends \"base.html\" %}{% block content %}<p>申請の窓口でお待ちしています。</p>{% endblock %}".into(),
    };
    save(
        &mut conn,
        tenant.id,
        procedure.id,
        "confirmation",
        &own,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap();
    drop(conn);
    book_with_email(&app, "own@example.jp").await;
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );
    let file = std::fs::read_dir(folder.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let raw = std::fs::read(file).unwrap();
    let mail = mailparse::parse_mail(&raw).unwrap();
    let text = mail
        .parts()
        .find(|p| p.ctype.mimetype == "text/plain")
        .unwrap()
        .get_body()
        .unwrap();
    assert!(text.contains("申請の窓口でお待ちしています。"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signed_link_of_the_mail_opens_the_booking_until_it_expires() {
    use madoguchi::domain::signed_links::{key, sign};

    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let code = book_with_email(&app, "link@example.jp").await;
    let key = key(&mut app.conn()).unwrap();
    assert_eq!(
        key,
        madoguchi::domain::signed_links::key(&mut app.conn()).unwrap(),
        "one key"
    );
    let now = app.clock().now;
    let open = |query: String| {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let url = app.url(&format!("/demo/booking/{code}?{query}"));
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        open(sign(&key, "demo", &code, now + chrono::Duration::days(3))).await,
        200
    );
    assert_eq!(
        open(String::new()).await,
        404,
        "without the link, the proof is needed"
    );
    let tampered =
        sign(&key, "demo", &code, now + chrono::Duration::days(3)).replace("sig=", "sig=0");
    assert_eq!(open(tampered).await, 404);
    assert_eq!(
        open(sign(
            &key,
            "demo",
            &code,
            now - chrono::Duration::minutes(1)
        ))
        .await,
        404,
        "expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_sets_the_hour_of_its_reminders_in_its_file() {
    use madoguchi::domain::mail::reminders::queue_due;

    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let later = madoguchi::cli::DEMO_TENANT.replacen("reminder_hour = 9", "reminder_hour = 15", 1);
    let tenant = app.with_tenant(&later);
    let (day, _) = app.next_open_day("0101", "apply").await;
    book_with_email(&app, "afternoon@example.jp").await;
    let eve = day - chrono::Duration::days(1);
    let at = |hour: u32| {
        let clock = app.clock();
        madoguchi::domain::Clock {
            now: clock.instant(eve.and_hms_opt(hour, 30, 0).unwrap()),
            ..clock
        }
    };
    assert_eq!(queue_due(&mut app.conn(), &at(9), &tenant).unwrap(), 0);
    assert_eq!(queue_due(&mut app.conn(), &at(15), &tenant).unwrap(), 1);
}
