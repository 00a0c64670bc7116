//! The consistency check the load tests rely on finds what a lockless system would leave:
//! a slot with more bookings than places (and a count that no longer matches), and a card
//! with two active bookings.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use madoguchi::domain::consistency::check;

use crate::helpers::TestApp;
use crate::mail::book_with_email;

/// Writes a booking row straight into the table, past every rule, as a buggy system might.
fn insert_booking(conn: &mut PgConnection, slot: i64, code: &str, card: Option<i64>) {
    diesel::sql_query(
        "WITH made AS (
           INSERT INTO bookings (tenant_id, code, slot_id, procedure_id, channel, party_size,
                                 created_at, updated_at)
           SELECT s.tenant_id, $2, s.id, p.id, 'web', 1, now(), now()
             FROM slots s JOIN procedures p ON p.tenant_id = s.tenant_id AND p.code = 'pickup'
            WHERE s.id = $1
           RETURNING id, tenant_id, procedure_id)
         INSERT INTO booking_members (tenant_id, booking_id, position, procedure_id, card_id, active)
         SELECT tenant_id, id, 1, procedure_id, $3, false FROM made",
    )
    .bind::<BigInt, _>(slot)
    .bind::<Text, _>(code)
    .bind::<diesel::sql_types::Nullable<BigInt>, _>(card)
    .execute(conn)
    .expect("inserting past the rules");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_passes_real_bookings_and_finds_overbooking_miscounts_and_double_cards() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    for i in 0..3 {
        book_with_email(&app, &format!("fine{i}@example.jp")).await;
    }
    let fine = app.query(|conn| check(conn, "demo"));
    assert!(fine.holds(), "{fine:?}");
    assert_eq!((fine.active_bookings, fine.places_taken), (3, 3));

    let (slot, capacity): (i64, i32) = app.query(|conn| {
        use madoguchi::db::schema::slots;
        slots::table
            .filter(slots::booked.eq(0))
            .select((slots::id, slots::capacity))
            .order(slots::id)
            .first(conn)
    });
    let card: i64 = app.query(|conn| {
        use madoguchi::db::schema::card_records;
        card_records::table
            .select(card_records::id)
            .order(card_records::id)
            .first(conn)
    });
    let digits = "23456789";
    let mut conn = app.conn();
    for i in 0..=capacity as usize {
        let code = format!(
            "QQQQQQQ{}{}",
            &digits[i / 8..i / 8 + 1],
            &digits[i % 8..i % 8 + 1]
        );
        // The first two rows carry the same card.
        insert_booking(&mut conn, slot, &code, (i < 2).then_some(card));
    }
    let broken = check(&mut conn, "demo").unwrap();
    assert!(!broken.holds());
    assert_eq!(broken.overbooked_slots, 1, "{broken:?}");
    assert_eq!(broken.miscounted_slots, 1, "{broken:?}");
    assert_eq!(broken.cards_booked_twice, 1, "{broken:?}");
}
