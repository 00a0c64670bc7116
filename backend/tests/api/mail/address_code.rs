//! A city that confirms e-mail addresses: the resident gets a one-time code by mail and must
//! type it before the booking can be made.

use diesel::prelude::*;
use madoguchi::db::schema::{bookings, mail_outbox};
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;

use super::settings;
use crate::helpers::{csrf_of, location_of, TestApp};

async fn confirming_city() -> TestApp {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    app.with_tenant(&madoguchi::cli::DEMO_TENANT.replacen(
        "confirm_email = false",
        "confirm_email = true",
        1,
    ));
    app
}

/// Chooses the first time of the next open day and gives `email`; returns the CSRF token and
/// where the contact step led.
async fn book_up_to_contact(app: &TestApp, email: &str) -> (String, String) {
    let (day, slots) = app.next_open_day("0102", "apply").await;
    let slot = slots[0]["id"].as_i64().unwrap().to_string();
    app.client
        .get(app.url("/demo/book/apply/"))
        .send()
        .await
        .unwrap();
    let page = app.page_text("/demo/book/apply/location").await;
    let csrf = csrf_of(&page);
    let at = [("csrf", csrf.as_str()), ("location", "0102")];
    app.submit("/demo/book/apply/location", &at).await;
    let time = [("csrf", csrf.as_str()), ("slot", slot.as_str())];
    app.submit(&format!("/demo/book/apply/time?date={day}"), &time)
        .await;
    let contact = [("csrf", csrf.as_str()), ("email", email)];
    let answer = app.submit("/demo/book/apply/contact", &contact).await;
    (csrf, location_of(&answer))
}

/// The code in the latest message to `email`, read from the message as delivered.
async fn code_from_mail(app: &TestApp, sink: &crate::helpers::SmtpSink) -> String {
    use mailparse::MailHeaderMap;
    let mailer = Mailer::new(Some(&sink.url()), std::path::PathBuf::new()).unwrap();
    deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap();
    let received = sink.messages();
    let mail = mailparse::parse_mail(received.last().expect("a message")).unwrap();
    let subject = mail.headers.get_first_value("Subject").unwrap();
    assert!(subject.starts_with("【デモ市】確認コード "), "{subject}");
    let text = mail
        .parts()
        .find(|p| p.ctype.mimetype == "text/plain")
        .unwrap()
        .get_body()
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("確認コード / Code: "))
        .expect("the code line");
    let code = line
        .trim_start_matches("確認コード / Code: ")
        .trim()
        .to_string();
    assert_eq!(code.len(), 6);
    assert!(subject.contains(&code));
    code
}

fn bookings_for(app: &TestApp, email: &str) -> i64 {
    let email = email.to_string();
    app.query(move |conn| {
        bookings::table
            .filter(bookings::contact_email.eq(email))
            .count()
            .get_result(conn)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_waits_for_the_code_sent_to_the_address_and_a_wrong_one_is_refused() {
    let app = confirming_city().await;
    let sink = crate::helpers::SmtpSink::start();
    let (csrf, next) = book_up_to_contact(&app, "code@example.jp").await;
    assert_eq!(next, "/demo/book/apply/email-code?lang=ja");
    let page = app.page_text(&next).await;
    assert!(page.contains("code@example.jp に確認コード（6桁の数字）を送りました"));

    // Skipping the step does not book: the check step sends the resident back to it.
    let skipped = app
        .submit("/demo/book/apply/check", &[("csrf", &csrf)])
        .await;
    assert_eq!(location_of(&skipped), "/demo/book/apply/email-code?lang=ja");
    assert_eq!(bookings_for(&app, "code@example.jp"), 0);

    let code = code_from_mail(&app, &sink).await;
    // The code is not kept once its message is sent.
    let kept: Vec<Option<String>> = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::kind.eq("address_code"))
            .select(mail_outbox::one_time_code)
            .load(conn)
    });
    assert_eq!(kept, vec![None]);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .submit(
            "/demo/book/apply/email-code",
            &[("csrf", &csrf), ("code", wrong)],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("確認コードが違います。あと4回入力できます。"),
        "{text}"
    );

    // Typed with full-width digits, as a phone keyboard may give them.
    let full_width: String = code
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    let accepted = app
        .submit(
            "/demo/book/apply/email-code",
            &[("csrf", &csrf), ("code", &full_width)],
        )
        .await;
    assert_eq!(location_of(&accepted), "/demo/book/apply/check?lang=ja");
    let booked = app
        .submit("/demo/book/apply/check", &[("csrf", &csrf)])
        .await;
    assert!(location_of(&booked).starts_with("/demo/book/done/"));
    assert_eq!(bookings_for(&app, "code@example.jp"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_code_replaces_the_old_one_and_the_sends_are_limited() {
    let app = confirming_city().await;
    let sink = crate::helpers::SmtpSink::start();
    let (csrf, _) = book_up_to_contact(&app, "resend@example.jp").await;
    let first = code_from_mail(&app, &sink).await;
    let resend = [("csrf", csrf.as_str()), ("resend", "1")];
    let again = app.submit("/demo/book/apply/email-code", &resend).await;
    assert_eq!(location_of(&again), "/demo/book/apply/email-code?lang=ja");
    let second = code_from_mail(&app, &sink).await;
    if first != second {
        let old = app
            .submit(
                "/demo/book/apply/email-code",
                &[("csrf", &csrf), ("code", &first)],
            )
            .await;
        assert_eq!(old.status(), 422, "the first code no longer works");
    }
    // Five codes in all may be sent for one booking; the sixth request is refused.
    for _ in 0..3 {
        app.submit("/demo/book/apply/email-code", &resend).await;
    }
    app.submit("/demo/book/apply/email-code", &resend).await;
    let page = app.page_text("/demo/book/apply/email-code").await;
    assert!(
        page.contains("確認コードを送れる回数の上限に達しました"),
        "{page}"
    );
    let queued: i64 = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::kind.eq("address_code"))
            .count()
            .get_result(conn)
    });
    assert_eq!(queued, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_interface_refuses_an_address_it_cannot_confirm() {
    let app = confirming_city().await;
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let refused = app
        .post(
            "/api/v1/demo/bookings",
            &serde_json::json!({
                "procedure": "apply",
                "slot_id": slots[0]["id"],
                "party_size": 1,
                "contact": { "email": "api@example.jp" }
            }),
        )
        .await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(
        refused.body["field"].as_str(),
        Some("contact.email"),
        "{:?}",
        refused.body
    );
}
