//! Statistics: a known history across the fiscal-year boundary (31 March → 1 April), with
//! bookings by web and phone, a move, cancellations by a resident and by staff, check-ins,
//! a hand-over and a no-show; every figure of the report, the CSV and the workbook agree,
//! and the report's totals equal the booking list's export for the same filters.

use diesel::prelude::*;
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, Party, Placement};
use madoguchi::domain::counter::{self, CounterAction};
use madoguchi::domain::input::{BookingCode, Email};
use madoguchi::domain::staff::Role;
use madoguchi::domain::{slots, Actor, Channel, Clock};

use super::{create_account_in, log_in, new_client, PASSWORD};
use crate::helpers::TestApp;

/// Two counters open 09:00–17:00 every day, hourly slots of 4 places: 32 places a day each.
const TWO_COUNTERS: &str = r#"
code = "town"
name = "統計町"
[rules]
closed_on_national_holidays = false
closed_over_new_year = false
[[procedures]]
code = "apply"
name_ja = "申請"
[[procedures]]
code = "pickup"
name_ja = "交付"
needs_card = true
[[locations]]
code = "main"
name = "本庁"
[[locations.lanes]]
code = "desk"
procedures = ["apply", "pickup"]
[[locations.lanes.timetables]]
effective_from = 2020-01-01
slot_minutes = 60
capacity = 4
[locations.lanes.timetables.hours]
weekdays = ["09:00-17:00"]
sat = ["09:00-17:00"]
sun = ["09:00-17:00"]
[[locations]]
code = "north"
name = "北支所"
[[locations.lanes]]
code = "desk"
procedures = ["apply"]
[[locations.lanes.timetables]]
effective_from = 2020-01-01
slot_minutes = 60
capacity = 4
[locations.lanes.timetables.hours]
weekdays = ["09:00-17:00"]
sat = ["09:00-17:00"]
sun = ["09:00-17:00"]
"#;

struct Town<'a> {
    app: &'a TestApp,
    tenant: Tenant,
}

impl Town<'_> {
    fn at(&self, d: (u32, u32), hh: u32, mm: u32) -> Clock {
        self.app.clock_at(2027, d.0, d.1, hh, mm, 0)
    }

    fn slot(&self, location: &str, d: (u32, u32), hh: u32) -> i64 {
        use madoguchi::db::schema::{locations, slots};
        let start = self.at(d, hh, 0).now;
        self.app.query(|conn| {
            slots::table
                .inner_join(locations::table)
                .filter(slots::tenant_id.eq(self.tenant.id))
                .filter(locations::code.eq(location))
                .filter(slots::starts_at.eq(start))
                .select(slots::id)
                .first(conn)
        })
    }

    fn book(&self, when: Clock, actor: &Actor, slot_id: i64, people: i32) -> (i64, String) {
        use madoguchi::db::schema::procedures;
        let mut conn = self.app.conn();
        let procedure_id: i64 = procedures::table
            .filter(procedures::tenant_id.eq(self.tenant.id))
            .filter(procedures::code.eq("apply"))
            .select(procedures::id)
            .first(&mut conn)
            .unwrap();
        let request = BookingRequest {
            procedure_id,
            placement: Placement::Slot { slot_id },
            party: Party::People(people),
            contact: Contact {
                // One address per booking: a person holds one booking per procedure.
                email: Email::parse(&format!("resident{slot_id}@example.jp")),
                ..Contact::default()
            },
            note: String::new(),
            lang: Default::default(),
        };
        let booked =
            booking::book(&mut conn, &when, &self.tenant, &request, actor).expect("booking");
        (booked.booking.id, booked.booking.code)
    }

    fn counter(&self, when: Clock, code: &str, location: &str, action: Option<CounterAction>) {
        use madoguchi::db::schema::locations;
        let mut conn = self.app.conn();
        let location_id: i64 = locations::table
            .filter(locations::tenant_id.eq(self.tenant.id))
            .filter(locations::code.eq(location))
            .select(locations::id)
            .first(&mut conn)
            .unwrap();
        let code = BookingCode::parse(code).unwrap();
        let clerk = clerk();
        match action {
            None => counter::check_in(&mut conn, &when, &self.tenant, &code, location_id, &clerk),
            Some(action) => counter::act(
                &mut conn,
                &when,
                &self.tenant,
                &code,
                location_id,
                action,
                "",
                &clerk,
            ),
        }
        .expect("counter work");
    }
}

fn resident() -> Actor {
    Actor::resident(Some("192.0.2.10".into()))
}

fn operator() -> Actor {
    Actor {
        label: "staff:operator".into(),
        channel: Channel::Phone,
        client_addr: None,
    }
}

