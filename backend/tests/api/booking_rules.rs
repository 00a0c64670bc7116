//! The booking rules at their boundaries, with the clock standing where each test needs it.

use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;
use madoguchi::db::schema::slots;
use madoguchi::db::slot::Slot;
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, HoldRequest, Party, Placement};
use madoguchi::domain::input::Email;
use madoguchi::domain::{Actor, Channel, Clock};
use madoguchi::error::AppError;

use crate::helpers::TestApp;

fn procedure_id(app: &TestApp, tenant: &Tenant, code: &str) -> i64 {
    use madoguchi::db::schema::procedures;
    app.query(|conn| {
        procedures::table
            .filter(procedures::tenant_id.eq(tenant.id))
            .filter(procedures::code.eq(code))
            .select(procedures::id)
            .first(conn)
    })
}

/// The first slot of `location` starting on `day` at `hh:mm` Tokyo time.
fn slot_at(app: &TestApp, location: &str, day: NaiveDate, hh: u32, mm: u32) -> Slot {
    use madoguchi::db::schema::locations;
    let clock = app.clock();
    let start = clock.instant(day.and_hms_opt(hh, mm, 0).expect("time"));
    app.query(|conn| {
        slots::table
            .inner_join(locations::table)
            .filter(locations::code.eq(location))
            .filter(slots::starts_at.eq(start))
            .select(Slot::as_select())
            .first(conn)
    })
}

fn apply_request(procedure_id: i64, slot_id: i64, email: &str) -> BookingRequest {
    BookingRequest {
        procedure_id,
        placement: Placement::Slot { slot_id },
        party: Party::People(1),
        contact: Contact {
            email: Email::parse(email),
            ..Contact::default()
        },
        note: String::new(),
        lang: Default::default(),
    }
}

fn resident() -> Actor {
    Actor::resident(Some("127.0.0.1".into()))
}

