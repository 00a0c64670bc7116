//! The staff console over HTTP: logging in, lockout, idle logout, permissions, the
//! counter's day, exports. Shared here: a town open around the clock and its accounts.

mod accounts;
mod cards;
mod counter;
mod exports;
mod login;
mod operation_log;
mod phone;
mod reports;
mod settings;

use chrono::Duration;
use diesel::prelude::*;
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking::{self, BookingRequest, Contact, Party, Placement};
use madoguchi::domain::input::Email;
use madoguchi::domain::staff::Role;
use madoguchi::domain::staff_accounts::create_account;
use madoguchi::domain::{Actor, Channel, Clock};

use crate::helpers::{csrf_of, TestApp};

/// A town whose counter is open around the clock, so a test finds a slot today whenever
/// it runs.
pub const ALL_DAY: &str = r#"
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

pub const PASSWORD: &str = "Madoguchi#2026";

pub fn town(app: &TestApp) -> Tenant {
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

/// One more account, with the test password, in any tenant.
pub fn create_account_in(app: &TestApp, tenant: &Tenant, login: &str, role: Role) {
    let mut conn = app.conn();
    create_account(&mut conn, &app.clock(), tenant, login, role, PASSWORD).expect("account");
}

/// A booking for 22:00 today at the town's counter, made by phone early in the day.
pub fn booking_today(app: &TestApp, tenant: &Tenant, email: &str) -> String {
    booking_today_for(app, tenant, email, "apply", Party::People(1))
}

pub fn booking_today_for(
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
        lang: Default::default(),
    };
    booking::book(&mut conn, &early, tenant, &request, &phone)
        .expect("booking")
        .booking
        .code
}

pub async fn log_in(
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
pub async fn clerk_desk(app: &TestApp) -> String {
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

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}
