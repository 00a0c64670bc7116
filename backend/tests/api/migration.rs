//! Bookings brought across from a previous system: conflicts listed by line, nothing booked
//! while there is one, and never more bookings in a slot than it holds.

use diesel::prelude::*;
use madoguchi::db::schema::{bookings, slots};
use madoguchi::domain::migration::{migrate, MigrationReport};
use madoguchi_frontend::i18n::Lang;

use crate::helpers::TestApp;

fn run(app: &TestApp, text: String, commit: bool) -> MigrationReport {
    let tenant = madoguchi::db::tenant::Tenant::by_code(&mut app.conn(), "demo")
        .unwrap()
        .unwrap();
    migrate(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        std::io::Cursor::new(text.into_bytes()),
        commit,
    )
    .expect("migration")
}

fn booking_count(app: &TestApp) -> i64 {
    app.query(|conn| bookings::table.count().get_result(conn))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_lists_conflicts_by_line_and_never_overfills_a_slot() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (day, day_slots) = app.next_open_day("0101", "apply").await;
    let start = day_slots[0]["start"].as_str().unwrap().to_string();
    let slot_id = day_slots[0]["id"].as_i64().unwrap();
    let capacity: i32 = app.query(|conn| {
        slots::table
            .find(slot_id)
            .select(slots::capacity)
            .first(conn)
    });
    let time = &start[11..16];
    let header = "来庁日時,窓口コード,手続き,人数,カード番号,メール,電話,氏名,メモ\n";
    let number: String = app.query(|conn| {
        use madoguchi::db::schema::{card_records, locations};
        card_records::table
            .inner_join(locations::table)
            .filter(locations::code.eq("0101"))
            .select(card_records::reservation_number.assume_not_null())
            .first(conn)
    });

    let mixed = format!(
        "{header}{day} {time},0101,apply,1,,a@example.jp,,,旧システムより\n\
         {day} {time},0101,pickup,,{number},,090-1111-2222,,\n\
         {day} {time},0101,pickup,,ZZZ-999999,,090-1111-3333,,\n\
         {day} 03:00,0101,apply,1,,b@example.jp,,,\n"
    );
    let dry = run(&app, mixed.clone(), false);
    let messages: Vec<String> = dry.problems.iter().map(|p| p.message(Lang::En)).collect();
    assert_eq!(
        messages,
        vec![
            "line 4, カード番号: no card has the number \"ZZZ-999999\"".to_string(),
            format!("line 5, 来庁日時: no slot of this counter and procedure at {day} 03:00 (a closed day or outside the hours)"),
        ]
    );
    assert_eq!((dry.rows, dry.booked), (4, 2));
    let refused = run(&app, mixed, true);
    assert!(!refused.committed);
    assert_eq!(
        booking_count(&app),
        0,
        "nothing is booked while a row conflicts"
    );

    // One visitor more than the slot holds: the last one is refused, and nothing is booked.
    let rows: String = (0..=capacity)
        .map(|i| format!("{day} {time},0101,apply,1,,m{i}@example.jp,,,\n"))
        .collect();
    let full = run(&app, format!("{header}{rows}"), true);
    assert_eq!(full.problems.len(), 1);
    assert_eq!(full.problems[0].line, capacity as u64 + 2);
    assert!(full.problems[0]
        .message(Lang::En)
        .contains("cannot be booked"));
    assert_eq!(booking_count(&app), 0);

    let fitting: String = rows
        .lines()
        .take(capacity as usize)
        .map(|l| format!("{l}\n"))
        .collect();
    let done = run(&app, format!("{header}{fitting}"), true);
    assert!(done.committed, "{:?}", done.problems);
    assert_eq!(booking_count(&app), i64::from(capacity));
    let booked: i32 =
        app.query(|conn| slots::table.find(slot_id).select(slots::booked).first(conn));
    assert_eq!(booked, capacity, "the slot is full, not overfilled");
    let channel: String = app.query(|conn| bookings::table.select(bookings::channel).first(conn));
    assert_eq!(channel, "migration");
}