/// A Wednesday or Thursday at least `days_ahead` days from today on which every
/// location is open (no holiday, no closure).
fn open_weekday(app: &TestApp, days_ahead: i64) -> NaiveDate {
    use madoguchi::db::schema::locations;
    let mut day = app.clock().today() + Duration::days(days_ahead);
    loop {
        if matches!(day.weekday(), chrono::Weekday::Wed | chrono::Weekday::Thu) {
            let clock = app.clock();
            let from = clock.start_of(day);
            let open_locations: Vec<String> = app.query(|conn| {
                slots::table
                    .inner_join(locations::table)
                    .filter(slots::starts_at.between(from, from + Duration::days(1)))
                    .filter(slots::closed.eq(false))
                    .select(locations::code)
                    .distinct()
                    .load(conn)
            });
            if open_locations.len() == 5 {
                return day;
            }
        }
        day += Duration::days(1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutoff_the_day_before_at_17_accepts_165959_and_refuses_170000() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let apply = procedure_id(&app, &tenant, "apply");
    let day = open_weekday(&app, 14);
    let eve = day - Duration::days(1);
    let slot = slot_at(&app, "0102", day, 10, 0);
    let mut conn = app.conn();

    let just_before = app.clock_at(eve.year(), eve.month(), eve.day(), 16, 59, 59);
    let booked = booking::book(
        &mut conn,
        &just_before,
        &tenant,
        &apply_request(apply, slot.id, "early@example.jp"),
        &resident(),
    );
    assert!(booked.is_ok(), "{booked:?}");

    let at_cutoff = Clock {
        now: just_before.now + Duration::seconds(1),
        ..just_before
    };
    let refused = booking::book(
        &mut conn,
        &at_cutoff,
        &tenant,
        &apply_request(apply, slot.id, "late@example.jp"),
        &resident(),
    );
    assert!(
        matches!(refused, Err(AppError::OutsideBookingWindow)),
        "{refused:?}"
    );

    // The counter takes phone bookings after the online cut-off.
    let phone = Actor {
        label: "operator".into(),
        channel: Channel::Phone,
        client_addr: None,
    };
    let by_phone = booking::book(
        &mut conn,
        &at_cutoff,
        &tenant,
        &apply_request(apply, slot.id, "phone@example.jp"),
        &phone,
    );
    assert!(by_phone.is_ok(), "{by_phone:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_window_opens_sixty_days_ahead() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let apply = procedure_id(&app, &tenant, "apply");
    let day = open_weekday(&app, 56);
    let slot = slot_at(&app, "0102", day, 9, 0);
    let mut conn = app.conn();
    let at = |days_before: i64| {
        let d = day - Duration::days(days_before);
        app.clock_at(d.year(), d.month(), d.day(), 9, 0, 0)
    };
    let too_early = booking::book(
        &mut conn,
        &at(61),
        &tenant,
        &apply_request(apply, slot.id, "a@example.jp"),
        &resident(),
    );
    assert!(
        matches!(too_early, Err(AppError::OutsideBookingWindow)),
        "{too_early:?}"
    );
    let first_day = booking::book(
        &mut conn,
        &at(60),
        &tenant,
        &apply_request(apply, slot.id, "b@example.jp"),
        &resident(),
    );
    assert!(first_day.is_ok(), "{first_day:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_national_holiday_and_the_new_year_break_have_no_slots() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let clock = app.clock();
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    {
        // Each stretch asserted below is generated here, so that the test holds whatever
        // day it runs (the horizon from "today" would not reach or would have passed them).
        let mut conn = app.conn();
        for (from, to) in [
            (date(2026, 9, 14), date(2026, 9, 27)),
            (date(2026, 12, 28), date(2027, 1, 5)),
            (date(2027, 2, 10), date(2027, 2, 13)),
        ] {
            madoguchi::domain::slots::generate(&mut conn, &clock, &tenant, from, to)
                .expect("generate");
        }
    }
    // 9/21 敬老の日, 9/22 休日, 9/23 秋分の日; 9/24 is an ordinary Thursday.
    for holiday in [date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23)] {
        assert!(
            app.slots_on("0101", "apply", holiday).await.is_empty(),
            "{holiday} has slots"
        );
    }
    assert_eq!(
        app.slots_on("0101", "apply", date(2026, 9, 24)).await.len(),
        28
    );
    for closed in [
        date(2026, 12, 29),
        date(2026, 12, 31),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ] {
        assert!(
            app.slots_on("0101", "apply", closed).await.is_empty(),
            "{closed} has slots"
        );
    }
    assert_eq!(
        app.slots_on("0101", "apply", date(2027, 1, 4)).await.len(),
        28
    );
    // A tenant closure for one location (2027-02-12 at 0104) leaves the others open.
    assert!(app
        .slots_on("0104", "apply", date(2027, 2, 12))
        .await
        .is_empty());
    assert_eq!(
        app.slots_on("0103", "apply", date(2027, 2, 12)).await.len(),
        28
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_hold_no_longer_blocks_the_place() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let apply = procedure_id(&app, &tenant, "apply");
    let day = open_weekday(&app, 14);
    let slot = slot_at(&app, "0103", day, 11, 0); // 4 places
    let start = app.clock_at(day.year(), day.month(), day.day(), 0, 0, 0);
    let start = Clock {
        now: start.now - Duration::days(3),
        ..start
    };
    let mut conn = app.conn();
    let hold = |conn: &mut diesel::PgConnection, clock: &Clock, client: &str| {
        booking::place_hold(
            conn,
            clock,
            &tenant,
            &HoldRequest {
                slot_id: slot.id,
                procedure_id: apply,
                places: 1,
                client_token: format!("client-token-{client:0>8}"),
            },
            &resident(),
        )
    };
    for client in ["a", "b", "c", "d"] {
        hold(&mut conn, &start, client).expect("hold");
    }
    let later = |seconds: i64| Clock {
        now: start.now + Duration::seconds(seconds),
        ..start
    };
    let full = hold(&mut conn, &later(9 * 60 + 59), "e");
    assert!(matches!(full, Err(AppError::SlotFull)), "{full:?}");
    // Ten minutes on, the four holds have lapsed: no sweeper ran, yet the place is free.
    let freed = hold(&mut conn, &later(10 * 60), "e");
    assert!(freed.is_ok(), "{freed:?}");
    // And booking from a lapsed hold is refused with its own code.
    let lapsed = booking::book(
        &mut conn,
        &later(10 * 60),
        &tenant,
        &BookingRequest {
            placement: Placement::Hold {
                client_token: "client-token-0000000a".into(),
            },
            ..apply_request(apply, slot.id, "lapsed@example.jp")
        },
        &resident(),
    );
    assert!(matches!(lapsed, Err(AppError::HoldExpired)), "{lapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_bookings_leave_the_operator_share_of_a_slot() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let apply = procedure_id(&app, &tenant, "apply");
    let day = open_weekday(&app, 14);
    let slot = slot_at(&app, "0101", day, 14, 0); // 8 places, 6 online
    let clock = app.clock();
    let mut conn = app.conn();
    for i in 0..6 {
        booking::book(
            &mut conn,
            &clock,
            &tenant,
            &apply_request(apply, slot.id, &format!("web{i}@example.jp")),
            &resident(),
        )
        .expect("web booking");
    }
    let seventh = booking::book(
        &mut conn,
        &clock,
        &tenant,
        &apply_request(apply, slot.id, "web7@example.jp"),
        &resident(),
    );
    assert!(matches!(seventh, Err(AppError::SlotFull)), "{seventh:?}");
    let phone = Actor {
        label: "operator:1".into(),
        channel: Channel::Phone,
        client_addr: None,
    };
    for i in 0..2 {
        booking::book(
            &mut conn,
            &clock,
            &tenant,
            &apply_request(apply, slot.id, &format!("tel{i}@example.jp")),
            &phone,
        )
        .expect("phone booking");
    }
    let ninth = booking::book(
        &mut conn,
        &clock,
        &tenant,
        &apply_request(apply, slot.id, "tel9@example.jp"),
        &phone,
    );
    assert!(matches!(ninth, Err(AppError::SlotFull)), "{ninth:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_a_count_above_capacity_whatever_the_code_does() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let slot_id: i64 = app.query(|conn| slots::table.select(slots::id).first(conn));
    let overfill = diesel::update(slots::table.find(slot_id))
        .set(slots::booked.eq(slots::capacity + 1))
        .execute(&mut app.conn());
    assert!(overfill.is_err(), "a slot accepted more than its capacity");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_changes_end_at_the_deadline_and_closed_slots_take_no_bookings() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let apply = procedure_id(&app, &tenant, "apply");
    let day = open_weekday(&app, 14);
    let eve = day - Duration::days(1);
    let slot = slot_at(&app, "0102", day, 9, 0);
    let other = slot_at(&app, "0102", day, 9, 15);
    let mut conn = app.conn();
    let early = app.clock_at(eve.year(), eve.month(), eve.day(), 9, 0, 0);
    let booked = booking::book(
        &mut conn,
        &early,
        &tenant,
        &apply_request(apply, slot.id, "m@example.jp"),
        &resident(),
    )
    .expect("book");
    let at_deadline = app.clock_at(eve.year(), eve.month(), eve.day(), 17, 0, 0);
    let moved = booking::move_booking(
        &mut conn,
        &at_deadline,
        &tenant,
        booked.booking.id,
        &Placement::Slot { slot_id: other.id },
        &resident(),
    );
    assert!(
        matches!(moved, Err(AppError::ChangeDeadlinePassed)),
        "{moved:?}"
    );
    let cancelled = booking::cancel(
        &mut conn,
        &at_deadline,
        &tenant,
        booked.booking.id,
        &resident(),
    );
    assert!(
        matches!(cancelled, Err(AppError::ChangeDeadlinePassed)),
        "{cancelled:?}"
    );
    let before = Clock {
        now: at_deadline.now - Duration::seconds(1),
        ..at_deadline
    };
    assert!(booking::cancel(&mut conn, &before, &tenant, booked.booking.id, &resident()).is_ok());

    diesel::update(slots::table.find(other.id))
        .set(slots::closed.eq(true))
        .execute(&mut conn)
        .expect("closing a slot");
    let refused = booking::book(
        &mut conn,
        &early,
        &tenant,
        &apply_request(apply, other.id, "c@example.jp"),
        &resident(),
    );
    assert!(matches!(refused, Err(AppError::SlotClosed)), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cutoff_counted_in_open_days_skips_the_weekend() {
    let app = TestApp::spawn().await;
    let tenant = app.with_tenant(&madoguchi::cli::DEMO_TENANT.replace(
        "deadlines_skip_closed_days = false",
        "deadlines_skip_closed_days = true",
    ));
    let apply = procedure_id(&app, &tenant, "apply");
    // A Monday visit: one open day before is the Friday.
    let mut monday = open_weekday(&app, 14);
    while monday.weekday() != chrono::Weekday::Mon {
        monday += Duration::days(1);
    }
    let slot = slot_at(&app, "0102", monday, 10, 0);
    let friday = monday - Duration::days(3);
    let saturday = monday - Duration::days(2);
    let mut conn = app.conn();
    let on_friday = app.clock_at(friday.year(), friday.month(), friday.day(), 16, 59, 59);
    assert!(booking::book(
        &mut conn,
        &on_friday,
        &tenant,
        &apply_request(apply, slot.id, "f@example.jp"),
        &resident()
    )
    .is_ok());
    let on_saturday = app.clock_at(saturday.year(), saturday.month(), saturday.day(), 10, 0, 0);
    let refused = booking::book(
        &mut conn,
        &on_saturday,
        &tenant,
        &apply_request(apply, slot.id, "s@example.jp"),
        &resident(),
    );
    assert!(
        matches!(refused, Err(AppError::OutsideBookingWindow)),
        "{refused:?}"
    );
}
