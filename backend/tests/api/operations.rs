//! Running the service: servers starting together migrate once, readiness says whether the
//! database answers with the schema this server needs, a stopping server finishes the
//! request it is reading, and the month's availability follows the contract's formula.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use madoguchi::config::Config;
use madoguchi::db::schema::{availability_exclusions, tenants};
use madoguchi::db::MIGRATIONS;

use crate::console::{log_in, new_client, town, PASSWORD};
use crate::helpers::{fill_in, shared_data, ServerProcess, TestApp, TestDatabase};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn servers_starting_together_take_turns_to_migrate_and_seed() {
    let db = TestDatabase::create();
    let mut conn = PgConnection::establish(&db.url).unwrap();
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    let var = tempfile::tempdir().unwrap();
    let demo = shared_data("");
    let config = Config::from_lookup(|key| match key {
        "MADOGUCHI_SEED_DEMO" => Some("always".into()),
        "MADOGUCHI_DEMO_DATA" => Some(demo.display().to_string()),
        "MADOGUCHI_VAR_DIR" => Some(var.path().display().to_string()),
        _ => None,
    })
    .unwrap();
    // Four servers of a rolling start, released at the same instant.
    let start = std::sync::Barrier::new(4);
    let outcomes: Vec<String> = std::thread::scope(|scope| {
        let starting: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    madoguchi::server::prepare_schema(&db.url, &config, false)
                        .map(|_| "ok".to_string())
                        .unwrap_or_else(|e| format!("{e:#}"))
                })
            })
            .collect();
        starting.into_iter().map(|s| s.join().unwrap()).collect()
    });
    assert_eq!(outcomes, vec!["ok"; 4]);
    let applied: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT DISTINCT version FROM __diesel_schema_migrations) v",
    )
    .get_result(&mut conn)
    .unwrap();
    let rows: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .unwrap();
    let known = {
        use diesel::migration::MigrationSource;
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
            .unwrap()
            .len() as i64
    };
    assert_eq!((applied.n, rows.n), (known, known));
    let demo_cities: i64 = tenants::table.count().get_result(&mut conn).unwrap();
    assert_eq!(demo_cities, 1, "the demo city is seeded once");
    assert!(madoguchi::db::schema_current(&mut conn).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_means_the_database_answers_with_the_schema_this_server_needs() {
    let app = TestApp::spawn().await;
    let ready = app.get("/ready").await;
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (200, Some("ready"))
    );

    // A database one migration behind this server (a deploy that skipped `migrate`): the
    // newest migration's record taken away, then put back.
    let forget_newest = "UPDATE __diesel_schema_migrations SET version = '0' || version \
         WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)";
    app.query(|conn| diesel::sql_query(forget_newest).execute(conn));
    let behind = app.get("/ready").await;
    assert_eq!(
        (behind.status, behind.body["problem"].as_str()),
        (503, Some("schema_behind"))
    );
    app.query(|conn| {
        diesel::sql_query(
            "UPDATE __diesel_schema_migrations SET version = substr(version, 2) \
             WHERE version LIKE '0%'",
        )
        .execute(conn)
    });
    assert_eq!(app.get("/ready").await.status, 200);

    // The database gone: not ready, but alive (nobody should restart the server for it).
    app.db.set_available(false);
    let gone = app.get("/ready").await;
    assert_eq!(
        (gone.status, gone.body["problem"].as_str()),
        (503, Some("database_unavailable"))
    );
    assert_eq!(app.get("/health").await.status, 200);
    app.db.set_available(true);
}

/// SIGTERM while a resident's booking is still arriving: the request is read to its end and
/// answered, and the next connection is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_server_finishes_the_request_it_is_reading() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, day_slots) = app.next_open_day("0101", "apply").await;
    let slot = day_slots[0]["id"].as_i64().unwrap();
    let mut server = ServerProcess::start(&app.db.url, false).await;
    let port = server.port;
    let body = format!(
        r#"{{"slot_id":{slot},"procedure":"apply","party_size":1,"contact":{{"email":"late@example.jp"}}}}"#
    );
    let (head, tail) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /api/v1/demo/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(500));
    // Stopped listening: a new visitor goes to another server (the balancer's retry).
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the listener is closed at SIGTERM"
    );
    stream.write_all(tail.as_bytes()).unwrap();
    let mut reply = String::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "serve ended with {status}");
    let booked: i64 = app.query(|conn| {
        madoguchi::db::schema::bookings::table
            .filter(madoguchi::db::schema::bookings::contact_email.eq("late@example.jp"))
            .count()
            .get_result(conn)
    });
    assert_eq!(booked, 1);
}

