//! Looking after staff accounts: creating one, unlocking, ending sessions, password expiry
//! and change, the tenant's password policy and allowed address ranges.

use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, staff_accounts, tenants};

use super::{log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, TestApp};

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn logged(app: &TestApp, action: &str) -> i64 {
    let action = action.to_string();
    app.query(move |conn| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(conn)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_unlocks_an_account_and_logs_it_out_everywhere() {
    let app = TestApp::spawn().await;
    town(&app);
    for _ in 0..5 {
        log_in(&app, &app.client, "clerk", "Wrong#Password1").await;
    }
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let (_, list) = page(&app, &admin, "/town/staff/accounts").await;
    assert!(list.contains("ロック中"));
    let csrf = csrf_of(&list);
    let unlocked = post(
        &app,
        &admin,
        "/town/staff/accounts/clerk/unlock",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(unlocked.status(), 303);
    let clerk = new_client();
    assert_eq!(log_in(&app, &clerk, "clerk", PASSWORD).await.status(), 303);
    assert_eq!(page(&app, &clerk, "/town/staff/today").await.0, 200);

    let ended = post(
        &app,
        &admin,
        "/town/staff/accounts/clerk/end-sessions",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(ended.status(), 303);
    let after = clerk
        .get(app.url("/town/staff/today"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303);
    assert!(after.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/town/staff/login"));
    assert_eq!(logged(&app, "staff.unlocked"), 1);
    assert_eq!(logged(&app, "staff.sessions_ended"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_and_an_expired_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    town(&app);
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let (_, list) = page(&app, &admin, "/town/staff/accounts").await;
    let csrf = csrf_of(&list);
    let weak = [
        ("csrf", csrf.as_str()),
        ("login", "newbie"),
        ("role", "counter"),
        ("password", "newbie"),
    ];
    let refused = post(&app, &admin, "/town/staff/accounts", &weak).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused.text().await.unwrap().contains("記号"),
        "names what the password lacks"
    );
    let strong = [
        ("csrf", csrf.as_str()),
        ("login", "newbie"),
        ("role", "counter"),
        ("password", "First#Pass2026"),
    ];
    assert_eq!(
        post(&app, &admin, "/town/staff/accounts", &strong)
            .await
            .status(),
        303
    );
    let taken = post(&app, &admin, "/town/staff/accounts", &strong).await;
    assert_eq!(taken.status(), 422);

    let newbie = new_client();
    assert_eq!(
        log_in(&app, &newbie, "newbie", "First#Pass2026")
            .await
            .status(),
        303
    );
    let sent = newbie
        .get(app.url("/town/staff/today"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.headers()["location"], "/town/staff/password?lang=ja");
    let (_, form) = page(&app, &newbie, "/town/staff/password").await;
    assert!(form.contains("新しいパスワードを決めてください"));
    let csrf = csrf_of(&form);
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        let fields = [
            ("csrf", csrf.clone()),
            ("current_password", current.to_string()),
            ("new_password", new.to_string()),
            ("repeat_password", again.to_string()),
        ];
        newbie
            .post(app.url("/town/staff/password"))
            .form(&fields)
            .send()
    };
    let wrong = change("Wrong#1234", "Second#Pass2026", "Second#Pass2026")
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("いまのパスワードが正しくありません"));
    let mismatch = change("First#Pass2026", "Second#Pass2026", "Second#Pass2027")
        .await
        .unwrap();
    assert_eq!(mismatch.status(), 422);
    let changed = change("First#Pass2026", "Second#Pass2026", "Second#Pass2026")
        .await
        .unwrap();
    assert_eq!(changed.status(), 303);
    assert_eq!(page(&app, &newbie, "/town/staff/today").await.0, 200);

    // The administrator sets an expiry of today: the clerk must change again first.
    let (_, edit) = page(&app, &admin, "/town/staff/accounts/newbie").await;
    let today = app.clock().today().to_string();
    let csrf = csrf_of(&edit);
    let fields = [
        ("csrf", csrf.as_str()),
        ("display_name", "新人"),
        ("role", "counter"),
        ("expires_on", today.as_str()),
        ("active", "1"),
    ];
    assert_eq!(
        post(&app, &admin, "/town/staff/accounts/newbie", &fields)
            .await
            .status(),
        303
    );
    let sent = newbie
        .get(app.url("/town/staff/bookings"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.headers()["location"], "/town/staff/password?lang=ja");
    let own = [
        ("csrf", csrf.as_str()),
        ("role", "counter"),
        ("active", "1"),
    ];
    let demoted = post(&app, &admin, "/town/staff/accounts/admin", &own).await;
    assert_eq!(
        demoted.status(),
        422,
        "an administrator keeps their own role"
    );
    assert_eq!(logged(&app, "staff.account_created"), 1);
    assert_eq!(logged(&app, "staff.password_changed"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_answers_only_inside_the_tenants_address_ranges() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let set_networks = |ranges: Vec<&str>| {
        let ranges: Vec<String> = ranges.into_iter().map(String::from).collect();
        app.query(|conn| {
            diesel::update(tenants::table.find(tenant.id))
                .set(tenants::staff_networks.eq(ranges))
                .execute(conn)
        });
    };
    set_networks(vec!["10.0.0.0/8"]);
    let refused = log_in(&app, &app.client, "clerk", PASSWORD).await;
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("この端末からは職員画面を利用できません"));
    assert_eq!(logged(&app, "staff.login_outside_office"), 1);
    set_networks(vec!["10.0.0.0/8", "127.0.0.0/8"]);
    assert_eq!(
        log_in(&app, &app.client, "clerk", PASSWORD).await.status(),
        303
    );
    assert_eq!(page(&app, &app.client, "/town/staff/today").await.0, 200);
    set_networks(vec!["192.0.2.0/24"]);
    assert_eq!(
        page(&app, &app.client, "/town/staff/today").await.0,
        403,
        "a session opened inside is refused outside"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_can_ask_for_long_passwords_without_the_mix() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    app.query(|conn| {
        diesel::update(tenants::table.find(tenant.id))
            .set((
                tenants::staff_password_min_length.eq(16),
                tenants::staff_password_mixed.eq(false),
            ))
            .execute(conn)
    });
    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let (_, list) = page(&app, &admin, "/town/staff/accounts").await;
    assert!(
        list.contains("16文字以上"),
        "the hint states the tenant's rule"
    );
    let csrf = csrf_of(&list);
    let short = [
        ("csrf", csrf.as_str()),
        ("login", "longpass"),
        ("role", "auditor"),
        ("password", "Short#Pass2026"),
    ];
    assert_eq!(
        post(&app, &admin, "/town/staff/accounts", &short)
            .await
            .status(),
        422
    );
    let long = [
        ("csrf", csrf.as_str()),
        ("login", "longpass"),
        ("role", "auditor"),
        ("password", "a long lowercase phrase"),
    ];
    assert_eq!(
        post(&app, &admin, "/town/staff/accounts", &long)
            .await
            .status(),
        303
    );
    let role: String = app.query(|conn| {
        staff_accounts::table
            .filter(staff_accounts::login.eq("longpass"))
            .select(staff_accounts::role)
            .first(conn)
    });
    assert_eq!(role, "auditor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_of_one_counter_sees_only_that_counters_bookings() {
    use madoguchi::db::schema::locations;
    use madoguchi::domain::staff::Role;
    use madoguchi::domain::staff_accounts::create_account;

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let booked = app
        .post(
            "/api/v1/demo/bookings",
            &serde_json::json!({
                "procedure": "apply",
                "slot_id": slots[0]["id"],
                "party_size": 1,
                "contact": { "email": "main@example.jp" }
            }),
        )
        .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    let code = booked.body["code"].as_str().unwrap().to_string();
    let mut conn = app.conn();
    for (login, role) in [("north", Role::Counter), ("admin", Role::Admin)] {
        create_account(&mut conn, &app.clock(), &tenant, login, role, PASSWORD).unwrap();
    }
    let north: i64 = locations::table
        .filter(locations::tenant_id.eq(tenant.id))
        .filter(locations::code.eq("0102"))
        .select(locations::id)
        .first(&mut conn)
        .unwrap();
    diesel::update(staff_accounts::table.filter(staff_accounts::login.eq("north")))
        .set(staff_accounts::location_ids.eq(vec![north]))
        .execute(&mut conn)
        .unwrap();

    let demo_log_in = |client: reqwest::Client, login: &'static str| {
        let app = &app;
        async move {
            let login_page = client
                .get(app.url("/demo/staff/login"))
                .send()
                .await
                .unwrap();
            let csrf = csrf_of(&login_page.text().await.unwrap());
            let fields = [
                ("csrf", csrf.as_str()),
                ("login", login),
                ("password", PASSWORD),
            ];
            let answer = client
                .post(app.url("/demo/staff/login"))
                .form(&fields)
                .send()
                .await;
            assert_eq!(answer.unwrap().status(), 303);
            client
        }
    };
    let detail = format!("/demo/staff/bookings/{code}");
    let clerk = demo_log_in(new_client(), "north").await;
    let (_, list) = page(&app, &clerk, "/demo/staff/bookings").await;
    assert!(
        !list.contains(&detail),
        "another counter's booking is not listed"
    );
    assert_eq!(page(&app, &clerk, &detail).await.0, 403);
    let admin = demo_log_in(new_client(), "admin").await;
    let (_, list) = page(&app, &admin, "/demo/staff/bookings").await;
    assert!(list.contains(&detail));
    assert_eq!(page(&app, &admin, &detail).await.0, 200);
}
