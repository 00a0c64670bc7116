//! The staff console over HTTP: logging in, lockout, idle logout, permissions, check-in.

use chrono::Duration;
use diesel::prelude::*;
use madoguchi::db::schema::{booking_events, staff_accounts, staff_sessions};
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, Party, Placement};
use madoguchi::domain::input::Email;
use madoguchi::domain::staff::{create_account, Role};
use madoguchi::domain::{Actor, Channel, Clock};

use crate::helpers::{csrf_of, submit_and_follow, TestApp};

/// A town whose counter is open around the clock, so a test finds a slot today whenever
/// it runs.
const ALL_DAY: &str = r#"
code = "town"
name = "終日町"
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
code = "0001"
name = "本庁"
[[locations.lanes]]
code = "main"
procedures = ["apply", "pickup"]
[[locations.lanes.timetables]]
effective_from = 2020-01-01
slot_minutes = 60
capacity = 8
[locations.lanes.timetables.hours]
weekdays = ["00:00-23:59"]
sat = ["00:00-23:59"]
sun = ["00:00-23:59"]
"#;

const PASSWORD: &str = "Madoguchi#2026";

fn town(app: &TestApp) -> Tenant {
    let tenant = app.with_tenant(ALL_DAY);
    let mut conn = app.conn();
    for (login, role) in [
        ("clerk", Role::Counter),
        ("operator", Role::Operator),
        ("admin", Role::Admin),
    ] {
        create_account(&mut conn, &app.clock(), &tenant, login, role, PASSWORD).expect("account");
    }
    tenant
}

/// A booking for 22:00 today at the town's counter, made by phone early in the day.
fn booking_today(app: &TestApp, tenant: &Tenant, email: &str) -> String {
    booking_today_for(app, tenant, email, "apply", Party::People(1))
}

fn booking_today_for(
    app: &TestApp,
    tenant: &Tenant,
    email: &str,
    procedure: &str,
    party: Party,
) -> String {
    use madoguchi::db::schema::{procedures, slots};
    let clock = app.clock();
    let start = clock.start_of(clock.today()) + Duration::hours(22);
    let mut conn = app.conn();
    let slot_id: i64 = slots::table
        .filter(slots::tenant_id.eq(tenant.id))
        .filter(slots::starts_at.eq(start))
        .select(slots::id)
        .first(&mut conn)
        .expect("a slot at 22:00 today");
    let procedure_id: i64 = procedures::table
        .filter(procedures::tenant_id.eq(tenant.id))
        .filter(procedures::code.eq(procedure))
        .select(procedures::id)
        .first(&mut conn)
        .expect("procedure");
    let early = Clock {
        now: clock.start_of(clock.today()) + Duration::minutes(1),
        ..clock
    };
    let phone = Actor {
        label: "operator".into(),
        channel: Channel::Phone,
        client_addr: None,
    };
    let request = BookingRequest {
        procedure_id,
        placement: Placement::Slot { slot_id },
        party,
        contact: Contact {
            email: Email::parse(email),
            ..Contact::default()
        },
        note: String::new(),
    };
    booking::book(&mut conn, &early, tenant, &request, &phone)
        .expect("booking")
        .booking
        .code
}

