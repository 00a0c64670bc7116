//! Day-before reminders: once per booking and day, at the tenant's hour.

use diesel::prelude::*;
use madoguchi::db::schema::mail_outbox;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;

use super::{book_with_email, settings};
use crate::helpers::TestApp;

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
