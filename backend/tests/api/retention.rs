//! Retention: the contact details of bookings past their date are erased (and only theirs)
//! while the reports count them as before; the operation log is kept at least a year, and
//! what stays of it still verifies.

use chrono::Duration;
use diesel::prelude::*;
use madoguchi::db::audit::NewAuditEntry;
use madoguchi::db::schema::{audit_log, booking_members, bookings, mail_outbox};
use madoguchi::domain::reports::{self, Grouping, ReportFilter};
use madoguchi::domain::retention::{self, Rules};
use serde_json::json;

use crate::booking_flow::card_at;
use crate::helpers::{answer, TestApp};

/// Books the first slot of `day` (or of the first open day after it) for the card at
/// `skip`; returns the visit day and the booking's code.
async fn book_on_or_after(
    app: &TestApp,
    mut day: chrono::NaiveDate,
    skip: i64,
    email: &str,
) -> (chrono::NaiveDate, String) {
    let slots = loop {
        let slots = app.slots_on("0101", "pickup", day).await;
        if slots.iter().any(|s| s["bookable"] == json!(true)) {
            break slots;
        }
        day += Duration::days(1);
    };
    let slot = slots.iter().find(|s| s["bookable"] == json!(true)).unwrap();
    let (number, birth_date) = card_at(app, "0101", skip);
    let booked = answer(
        app.client
            .post(app.url("/api/v1/demo/bookings"))
            .json(&json!({
                "slot_id": slot["id"], "procedure": "pickup",
                "members": [{ "number": number, "birth_date": birth_date }],
                "contact": { "email": email, "phone": "090-1234-5678" },
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    (day, booked.body["code"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_bookings_lose_their_contact_details_on_their_day_and_reports_still_count_them() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let (first_day, _) = app.next_open_day("0101", "pickup").await;
    let (first_day, first) = book_on_or_after(&app, first_day, 0, "first@example.jp").await;
    let (second_day, second) =
        book_on_or_after(&app, first_day + Duration::days(7), 1, "second@example.jp").await;
    let mut conn = app.conn();
    retention::set_rules(
        &mut conn,
        tenant.id,
        Rules {
            operation_log_days: 400,
            personal_data_days: Some(30),
            file_days: 30,
        },
    )
    .unwrap();
    let clock = app.clock();
    let filter = ReportFilter {
        from: first_day,
        to: second_day,
        by: Grouping::Day,
        location: None,
        procedure: None,
        channel: None,
        location_ids: Vec::new(),
    };
    let report_before = format!(
        "{:?}",
        reports::report(&mut conn, &clock, &tenant, &filter).unwrap()
    );
    let var = tempfile::tempdir().unwrap();
    let apply_on = |conn: &mut PgConnection, today: chrono::NaiveDate| {
        let now = clock.now + (today - clock.today());
        retention::apply(conn, tenant.id, var.path(), now, today).unwrap()
    };
    let contact = |conn: &mut PgConnection, code: &str| -> (Option<String>, Option<String>, bool) {
        bookings::table
            .filter(bookings::tenant_id.eq(tenant.id))
            .filter(bookings::code.eq(code))
            .select((
                bookings::contact_email,
                bookings::contact_phone,
                bookings::anonymised_at.is_not_null(),
            ))
            .first(conn)
            .unwrap()
    };

    // Thirty days after the first visit its details are still kept…
    let applied = apply_on(&mut conn, first_day + Duration::days(30));
    assert_eq!(applied.bookings_anonymised, 0);
    assert_eq!(
        contact(&mut conn, &first).0.as_deref(),
        Some("first@example.jp")
    );
    // …and the day after, they are gone; the later booking keeps its own.
    let applied = apply_on(&mut conn, first_day + Duration::days(31));
    assert_eq!(applied.bookings_anonymised, 1);
    assert_eq!(contact(&mut conn, &first), (None, None, true));
    assert_eq!(
        contact(&mut conn, &second),
        (
            Some("second@example.jp".into()),
            Some("09012345678".into()),
            false
        )
    );
    let first_id: i64 = bookings::table
        .filter(bookings::tenant_id.eq(tenant.id))
        .filter(bookings::code.eq(&first))
        .select(bookings::id)
        .first(&mut conn)
        .unwrap();
    let keys: Vec<Option<String>> = booking_members::table
        .filter(booking_members::booking_id.eq(first_id))
        .select(booking_members::person_key)
        .load(&mut conn)
        .unwrap();
    assert!(!keys.is_empty() && keys.iter().all(Option::is_none));
    let recipients: Vec<String> = mail_outbox::table
        .filter(mail_outbox::booking_id.eq(first_id))
        .select(mail_outbox::recipient)
        .load(&mut conn)
        .unwrap();
    assert!(
        recipients.iter().all(|r| r == retention::ERASED_RECIPIENT),
        "{recipients:?}"
    );
    assert_eq!(applied.messages_anonymised, recipients.len());

    // Applying again changes nothing; the reports count what they counted.
    let again = apply_on(&mut conn, first_day + Duration::days(31));
    assert_eq!(
        (again.bookings_anonymised, again.messages_anonymised),
        (0, 0)
    );
    let report_after = format!(
        "{:?}",
        reports::report(&mut conn, &clock, &tenant, &filter).unwrap()
    );
    assert_eq!(report_after, report_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operation_log_is_kept_a_year_and_what_stays_still_verifies() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let mut conn = app.conn();
    let refused = retention::set_rules(
        &mut conn,
        tenant.id,
        Rules {
            operation_log_days: 365,
            personal_data_days: None,
            file_days: 30,
        },
    );
    assert!(refused.is_err(), "never less than a year");
    let now = app.clock().now;
    for (days_ago, action) in [
        (500, "old.one"),
        (400, "old.two"),
        (367, "old.three"),
        (365, "recent.one"),
        (1, "recent.two"),
    ] {
        NewAuditEntry {
            tenant_id: Some(tenant.id),
            actor: "admin",
            action,
            target: "test",
            client_addr: None,
            details: json!({}),
            created_at: now - Duration::days(days_ago),
        }
        .insert(&mut conn)
        .unwrap();
    }
    let var = tempfile::tempdir().unwrap();
    let applied =
        retention::apply(&mut conn, tenant.id, var.path(), now, app.clock().today()).unwrap();
    assert_eq!(applied.log_rows_removed, 3);
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .order(audit_log::chain_position)
        .select(audit_log::action)
        .load(&mut conn)
        .unwrap();
    assert_eq!(actions, ["recent.one", "recent.two", "log.pruned"]);
    let chain = madoguchi::domain::audit_chain::verify(&mut conn, Some(tenant.id)).unwrap();
    assert!(chain.first_break.is_none(), "{:?}", chain.first_break);
    // Nothing more is due: no second pruning line.
    let again =
        retention::apply(&mut conn, tenant.id, var.path(), now, app.clock().today()).unwrap();
    assert_eq!(again.log_rows_removed, 0);
    let lines: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(lines, 3);
    // A row removed by hand from what stays is still found.
    conn.transaction(|conn| {
        diesel::sql_query("SELECT set_config('madoguchi.erasing_tenant', $1, true)")
            .bind::<diesel::sql_types::Text, _>(tenant.id.to_string())
            .execute(conn)?;
        diesel::delete(audit_log::table.filter(audit_log::action.eq("recent.two"))).execute(conn)
    })
    .unwrap();
    let chain = madoguchi::domain::audit_chain::verify(&mut conn, Some(tenant.id)).unwrap();
    assert!(chain.first_break.is_some());
}
