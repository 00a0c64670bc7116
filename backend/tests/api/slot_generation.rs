//! Slots follow the timetable, and a timetable change never takes places from bookings.

use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;
use madoguchi::db::schema::slots;
use madoguchi::db::slot::Slot;
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, Party, Placement};
use madoguchi::domain::input::Email;
use madoguchi::domain::{slots as generation, tenant_file, Actor};

use crate::helpers::TestApp;

const TOWN: &str = r#"
code = "town"
name = "テスト町"
[[procedures]]
code = "apply"
name_ja = "申請"
[[locations]]
code = "0001"
name = "町役場"
[[locations.lanes]]
code = "main"
procedures = ["apply"]
[[locations.lanes.timetables]]
effective_from = 2026-01-01
slot_minutes = 15
capacity = CAPACITY
[locations.lanes.timetables.hours]
weekdays = ["HOURS"]
"#;

fn town(capacity: i32, hours: &str) -> String {
    TOWN.replace("CAPACITY", &capacity.to_string())
        .replace("HOURS", hours)
}

fn next_monday(app: &TestApp) -> NaiveDate {
    let mut day = app.clock().today() + Duration::days(7);
    while day.weekday() != chrono::Weekday::Mon {
        day += Duration::days(1);
    }
    day
}

fn slots_of(app: &TestApp, tenant: &Tenant, day: NaiveDate) -> Vec<Slot> {
    let clock = app.clock();
    let from = clock.start_of(day);
    app.query(|conn| {
        slots::table
            .filter(slots::tenant_id.eq(tenant.id))
            .filter(slots::starts_at.between(from, from + Duration::days(1)))
            .order(slots::starts_at)
            .select(Slot::as_select())
            .load(conn)
    })
}

fn reapply(app: &TestApp, text: &str, tenant: &Tenant) -> generation::GenerationReport {
    let mut conn = app.conn();
    tenant_file::apply(&mut conn, &tenant_file::parse(text).unwrap(), false).unwrap();
    let tenant = Tenant::by_code(&mut conn, &tenant.code).unwrap().unwrap();
    generation::generate_horizon(&mut conn, &app.clock(), &tenant).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generation_is_idempotent_and_never_takes_places_from_bookings() {
    let app = TestApp::spawn().await;
    let tenant = app.with_tenant(&town(4, "09:00-10:00"));
    let monday = next_monday(&app);
    let first = slots_of(&app, &tenant, monday);
    assert_eq!(
        first.iter().map(|s| s.capacity).collect::<Vec<_>>(),
        vec![4, 4, 4, 4]
    );

    let again = reapply(&app, &town(4, "09:00-10:00"), &tenant);
    assert_eq!((again.created, again.updated, again.closed), (0, 0, 0));

    // Three bookings at 9:00.
    let procedure_id: i64 = app.query(|conn| {
        use madoguchi::db::schema::procedures;
        procedures::table
            .filter(procedures::tenant_id.eq(tenant.id))
            .select(procedures::id)
            .first(conn)
    });
    for i in 0..3 {
        let request = BookingRequest {
            procedure_id,
            placement: Placement::Slot {
                slot_id: first[0].id,
            },
            party: Party::People(1),
            contact: Contact {
                email: Email::parse(&format!("p{i}@example.jp")),
                ..Contact::default()
            },
            note: String::new(),
            lang: Default::default(),
        };
        booking::book(
            &mut app.conn(),
            &app.clock(),
            &tenant,
            &request,
            &Actor::resident(None),
        )
        .expect("book");
    }

    // The timetable drops to 2 places and to 9:00–9:30.
    let report = reapply(&app, &town(2, "09:00-09:30"), &tenant);
    let after = slots_of(&app, &tenant, monday);
    assert_eq!(after.len(), 4, "slots are closed, never deleted");
    assert_eq!(
        (after[0].capacity, after[0].booked, after[0].closed),
        (3, 3, false),
        "the booked slot shrinks to its bookings and no further"
    );
    assert_eq!((after[1].capacity, after[1].closed), (2, false));
    assert!(after[2].closed && after[3].closed);
    assert!(
        report
            .needing_attention
            .iter()
            .any(|a| a.slot_id == after[0].id && a.booked == 3 && a.timetable_capacity == 2),
        "{report:?}"
    );

    // Opening hours come back: the closed slots reopen.
    let report = reapply(&app, &town(2, "09:00-10:00"), &tenant);
    assert!(report.reopened >= 2, "{report:?}");
    assert!(slots_of(&app, &tenant, monday).iter().all(|s| !s.closed));
}
