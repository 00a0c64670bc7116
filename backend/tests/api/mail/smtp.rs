//! Delivery to a real SMTP server (aiosmtpd), and waiting while it is down.

use diesel::prelude::*;
use madoguchi::db::schema::mail_outbox;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;

use super::{book_with_email, settings};
use crate::helpers::TestApp;

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
    // The QR code is an image inside the message, shown by the HTML part through its
    // Content-ID, and it is a PNG of the booking code's symbol.
    assert!(html.contains("src=\"cid:booking-qr\""), "{html}");
    let qr = parts
        .iter()
        .find(|p| p.ctype.mimetype == "image/png")
        .expect("a PNG part");
    assert_eq!(
        qr.headers.get_first_value("Content-ID").as_deref(),
        Some("<booking-qr>")
    );
    let png = qr.get_body_raw().unwrap();
    assert_eq!(png, madoguchi::domain::qr::png(&code).unwrap());
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
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

/// Delivery over TLS with a login: refused while the server's certificate authority is not
/// trusted (the message waits), delivered once the city's authority is configured. The
/// login is part of the address, as `MADOGUCHI_SMTP_URL` carries it.
async fn delivery_over_tls(mode: crate::helpers::TlsMode) {
    use mailparse::MailHeaderMap;

    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    book_with_email(&app, "secure@example.jp").await;
    let sink = crate::helpers::SmtpSink::start_secure(mode);
    let clock = app.clock();

    let untrusting = Mailer::new(Some(&sink.url()), std::path::PathBuf::new()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &untrusting, &settings(), &clock, 10).unwrap(),
        0
    );
    let (status, error): (String, Option<String>) = app.query(|conn| {
        mail_outbox::table
            .select((mail_outbox::status, mail_outbox::last_error))
            .first(conn)
    });
    assert_eq!(status, "pending");
    assert!(
        error.as_deref().is_some_and(|e| e.contains("certificate")),
        "{error:?}"
    );
    assert!(sink.messages().is_empty());

    let pem = sink.authority_pem().as_bytes();
    let trusting = Mailer::with_private_ca(Some(&sink.url()), Some(pem), Default::default());
    let later = madoguchi::domain::Clock {
        now: clock.now + chrono::Duration::minutes(2),
        ..clock
    };
    let sent = deliver_due(&app.pool, &trusting.unwrap(), &settings(), &later, 10).unwrap();
    let error: Option<String> = app.query(|conn| {
        mail_outbox::table
            .select(mail_outbox::last_error)
            .first(conn)
    });
    assert_eq!(sent, 1, "{error:?}");
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    let mail = mailparse::parse_mail(&received[0]).unwrap();
    assert_eq!(
        mail.headers.get_first_value("To").as_deref(),
        Some("secure@example.jp")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_starttls_with_a_login_to_a_server_of_a_private_authority() {
    delivery_over_tls(crate::helpers::TlsMode::StartTls).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_implicit_tls_with_a_login_to_a_server_of_a_private_authority() {
    delivery_over_tls(crate::helpers::TlsMode::Implicit).await;
}