/// November 2026 in Tokyo: 43,200 minutes. Down 120 minutes in a stop the city's maintenance
/// banner announced, 60 in a stop the city caused, 120 unplanned; a planned window for every
/// city while the service stayed up excuses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_month_availability_follows_the_contract_formula() {
    let app = TestApp::spawn_at(2026, 12, 1, 10, 0).await;
    let tenant = town(&app);
    let other = app.with_demo_tenant();
    app.query(|conn| {
        diesel::sql_query(
            "INSERT INTO service_minutes (minute, beats) \
             SELECT m, 3 FROM generate_series(timestamptz '2026-11-01 00:00+09', \
                 timestamptz '2026-12-01 10:30+09', interval '1 minute') m \
             WHERE NOT (m >= '2026-11-03 02:00+09' AND m < '2026-11-03 04:00+09') \
               AND NOT (m >= '2026-11-10 09:00+09' AND m < '2026-11-10 10:00+09') \
               AND NOT (m >= '2026-11-20 13:00+09' AND m < '2026-11-20 15:00+09')",
        )
        .execute(conn)
    });
    let jst = |d: u32, h: u32| {
        chrono_tz::Asia::Tokyo
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    app.query(|conn| {
        diesel::insert_into(availability_exclusions::table)
            .values(vec![
                (
                    availability_exclusions::tenant_id.eq(Some(tenant.id)),
                    availability_exclusions::cause.eq("city"),
                    availability_exclusions::starts_at.eq(jst(10, 8)),
                    availability_exclusions::ends_at.eq(jst(10, 12)),
                    availability_exclusions::reason.eq("庁内ネットワークの工事"),
                    availability_exclusions::created_at.eq(jst(10, 12)),
                ),
                (
                    availability_exclusions::tenant_id.eq(None),
                    availability_exclusions::cause.eq("planned"),
                    availability_exclusions::starts_at.eq(jst(25, 1)),
                    availability_exclusions::ends_at.eq(jst(25, 3)),
                    availability_exclusions::reason.eq("OS update"),
                    availability_exclusions::created_at.eq(jst(24, 12)),
                ),
            ])
            .execute(conn)
    });

    // The administrator announces the stop of 3 November with its planned span.
    let client = new_client();
    assert_eq!(log_in(&app, &client, "admin", PASSWORD).await.status(), 303);
    let added = fill_in(
        &app,
        &client,
        "/town/staff/settings/maintenance",
        &[
            ("starts", "2026-11-01 00:00"),
            ("ends", "2026-12-31 00:00"),
            (
                "text_ja",
                "11月3日 2時〜5時はシステム点検のため予約できません。",
            ),
            ("text_en", ""),
            ("stop_starts", "2026-11-03 02:00"),
            ("stop_ends", "2026-11-03 05:00"),
        ],
    )
    .await;
    assert_eq!(added.status(), 303);

    let page = client
        .get(app.url("/town/staff/reports/availability?month=2026-11"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    // (43,200 − (300 − 120 − 60)) ÷ 43,200 = 99.722 %
    for shown in [
        "43200分",
        "300分",
        "120分",
        "60分",
        "99.722 %",
        "2026-11-20 13:00",
        "計画外",
    ] {
        assert!(html.contains(shown), "{shown} missing from the page");
    }
    let mut conn = app.conn();
    let clock = app.clock();
    let town_figures = madoguchi::domain::uptime::month(
        &mut conn,
        clock.tz,
        (2026, 11),
        Some(tenant.id),
        clock.now,
    )
    .unwrap();
    assert_eq!(
        (
            town_figures.provided,
            town_figures.down,
            town_figures.planned,
            town_figures.city_caused
        ),
        (43_200, 300, 120, 60)
    );
    // Another city had neither the banner nor the city's own stop: all 300 minutes count.
    let other_figures = madoguchi::domain::uptime::month(
        &mut conn,
        clock.tz,
        (2026, 11),
        Some(other.id),
        clock.now,
    )
    .unwrap();
    assert_eq!((other_figures.planned, other_figures.city_caused), (0, 0));
    assert!((other_figures.rate().unwrap() - 100.0 * 42_900.0 / 43_200.0).abs() < 1e-9);
    // December so far: from midnight to the minute running now (not yet counted), none down.
    let december = madoguchi::domain::uptime::month(
        &mut conn,
        clock.tz,
        (2026, 12),
        Some(tenant.id),
        clock.now,
    )
    .unwrap();
    assert!((600..630).contains(&december.provided), "{december:?}");
    assert_eq!(december.down, 0);

    // A month that cannot be read is refused at its field.
    let refused = client
        .get(app.url("/town/staff/reports/availability?month=2026-13"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    // A counter clerk has no reports.
    let clerk = new_client();
    assert_eq!(log_in(&app, &clerk, "clerk", PASSWORD).await.status(), 303);
    let forbidden = clerk
        .get(app.url("/town/staff/reports/availability"))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
}