async fn log_in(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let page = client
        .get(app.url("/town/staff/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    client
        .post(app.url("/town/staff/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Logs the clerk in on the test's client and opens today's page of the town's counter.
async fn clerk_desk(app: &TestApp) -> String {
    assert_eq!(
        log_in(app, &app.client, "clerk", PASSWORD).await.status(),
        303
    );
    app.client
        .get(app.url("/town/staff/today?location=0001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_login_get_the_same_answer() {
    let app = TestApp::spawn().await;
    town(&app);
    let wrong = log_in(&app, &app.client, "clerk", "Wrong#Password1").await;
    let unknown = log_in(&app, &app.client, "nobody", "Wrong#Password1").await;
    assert_eq!(
        (wrong.status().as_u16(), unknown.status().as_u16()),
        (401, 401)
    );
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "ログインIDまたはパスワードが正しくありません。";
    assert!(wrong.contains(message) && unknown.contains(message));
    let ok = log_in(&app, &app.client, "clerk", PASSWORD).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/town/staff/today");
    let failures: i64 = app.query(|conn| {
        madoguchi::db::schema::audit_log::table
            .filter(madoguchi::db::schema::audit_log::action.eq("staff.login_failed"))
            .count()
            .get_result(conn)
    });
    assert_eq!(failures, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_bad_passwords_lock_the_account() {
    let app = TestApp::spawn().await;
    town(&app);
    for _ in 0..5 {
        assert_eq!(
            log_in(&app, &app.client, "clerk", "Wrong#Password1")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        log_in(&app, &app.client, "clerk", PASSWORD).await.status(),
        401,
        "locked, even with the right password"
    );
    let locked: Option<chrono::DateTime<chrono::Utc>> = app.query(|conn| {
        staff_accounts::table
            .filter(staff_accounts::login.eq("clerk"))
            .select(staff_accounts::locked_until)
            .first(conn)
    });
    assert!(locked.is_some_and(|until| until > chrono::Utc::now() + Duration::minutes(29)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_and_login_returns_to_the_page() {
    let app = TestApp::spawn().await;
    town(&app);
    assert_eq!(
        log_in(&app, &app.client, "clerk", PASSWORD).await.status(),
        303
    );
    let today = app
        .client
        .get(app.url("/town/staff/today?location=0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(today.status(), 200);
    // 21 minutes without a request (the default idle limit is 20).
    app.query(|conn| {
        diesel::update(staff_sessions::table)
            .set(staff_sessions::last_seen_at.eq(chrono::Utc::now() - Duration::minutes(21)))
            .execute(conn)
    });
    let idle = app
        .client
        .get(app.url("/town/staff/today?location=0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(idle.status(), 303);
    let login_page = idle.headers()["location"].to_str().unwrap().to_string();
    assert!(
        login_page.starts_with("/town/staff/login?lang=ja&next="),
        "{login_page}"
    );
    let page = app
        .client
        .get(app.url(&login_page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let back = app
        .client
        .post(app.url(&login_page))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "clerk"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.headers()["location"],
        "/town/staff/today?location=0001"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_is_refused_the_staff_management_page() {
    let app = TestApp::spawn().await;
    town(&app);
    let operator = new_client();
    log_in(&app, &operator, "operator", PASSWORD).await;
    let refused = operator
        .get(app.url("/town/staff/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("このページを利用する権限がありません。"));
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let page = admin
        .get(app.url("/town/staff/accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("clerk") && page.contains("operator"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_checks_a_visitor_in_by_the_code_and_sees_why_others_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let code = booking_today(&app, &tenant, "visitor@example.jp");
    let page = clerk_desk(&app).await;
    assert!(page.contains("予約中"));
    let csrf = csrf_of(&page);
    let url = app.url("/town/staff/today/check-in?location=0001");
    let scan = |code: String| {
        let (client, url, csrf) = (app.client.clone(), url.clone(), csrf.clone());
        async move { submit_and_follow(&client, &url, &[("csrf", &csrf), ("code", &code)]).await }
    };
    // Typed by hand, in lower case with hyphens.
    let typed = format!("{}-{}-{}", &code[0..3], &code[3..6], &code[6..9]).to_lowercase();
    let after = scan(typed).await;
    assert!(after.contains("受け付けました"), "{after}");
    assert!(after.contains("来庁済"));
    assert!(scan(code.clone())
        .await
        .contains("この予約はすでに受付済みです。"));
    assert!(scan("ZZZZZZZZZ".into())
        .await
        .contains("予約が見つかりません。"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_desks_checking_in_the_same_booking_make_one_check_in() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let code = booking_today(&app, &tenant, "both@example.jp");
    let desks = [new_client(), new_client()];
    let mut tokens = Vec::new();
    for desk in &desks {
        log_in(&app, desk, "clerk", PASSWORD).await;
        let page = desk
            .get(app.url("/town/staff/today?location=0001"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        tokens.push(csrf_of(&page));
    }
    let url = app.url("/town/staff/today/check-in?location=0001");
    let (a, b) = tokio::join!(
        desks[0]
            .post(&url)
            .form(&[("csrf", tokens[0].as_str()), ("code", code.as_str())])
            .send(),
        desks[1]
            .post(&url)
            .form(&[("csrf", tokens[1].as_str()), ("code", code.as_str())])
            .send(),
    );
    let mut results: Vec<String> = [a.unwrap(), b.unwrap()]
        .iter()
        .map(|r| {
            let location = r.headers()["location"].to_str().unwrap();
            location
                .split("result=")
                .nth(1)
                .unwrap_or("")
                .split('&')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    results.sort();
    assert_eq!(
        results,
        vec!["already_checked_in".to_string(), "ok".to_string()]
    );
    let events: i64 = app.query(|conn| {
        booking_events::table
            .filter(booking_events::kind.eq("checked_in"))
            .count()
            .get_result(conn)
    });
    assert_eq!(events, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handing_the_card_over_marks_it_issued_and_an_undo_with_a_reason_restores_it() {
    use madoguchi::db::card::NewCardRecord;
    use madoguchi::db::schema::{bookings, card_records, locations};
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let card_id: i64 = app.query(|conn| {
        let location_id: i64 = locations::table
            .filter(locations::tenant_id.eq(tenant.id))
            .select(locations::id)
            .first(conn)?;
        diesel::insert_into(card_records::table)
            .values(NewCardRecord {
                tenant_id: tenant.id,
                application_id: "12345678901234567890123".into(),
                manufacture_number: "123456789012".into(),
                reservation_number: Some("ABC-123456".into()),
                password_hash: None,
                name: "髙橋 𠮷子".into(),
                name_kana: "タカハシ ヨシコ".into(),
                birth_date: chrono::NaiveDate::from_ymd_opt(1980, 4, 1).unwrap(),
                location_id,
                shipment_number: "1".into(),
                manufactured_on: None,
            })
            .returning(card_records::id)
            .get_result(conn)
    });
    let code = booking_today_for(
        &app,
        &tenant,
        "card@example.jp",
        "pickup",
        Party::IdentifiedCards(vec![card_id]),
    );
    let page = clerk_desk(&app).await;
    let csrf = csrf_of(&page);
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let (client, url, csrf) = (app.client.clone(), app.url(path), csrf.clone());
        async move {
            let mut fields: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fields.push(("csrf", &csrf));
            submit_and_follow(&client, &url, &fields).await
        }
    };
    let status = |app: &TestApp| -> (String, String) {
        app.query(|conn| {
            let booking: String = bookings::table
                .filter(bookings::code.eq(&code))
                .select(bookings::status)
                .first(conn)?;
            let card: String = card_records::table
                .find(card_id)
                .select(card_records::status)
                .first(conn)?;
            Ok((booking, card))
        })
    };
    post(
        "/town/staff/today/check-in?location=0001",
        vec![("code", code.clone())],
    )
    .await;
    let handed = post(
        "/town/staff/today/action?location=0001",
        vec![("code", code.clone()), ("action", "hand_over".into())],
    )
    .await;
    assert!(handed.contains("交付済にしました"), "{handed}");
    assert_eq!(
        status(&app),
        ("completed".to_string(), "issued".to_string())
    );
    let no_reason = post(
        "/town/staff/today/action?location=0001",
        vec![
            ("code", code.clone()),
            ("action", "undo".into()),
            ("reason", " ".into()),
        ],
    )
    .await;
    assert!(no_reason.contains("取り消す理由は必須です"), "{no_reason}");
    assert_eq!(status(&app).0, "completed");
    let undone = post(
        "/town/staff/today/action?location=0001",
        vec![
            ("code", code.clone()),
            ("action", "undo".into()),
            ("reason", "別の方に渡しかけたため".into()),
        ],
    )
    .await;
    assert!(undone.contains("直前の操作を取り消しました"), "{undone}");
    assert_eq!(
        status(&app),
        ("checked_in".to_string(), "received".to_string())
    );
    let kinds: Vec<String> = app.query(|conn| {
        booking_events::table
            .inner_join(bookings::table)
            .filter(bookings::code.eq(&code))
            .order(booking_events::id)
            .select(booking_events::kind)
            .load(conn)
    });
    assert_eq!(
        kinds,
        vec!["created", "checked_in", "completed", "reverted"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_list_exports_as_csv_and_xlsx_with_every_row() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let codes: Vec<String> = (0..3)
        .map(|i| booking_today(&app, &tenant, &format!("list{i}@example.jp")))
        .collect();
    clerk_desk(&app).await;
    let page = app
        .client
        .get(app.url("/town/staff/bookings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let listed = page.matches("<tr>").count() - 1; // header row
    assert_eq!(listed, 3);
    for code in &codes {
        assert!(page.contains(&format!("{}-{}-{}", &code[0..3], &code[3..6], &code[6..9])));
    }

    let response = app
        .client
        .get(app.url("/town/staff/bookings.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF line ends"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("予約番号"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), listed, "the export has the rows of the list");
    assert!(rows.iter().any(|r| r.get(7) == Some("list0@example.jp")));

    let cp932 = app
        .client
        .get(app.url("/town/staff/bookings.csv?encoding=cp932"))
        .send()
        .await
        .unwrap();
    let cp932 = cp932.bytes().await.unwrap();
    let (decoded, _, malformed) = encoding_rs::SHIFT_JIS.decode(&cp932);
    assert!(!malformed);
    assert!(decoded.starts_with("予約番号,"));
    assert_eq!(
        csv::Reader::from_reader(decoded.as_bytes())
            .records()
            .count(),
        listed
    );
    // The Excel workbook holds the same rows, read back with calamine.
    let xlsx = app
        .client
        .get(app.url("/town/staff/bookings.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let xlsx = xlsx.bytes().await.unwrap().to_vec();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "予約受付一覧表").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells[0][0], "予約番号");
    assert_eq!(cells.len() - 1, listed);
    let csv_codes: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    let xlsx_codes: Vec<&str> = cells[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(xlsx_codes, csv_codes);

    let exports: i64 = app.query(|conn| {
        madoguchi::db::schema::audit_log::table
            .filter(madoguchi::db::schema::audit_log::action.eq("booking.export"))
            .count()
            .get_result(conn)
    });
    assert_eq!(exports, 3);
}
