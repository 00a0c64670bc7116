//! `tenant apply`: idempotent, a dry run changes nothing, errors say where.

use diesel::prelude::*;
use madoguchi::db::schema::{locations, timetables};
use madoguchi::domain::tenant_file;

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_the_same_file_twice_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    let file = tenant_file::parse(madoguchi::cli::DEMO_TENANT).unwrap();
    let mut conn = app.conn();
    let first = tenant_file::apply(&mut conn, &file, false).unwrap();
    assert!(first.changes.iter().any(|c| c.starts_with("+ tenant demo")));
    assert!(first
        .changes
        .iter()
        .any(|c| c.starts_with("+ location 0105")));
    let second = tenant_file::apply(&mut conn, &file, false).unwrap();
    assert_eq!(second.changes, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_the_diff_and_keeps_the_data() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    tenant_file::apply(
        &mut conn,
        &tenant_file::parse(madoguchi::cli::DEMO_TENANT).unwrap(),
        false,
    )
    .unwrap();
    let changed = madoguchi::cli::DEMO_TENANT
        .replace("西地区市民センター", "西地区市民センター（新館）")
        .replace("capacity = 4\n", "capacity = 5\n");
    let dry = tenant_file::apply(&mut conn, &tenant_file::parse(&changed).unwrap(), true).unwrap();
    assert!(
        dry.changes
            .iter()
            .any(|c| c.contains("location 0105") && c.contains("西地区市民センター（新館）")),
        "{:?}",
        dry.changes
    );
    assert!(
        dry.changes
            .iter()
            .any(|c| c.contains("0103/mynumber: timetable")),
        "{:?}",
        dry.changes
    );
    let name: String = locations::table
        .filter(locations::code.eq("0105"))
        .select(locations::name)
        .first(&mut conn)
        .unwrap();
    assert_eq!(name, "西地区市民センター");
    let fives: i64 = timetables::table
        .filter(timetables::capacity.eq(5))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(fives, 0);
}

#[test]
fn a_bad_file_names_each_mistake_by_its_place() {
    let bad = madoguchi::cli::DEMO_TENANT
        .replacen("slot_minutes = 15", "slot_minutes = 25", 1)
        .replacen("\"pin-reset\"]", "\"pin-rest\"]", 1)
        .replacen("\"09:00-12:00\"", "\"9時-12時\"", 1)
        .replacen(
            "staff_networks = []",
            "staff_networks = [\"192.0.2.0/33\"]",
            1,
        );
    let file = tenant_file::parse(&bad).unwrap();
    let db = crate::helpers::TestDatabase::create();
    let mut conn = PgConnection::establish(&db.url).unwrap();
    let error = tenant_file::apply(&mut conn, &file, false)
        .unwrap_err()
        .to_string();
    for expected in [
        "locations[0].lanes[0].timetables[0].slot_minutes",
        "locations[0].lanes[0].procedures: unknown procedure \"pin-rest\"",
        "locations[0].lanes[0].timetables[0].hours.weekdays[0]",
        "rules.staff_networks: \"192.0.2.0/33\" is not an address range",
    ] {
        assert!(error.contains(expected), "missing {expected} in {error}");
    }
    let unknown_key = tenant_file::parse(
        "code = \"x\"\nname = \"x\"\nprocedures = []\nlocations = []\ncolour = \"red\"\n",
    );
    assert!(unknown_key.unwrap_err().to_string().contains("colour"));
}
