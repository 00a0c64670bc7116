//! The operation log as a hash chain: someone with the database's owner rights edits or
//! removes a row; `madoguchi audit verify` and the console's log page say where.

use std::process::Command;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_query;
use madoguchi::db::schema::audit_log;
use madoguchi::domain::audit_chain::{verify, Problem};

use crate::console::{log_in, new_client, town, PASSWORD};
use crate::helpers::TestApp;

fn cli_verify(app: &TestApp) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("running madoguchi audit verify");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// What an intruder with the owner's rights does: the append-only trigger switched off
/// for one statement.
fn tamper(app: &TestApp, statement: &str) {
    let mut conn = app.conn();
    conn.batch_execute(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; {statement}; \
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
    ))
    .expect("tampering");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_or_removed_row_breaks_the_chain_where_it_was() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = new_client();
    for _ in 0..3 {
        log_in(&app, &new_client(), "clerk", "Wrong#Password1").await;
    }
    log_in(&app, &admin, "admin", PASSWORD).await;
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.first_break, None);
    assert_eq!(report.rows, 4);
    assert_eq!(report.head.as_ref().unwrap().0, 4);
    let (ok, out) = cli_verify(&app);
    assert!(ok, "{out}");
    assert!(out.contains("town: 4 rows, chain intact"), "{out}");
    let page = admin
        .get(app.url("/town/staff/log"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("すべてつながった連鎖のままです"), "{page}");

    // The second failed login is made to look like someone else's.
    let second: i64 = app.query(move |conn| {
        audit_log::table
            .filter(audit_log::tenant_id.eq(tenant.id))
            .filter(audit_log::chain_position.eq(2))
            .select(audit_log::id)
            .first(conn)
    });
    tamper(
        &app,
        &format!("UPDATE audit_log SET target = 'admin' WHERE id = {second}"),
    );
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    let at = report.first_break.expect("a break");
    assert_eq!(
        (at.position, at.id, at.problem),
        (2, second, Problem::Changed)
    );
    let (ok, out) = cli_verify(&app);
    assert!(!ok, "a broken chain fails the command");
    assert!(
        out.contains(&format!(
            "town: 4 rows, chain BROKEN at #2 (row id {second}): changed"
        )),
        "{out}"
    );
    let page = admin
        .get(app.url("/town/staff/log"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("#2"), "{page}");
    assert!(page.contains("内容が書き換えられています"), "{page}");

    // Put back as it was, then the first row removed instead.
    tamper(
        &app,
        &format!("UPDATE audit_log SET target = 'clerk' WHERE id = {second}"),
    );
    assert_eq!(
        app.query(move |conn| verify(conn, Some(tenant.id)))
            .first_break,
        None
    );
    tamper(
        &app,
        &format!(
            "DELETE FROM audit_log WHERE tenant_id = {} AND chain_position = 1",
            tenant.id
        ),
    );
    let at = app
        .query(move |conn| verify(conn, Some(tenant.id)))
        .first_break
        .expect("a break");
    assert_eq!((at.position, at.problem), (2, Problem::Missing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_written_at_once_still_form_one_chain() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let attempts = (0..20).map(|_| {
        let app = &app;
        async move { log_in(app, &new_client(), "nobody", "Wrong#Password1").await }
    });
    futures::future::join_all(attempts).await;
    let report = app.query(move |conn| verify(conn, Some(tenant.id)));
    assert_eq!(report.rows, 20);
    assert_eq!(report.first_break, None);
    // Nothing rewrites a row through the application's own path either.
    let refused = app.query(|conn| {
        Ok::<_, diesel::result::Error>(
            sql_query("UPDATE audit_log SET target = 'x'")
                .execute(conn)
                .is_err(),
        )
    });
    assert!(refused);
}

#[test]
fn rows_written_before_the_chain_existed_are_linked_by_the_migration() {
    use diesel_migrations::MigrationHarness;
    let db = crate::helpers::TestDatabase::create();
    let mut conn = PgConnection::establish(&db.url).expect("connect");
    // Back to the schema before the chain, whatever came after it.
    loop {
        let version = conn
            .revert_last_migration(madoguchi::db::MIGRATIONS)
            .expect("revert")
            .to_string()
            .replace(['-', '_'], "");
        if version.starts_with("20261130000013") {
            break;
        }
    }
    conn.batch_execute(
        "INSERT INTO audit_log (tenant_id, actor, action, target, created_at)
         SELECT NULL, 'cli', 'tenant.apply', 'town' || n, now() FROM generate_series(1, 5) n;",
    )
    .expect("old rows");
    conn.run_pending_migrations(madoguchi::db::MIGRATIONS)
        .expect("migrate");
    let report = verify(&mut conn, None).expect("verify");
    assert_eq!(report.rows, 5);
    assert_eq!(report.first_break, None);
    assert_eq!(report.head.unwrap().0, 5);
}