fn clerk() -> Actor {
    Actor {
        label: "staff:clerk".into(),
        channel: Channel::Counter,
        client_addr: None,
    }
}

/// The history (visit, how booked, what happened; days from booking to visit):
/// 1. 本庁 3/31 10:00, web on 3/29, checked in and handed over (2 days);
/// 2. 本庁 3/31 11:00, phone on 3/25, no-show (6);
/// 3. 北支所 3/30 10:00, web on 3/27, cancelled by the resident on 3/28 (3);
/// 4. 本庁 3/31 15:00, web on 3/26, moved by the resident on 3/30 to 4/1 10:00, checked
///    in (6 from booking to the new visit);
/// 5. 北支所 4/1 11:00, phone on 3/31 09:00, cancelled by the operator at 14:10 (1);
/// 6. 本庁 4/2 09:00, web on 3/30, two people, still booked (3).
fn history(app: &TestApp) -> Town<'_> {
    let tenant = app.with_tenant(TWO_COUNTERS);
    let town = Town { app, tenant };
    {
        let mut conn = app.conn();
        slots::generate_horizon(&mut conn, &town.at((3, 20), 8, 0), &town.tenant).unwrap();
    }
    let (_, first) = town.book(
        town.at((3, 29), 9, 0),
        &resident(),
        town.slot("main", (3, 31), 10),
        1,
    );
    let (_, second) = town.book(
        town.at((3, 25), 9, 0),
        &operator(),
        town.slot("main", (3, 31), 11),
        1,
    );
    let (third, _) = town.book(
        town.at((3, 27), 9, 0),
        &resident(),
        town.slot("north", (3, 30), 10),
        1,
    );
    let (fourth, fourth_code) = town.book(
        town.at((3, 26), 9, 0),
        &resident(),
        town.slot("main", (3, 31), 15),
        1,
    );
    let (fifth, _) = town.book(
        town.at((3, 31), 9, 0),
        &operator(),
        town.slot("north", (4, 1), 11),
        1,
    );
    town.book(
        town.at((3, 30), 9, 0),
        &resident(),
        town.slot("main", (4, 2), 9),
        2,
    );
    let mut conn = app.conn();
    booking::cancel(
        &mut conn,
        &town.at((3, 28), 10, 0),
        &town.tenant,
        third,
        &resident(),
    )
    .unwrap();
    let target = Placement::Slot {
        slot_id: town.slot("main", (4, 1), 10),
    };
    booking::move_booking(
        &mut conn,
        &town.at((3, 30), 10, 0),
        &town.tenant,
        fourth,
        &target,
        &resident(),
    )
    .unwrap();
    booking::cancel(
        &mut conn,
        &town.at((3, 31), 14, 10),
        &town.tenant,
        fifth,
        &operator(),
    )
    .unwrap();
    drop(conn);
    town.counter(town.at((3, 31), 10, 5), &first, "main", None);
    town.counter(
        town.at((3, 31), 10, 20),
        &first,
        "main",
        Some(CounterAction::HandOver),
    );
    town.counter(
        town.at((3, 31), 12, 0),
        &second,
        "main",
        Some(CounterAction::NoShow),
    );
    town.counter(town.at((4, 1), 10, 3), &fourth_code, "main", None);
    for (login, role) in [
        ("admin", Role::Admin),
        ("auditor", Role::Auditor),
        ("operator", Role::Operator),
    ] {
        create_account_in(app, &town.tenant, login, role);
    }
    town
}

async fn logged_in(app: &TestApp, login: &str) -> reqwest::Client {
    let client = new_client();
    assert_eq!(log_in(app, &client, login, PASSWORD).await.status(), 303);
    client
}

