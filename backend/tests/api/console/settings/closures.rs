//! Closing a span of days over standing bookings: they are listed by name and time, and
//! kept or cancelled with a message each resident's cancellation mail carries.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, bookings, closures, mail_outbox};

use super::timetables::{book_at, slot_at};
use super::{logged_in, page_of, post, text_of};
use crate::console::town;
use crate::helpers::{csrf_of, TestApp};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 4, d).unwrap()
}

fn closing(csrf: &str, from: &str, until: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("csrf".to_string(), csrf.to_string()),
        ("day".into(), from.into()),
        ("until".into(), until.into()),
        ("location".into(), "0001".into()),
        ("reason".into(), "庁舎の電気設備点検".into()),
    ];
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_days_with_bookings_lists_them_and_cancels_them_with_a_message() {
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    let tenant = town(&app);
    let morning = book_at(&app, &tenant, day(2), 10, "朝日 一郎");
    let noon = book_at(&app, &tenant, day(2), 11, "昼間 二郎");
    let after = book_at(&app, &tenant, day(4), 10, "翌日 三子");
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/holidays");
    let csrf = csrf_of(&page_of(&admin, &url).await);

    let (status, listed) = text_of(
        post(
            &admin,
            &url,
            &closing(&csrf, "2027-04-01", "2027-04-03", &[]),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(listed.contains("この期間に予約が2件あります"), "{listed}");
    assert!(
        listed.contains("朝日 一郎") && listed.contains("昼間 二郎"),
        "{listed}"
    );
    assert!(
        !listed.contains("翌日 三子"),
        "a booking after the span is not listed"
    );
    assert!(listed.contains("2027年4月2日（金） 10:00"), "{listed}");
    let ids = super::timetables::listed_of(&listed);
    let nothing: i64 = app.query(|conn| {
        closures::table
            .filter(closures::tenant_id.eq(tenant.id))
            .count()
            .get_result(conn)
    });
    assert_eq!(nothing, 0, "nothing closed before the choice");

    let message = "点検のため臨時休業します。別の日に予約し直してください。";
    let chosen = closing(
        &csrf,
        "2027-04-01",
        "2027-04-03",
        &[
            ("listed", &ids),
            ("displaced", "cancel"),
            ("message", message),
        ],
    );
    let response = post(&admin, &url, &chosen).await;
    assert_eq!(response.status(), 303);
    for (id, expected) in [
        (morning.0, "cancelled"),
        (noon.0, "cancelled"),
        (after.0, "booked"),
    ] {
        let status: String = app.query(|conn| {
            bookings::table
                .find(id)
                .select(bookings::status)
                .first(conn)
        });
        assert_eq!(status, expected);
    }
    let notes: Vec<Option<String>> = app.query(|conn| {
        mail_outbox::table
            .filter(mail_outbox::tenant_id.eq(tenant.id))
            .filter(mail_outbox::kind.eq("cancellation"))
            .select(mail_outbox::note)
            .load(conn)
    });
    assert_eq!(notes, vec![Some(message.to_string()); 2]);
    for d in 1..=3 {
        assert_eq!(
            slot_at(&app, &tenant, day(d), 10).map(|s| s.2),
            Some(true),
            "4/{d} closed"
        );
    }
    assert_eq!(slot_at(&app, &tenant, day(4), 10).map(|s| s.2), Some(false));
    let details: serde_json::Value = app.query(|conn| {
        audit_log::table
            .filter(audit_log::tenant_id.eq(tenant.id))
            .filter(audit_log::action.eq("closure.added"))
            .select(audit_log::details)
            .first(conn)
    });
    assert_eq!(details["after"]["until"], "2027-04-03");
    assert_eq!(
        details["cancelled_bookings"],
        serde_json::json!([morning.1, noon.1])
    );
    assert_eq!(details["message"], message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_bookings_stand_on_a_closed_day_and_bad_spans_are_refused() {
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    let tenant = town(&app);
    let kept = book_at(&app, &tenant, day(5), 15, "残留 四郎");
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/holidays");
    let csrf = csrf_of(&page_of(&admin, &url).await);

    for (from, until, message) in [
        (
            "2027-04-05",
            "2027-04-04",
            "最終日は最初の日以降で、31日以内の期間にしてください。",
        ),
        (
            "2027-04-05",
            "2027-05-20",
            "最終日は最初の日以降で、31日以内の期間にしてください。",
        ),
        ("2027-03-30", "", "過ぎた日"),
    ] {
        let (status, page) =
            text_of(post(&admin, &url, &closing(&csrf, from, until, &[])).await).await;
        assert_eq!(status, 422, "{from}–{until}");
        assert!(page.contains(message), "{from}–{until}: {page}");
    }

    let (_, listed) =
        text_of(post(&admin, &url, &closing(&csrf, "2027-04-05", "", &[])).await).await;
    let ids = super::timetables::listed_of(&listed);
    let keep = closing(
        &csrf,
        "2027-04-05",
        "",
        &[("listed", &ids), ("displaced", "keep")],
    );
    assert_eq!(post(&admin, &url, &keep).await.status(), 303);
    let status: String = app.query(|conn| {
        bookings::table
            .find(kept.0)
            .select(bookings::status)
            .first(conn)
    });
    assert_eq!(status, "booked");
    assert_eq!(slot_at(&app, &tenant, day(5), 15).map(|s| s.2), Some(true));
    assert_eq!(
        slot_at(&app, &tenant, day(5) + Duration::days(1), 15).map(|s| s.2),
        Some(false)
    );
}
