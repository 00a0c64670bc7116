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

#[test]
fn a_bad_translation_or_fallback_order_is_named_by_its_place() {
    let file = tenant_file::parse(
        r#"code = "x"
name = "x"
locations = []
[fallbacks]
vi = ["ja", "en"]
ko = ["ko"]
en = ["ja"]
[[procedures]]
code = "apply"
name_ja = "申請"
[procedures.translations.vi]
name = "Nộp\u0007đơn"
colour = "đỏ"
[procedures.translations.fr]
name = "Demande"
"#,
    )
    .unwrap();
    let db = crate::helpers::TestDatabase::create();
    let mut conn = PgConnection::establish(&db.url).unwrap();
    let error = tenant_file::apply(&mut conn, &file, false)
        .unwrap_err()
        .to_string();
    for expected in [
        "fallbacks.vi: \"ja\" ends the order",
        "fallbacks.ko: \"ko\" is not another language",
        "fallbacks.en: \"en\" has no order of its own to set",
        "procedures[0].translations.vi.name: contains a control character",
        "procedures[0].translations.vi.colour: only name, notes may be translated",
        "procedures[0].translations: \"fr\" is not one of ja-easy, pt-BR, vi, zh-Hans, ko, tl",
    ] {
        assert!(error.contains(expected), "missing {expected} in {error}");
    }
}

/// The demo city grown to 40 locations, each with a lane, a timetable changing on a later
/// date and a closed day of its own.
fn city_of_forty() -> String {
    let mut text = madoguchi::cli::DEMO_TENANT.to_string();
    for n in 0..35 {
        text.push_str(&format!(
            r#"
[[locations]]
code = "2{n:03}"
name = "出張所{n}"
name_en = "Branch {n}"
address = "デモ市{n}番地"
issues_cards = {issues}
access_ja = "デモ駅から{n}分。\n2階です。"
map_url = "https://maps.example.jp/{n}"

[[locations.lanes]]
code = "desk"
name = "窓口"
procedures = ["pickup", "cert-renewal"]

[[locations.lanes.timetables]]
effective_from = 2026-04-01
slot_minutes = 30
capacity = 2
hours = {{ weekdays = ["09:00-12:00", "13:00-17:00"] }}

[[locations.lanes.timetables]]
effective_from = "2027-01-04"
slot_minutes = 20
capacity = 3
web_capacity = 2
hours = {{ mon = ["09:00-12:00"], wed = ["13:00-16:00"], sat = ["10:00-12:00"] }}

[[closures]]
date = 2027-02-{day:02}
location = "2{n:03}"
reason = "施設点検"
"#,
            issues = n % 2 == 0,
            day = n % 28 + 1,
        ));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_tenant_file_applies_with_no_changes() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    let file = tenant_file::parse(&city_of_forty()).unwrap();
    assert_eq!(file.locations.len(), 40);
    tenant_file::apply(&mut conn, &file, false).unwrap();
    let tenant = madoguchi::db::tenant::Tenant::by_code(&mut conn, "demo")
        .unwrap()
        .unwrap();
    // A day closed on screen, not in the file: the export keeps it.
    let branch = madoguchi::db::location::Location::for_tenant(&mut conn, tenant.id)
        .unwrap()
        .into_iter()
        .find(|l| l.code == "2007")
        .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
    madoguchi::domain::closures::close(
        &mut conn,
        &app.clock(),
        &tenant,
        Some(branch.id),
        day,
        day,
        "選挙",
        &madoguchi::domain::displaced::Decided {
            seen: Vec::new(),
            displacement: madoguchi::domain::displaced::Displacement::Undecided,
        },
    )
    .unwrap()
    .expect("no bookings stand on that day");

    let exported = tenant_file::export(&mut conn, &tenant).unwrap();
    let text = tenant_file::to_toml(&exported, "2026-11-30T12:00:00+09:00").unwrap();
    let again = tenant_file::parse(&text).expect("the export reads back as a tenant file");
    let report = tenant_file::apply(&mut conn, &again, true).unwrap();
    assert_eq!(report.changes, Vec::<String>::new(), "{text}");

    assert_eq!(again.locations.len(), 40);
    let branch = again.locations.iter().find(|l| l.code == "2007").unwrap();
    let hours = &branch.lanes[0].timetables[1].hours;
    assert_eq!(hours["mon"], vec!["09:00-12:00"]);
    assert_eq!(hours["sat"], vec!["10:00-12:00"]);
    assert_eq!(branch.access_ja, "デモ駅から7分。\n2階です。");
    assert_eq!(branch.map_url, "https://maps.example.jp/7");
    assert!(text.contains("reason = \"選挙\""), "{text}");
    assert!(text.contains("date = 2027-03-31"), "{text}");
}