async fn body(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, Vec<u8>) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// The CSV's rows as (period, location, procedure) → the 10 counts.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{FEFF}').expect("a byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "period",
            "location",
            "procedure",
            "booked",
            "changed",
            "cancelled",
            "checked_in",
            "handed_over",
            "no_show",
            "web",
            "phone",
            "places_offered",
            "places_used"
        ]
    );
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn row<'r>(rows: &'r [Vec<String>], period: &str, location: &str, procedure: &str) -> &'r [String] {
    rows.iter()
        .find(|r| r[0] == period && r[1] == location && r[2] == procedure)
        .unwrap_or_else(|| panic!("no row {period} {location} {procedure} in {rows:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_history_gives_every_figure_on_both_sides_of_the_fiscal_year() {
    let app = TestApp::spawn_at(2027, 4, 10, 12, 0).await;
    history(&app);
    let admin = logged_in(&app, "admin").await;
    let query = "from=2027-03-30&to=2027-04-02";
    let (status, csv) = body(
        &app,
        &admin,
        &format!("/town/staff/reports.csv?{query}&by=fiscal_year"),
    )
    .await;
    assert_eq!(status, 200);
    let rows = csv_rows(&csv);
    // Columns after the three names: booked, changed, cancelled, checked_in, handed_over,
    // no_show, web, phone, places_offered, places_used. Two days on each side, 32 places a
    // day at each counter for each procedure its lane takes.
    let expect = |r: &[String], counts: [i64; 10]| {
        let got: Vec<i64> = r[3..].iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(got, counts, "{r:?}");
    };
    expect(
        row(&rows, "FY2026", "main", "apply"),
        [2, 0, 0, 1, 1, 1, 1, 1, 64, 2],
    );
    expect(
        row(&rows, "FY2026", "north", "apply"),
        [1, 0, 1, 0, 0, 0, 1, 0, 64, 0],
    );
    expect(
        row(&rows, "FY2027", "main", "apply"),
        [2, 1, 0, 1, 0, 0, 2, 0, 64, 3],
    );
    expect(
        row(&rows, "FY2027", "north", "apply"),
        [1, 0, 1, 0, 0, 0, 0, 1, 64, 0],
    );
    // Pickup is offered at 本庁 only, and nobody booked it.
    expect(
        row(&rows, "FY2026", "main", "pickup"),
        [0, 0, 0, 0, 0, 0, 0, 0, 64, 0],
    );
    assert!(!rows.iter().any(|r| r[1] == "north" && r[2] == "pickup"));
    assert_eq!(rows.len(), 6);

    // By day, the cancelled booking of 3/30 is still there, and the moved one is on 4/1.
    let (_, by_day) = body(
        &app,
        &admin,
        &format!("/town/staff/reports.csv?{query}&by=day"),
    )
    .await;
    let by_day = csv_rows(&by_day);
    expect(
        row(&by_day, "2027-03-30", "north", "apply"),
        [1, 0, 1, 0, 0, 0, 1, 0, 32, 0],
    );
    expect(
        row(&by_day, "2027-04-01", "main", "apply"),
        [1, 1, 0, 1, 0, 0, 1, 0, 32, 1],
    );
    expect(
        row(&by_day, "2027-03-31", "main", "apply"),
        [2, 0, 0, 1, 1, 1, 1, 1, 32, 2],
    );

    // The page: totals, who cancelled, utilisation and the median lead time, a chart
    // named by its summary, and the export links carrying the filter.
    let (status, page) = body(
        &app,
        &admin,
        &format!("/town/staff/reports?{query}&by=fiscal_year"),
    )
    .await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("2027年3月30日〜2027年4月2日（年度ごと）"),
        "{page}"
    );
    assert!(page.contains("<dt>予約</dt><dd>6</dd>"));
    assert!(page.contains("2件（住民 1件・職員 1件）"));
    assert!(page.contains("<dt>来庁受付</dt><dd>2</dd>"));
    assert!(page.contains("<dt>交付・完了</dt><dd>1</dd>"));
    assert!(page.contains("<dt>来庁なし</dt><dd>1</dd>"));
    assert!(page.contains("<dt>ウェブ予約</dt><dd>4</dd>"));
    assert!(page.contains("<dt>電話予約</dt><dd>2</dd>"));
    // 4 days × 32 places at each counter; 5 places held (one booking of two people).
    assert!(page.contains("<dt>提供枠</dt><dd>256</dd>"));
    assert!(page.contains("<dt>利用枠</dt><dd>5</dd>"));
    assert!(page.contains("<dt>利用率</dt><dd>2.0%</dd>"));
    // Lead days 2, 6, 3, 6, 1, 3: the median is 3.
    assert!(page.contains("<dt>予約から来庁までの日数（中央値）</dt><dd>3.0</dd>"));
    assert!(page.contains("<svg role=\"img\" aria-label=\"期間中の予約は6件、取消は2件です。"));
    assert!(page.contains("2026年度"));
    assert!(page.contains("reports.csv?from=2027-03-30&amp;to=2027-04-02&amp;by=fiscal_year"));

    // The workbook: the same numbers in typed cells.
    let (status, xlsx) = body(
        &app,
        &admin,
        &format!("/town/staff/reports.xlsx?{query}&by=fiscal_year"),
    )
    .await;
    assert_eq!(status, 200);
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "集計").unwrap();
    let cells: Vec<&[calamine::Data]> = sheet.rows().collect();
    assert_eq!(cells[0][0], calamine::Data::String("期間".into()));
    assert_eq!(cells.len(), 7);
    let first = cells[1];
    assert_eq!(
        first[0],
        calamine::Data::Float(2026.0),
        "the fiscal year as a number"
    );
    assert_eq!(first[1], calamine::Data::String("本庁".into()));
    assert_eq!(first[3], calamine::Data::Float(2.0), "booked, a number");
    let booked_total: f64 = cells[1..]
        .iter()
        .map(|r| match r[3] {
            calamine::Data::Float(n) => n,
            ref other => panic!("not a number: {other:?}"),
        })
        .sum();
    assert_eq!(booked_total, 6.0);

    // By day the period is a date cell.
    let (_, xlsx) = body(
        &app,
        &admin,
        &format!("/town/staff/reports.xlsx?{query}&by=day"),
    )
    .await;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "集計").unwrap();
    let day = sheet.rows().nth(1).unwrap()[0].clone();
    // Excel counts days from 1899-12-30.
    let serial = (chrono::NaiveDate::from_ymd_opt(2027, 3, 30).unwrap()
        - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
    .num_days() as f64;
    match day {
        calamine::Data::DateTime(at) => assert_eq!(at.as_f64(), serial),
        other => panic!("not a date cell: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_totals_equal_the_booking_list_export_for_the_same_filters() {
    let app = TestApp::spawn_at(2027, 4, 10, 12, 0).await;
    history(&app);
    let admin = logged_in(&app, "admin").await;
    for filter in [
        "from=2027-03-30&to=2027-04-02",
        "from=2027-03-30&to=2027-04-02&location=main",
        "from=2027-04-01&to=2027-04-30&channel=phone",
        "from=2027-03-01&to=2027-03-31&procedure=apply&location=north",
    ] {
        let (_, csv) = body(
            &app,
            &admin,
            &format!("/town/staff/reports.csv?{filter}&by=month"),
        )
        .await;
        let rows = csv_rows(&csv);
        let sum =
            |column: usize| -> i64 { rows.iter().map(|r| r[column].parse::<i64>().unwrap()).sum() };
        let (_, list) = body(&app, &admin, &format!("/town/staff/bookings.csv?{filter}")).await;
        let list = String::from_utf8(list).unwrap();
        let list = list.trim_start_matches('\u{FEFF}');
        let lines: Vec<csv::StringRecord> = csv::Reader::from_reader(list.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        let with_status = |status: &str| lines.iter().filter(|l| &l[5] == status).count() as i64;
        assert_eq!(sum(3), lines.len() as i64, "booked, {filter}");
        assert_eq!(sum(5), with_status("取消"), "cancelled, {filter}");
        assert_eq!(sum(8), with_status("来庁なし"), "no-show, {filter}");
        assert_eq!(sum(7), with_status("交付済"), "handed over, {filter}");
        let by_phone = lines.iter().filter(|l| &l[6] == "電話").count() as i64;
        assert_eq!(sum(10), by_phone, "phone, {filter}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_center_day_and_who_may_read_reports() {
    let app = TestApp::spawn_at(2027, 4, 10, 12, 0).await;
    history(&app);
    let admin = logged_in(&app, "admin").await;
    // 3/31: the operator booked at 09:00 and cancelled at 14:00 by phone.
    let (status, page) = body(&app, &admin, "/town/staff/reports/calls?day=2027-03-31").await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    let cells = |row: &str| -> Vec<String> {
        row.split("<td>")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap().to_string())
            .collect()
    };
    let rows: Vec<Vec<String>> = page
        .split("<tr>")
        .skip(2)
        .map(cells)
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(
        rows,
        [
            ["operator", "09:00–09:59", "1", "0", "0"],
            ["operator", "14:00–14:59", "0", "0", "1"],
            ["operator", "計", "1", "0", "1"],
            ["全員", "日計", "1", "0", "1"],
        ]
        .map(|r| r.map(String::from).to_vec())
    );
    let (_, csv) = body(&app, &admin, "/town/staff/reports/calls.csv?day=2027-03-31").await;
    assert!(String::from_utf8(csv)
        .unwrap()
        .contains("operator,14:00–14:59,0,0,1"));

    // An unreadable date is named at its field, not a server error.
    let (status, page) = body(
        &app,
        &admin,
        "/town/staff/reports?from=2027-02-30&to=2027-03-31",
    )
    .await;
    assert_eq!(status, 422);
    assert!(String::from_utf8(page).unwrap().contains("href=\"#from\""));
    let (status, _) = body(
        &app,
        &admin,
        "/town/staff/reports.csv?from=2027-04-02&to=2027-03-30",
    )
    .await;
    assert_eq!(status, 422);

    // Auditors read reports; operators do not.
    let auditor = logged_in(&app, "auditor").await;
    let (status, _) = body(&app, &auditor, "/town/staff/reports?fy=2026").await;
    assert_eq!(status, 200);
    let operator = logged_in(&app, "operator").await;
    let (status, _) = body(
        &app,
        &operator,
        "/town/staff/reports.csv?from=2027-03-30&to=2027-04-02&by=day",
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_pipeline_counts_each_step_once_and_lists_the_cards_behind_it() {
    use madoguchi::db::card::NewCardRecord;
    use madoguchi::db::schema::{card_records, locations};
    use madoguchi::domain::reports::cards::{card_list, pipeline, CardList};
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    let tenant = super::town(&app);
    create_account_in(&app, &tenant, "auditor", Role::Auditor);
    let location_id: i64 = app.query(|conn| {
        locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .select(locations::id)
            .first(conn)
    });
    let card = |n: u32, name: &str| -> i64 {
        app.query(|conn| {
            diesel::insert_into(card_records::table)
                .values(NewCardRecord {
                    tenant_id: tenant.id,
                    application_id: format!("1234567890123456789012{n}"),
                    manufacture_number: format!("12345678901{n}"),
                    reservation_number: Some(format!("ABC-12345{n}")),
                    password_hash: None,
                    name: name.into(),
                    name_kana: "ヨミ".into(),
                    birth_date: chrono::NaiveDate::from_ymd_opt(1980, 4, 1).unwrap(),
                    location_id,
                    shipment_number: "1".into(),
                    manufactured_on: None,
                })
                .returning(card_records::id)
                .get_result(conn)
        })
    };
    let (first, second) = (card(1, "髙橋 𠮷子"), card(2, "山田 花子"));
    let mut codes = Vec::new();
    for (id, email) in [(first, "a@example.jp"), (second, "b@example.jp")] {
        codes.push(super::booking_today_for(
            &app,
            &tenant,
            email,
            "pickup",
            Party::IdentifiedCards(vec![id]),
        ));
    }
    // Both visitors come; both cards are handed over, and the first hand-over is undone.
    let clock = app.clock();
    let mut conn = app.conn();
    for code in &codes {
        let code = BookingCode::parse(code).unwrap();
        counter::check_in(&mut conn, &clock, &tenant, &code, location_id, &clerk()).unwrap();
        counter::act(
            &mut conn,
            &clock,
            &tenant,
            &code,
            location_id,
            CounterAction::HandOver,
            "",
            &clerk(),
        )
        .unwrap();
    }
    let undo = BookingCode::parse(&codes[0]).unwrap();
    counter::act(
        &mut conn,
        &clock,
        &tenant,
        &undo,
        location_id,
        CounterAction::Undo,
        "渡し間違い",
        &clerk(),
    )
    .unwrap();
    let today = clock.today();
    let lines = pipeline(&mut conn, &clock, tenant.id, today, today, &[]).unwrap();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(
        (line.booked, line.handed_over, line.returned, line.waiting),
        (2, 1, 0, 1),
        "{line:?}"
    );
    let to_hand_out = card_list(
        &mut conn,
        &clock,
        tenant.id,
        CardList::ToHandOut(today),
        None,
        &[],
    )
    .unwrap();
    assert_eq!(
        to_hand_out
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["髙橋 𠮷子"]
    );
    let handed = card_list(
        &mut conn,
        &clock,
        tenant.id,
        CardList::HandedOut(today, today),
        None,
        &[],
    )
    .unwrap();
    assert_eq!(
        handed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["山田 花子"]
    );
    drop(conn);

    // On screen: the administrator sees names, the auditor the codes without them.
    let list = format!(
        "/town/staff/reports/cards/list?which=handed&location=0001&from={today}&to={today}"
    );
    let admin = logged_in(&app, "admin").await;
    let (status, page) = body(&app, &admin, &list).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(page).unwrap().contains("山田 花子"));
    let auditor = logged_in(&app, "auditor").await;
    let (status, page) = body(&app, &auditor, &list).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("山田 花子"));
    let second_code = BookingCode::parse(&codes[1]).unwrap().display();
    assert!(page.contains(&second_code));
    let (_, csv) = body(
        &app,
        &auditor,
        &format!("{}&encoding=cp932", list.replace("/list?", "/list.csv?")),
    )
    .await;
    let (csv, _, _) = encoding_rs::SHIFT_JIS.decode(&csv);
    assert!(csv.starts_with("日時,予約番号,窓口,状態\r\n"), "{csv}");
    assert!(csv.contains(&second_code));
}
