//! The database as the last line: the role the web server works as cannot rewrite history
//! or change the schema, and a query that forgets its tenant filter sees one tenant only.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::console::town;
use crate::helpers::TestApp;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_role_cannot_rewrite_history_or_the_schema() {
    let app = TestApp::spawn().await;
    let demo = app.with_demo_tenant();
    app.query(|conn| {
        diesel::sql_query(
            "INSERT INTO audit_log (tenant_id, actor, action, target, created_at) \
             VALUES ($1, 'cli', 'tenant.apply', 'demo', now())",
        )
        .bind::<BigInt, _>(demo.id)
        .execute(conn)
    });
    // As the embedded cluster's server does: the role's own login.
    let own_login = app.db.url.replacen("postgres@", "madoguchi_app@", 1);
    let pool = madoguchi::db::application_pool(&app.db.url, Some(&own_login), 2);
    let mut conn = pool.get().unwrap();
    madoguchi::db::act_for_tenant(&mut conn, Some(demo.id)).unwrap();
    for attack in [
        "UPDATE audit_log SET target = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DELETE FROM booking_events",
        "TRUNCATE card_events",
        "UPDATE card_imports SET file_name = 'x'",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE bookings ADD COLUMN backdoor text",
        "CREATE TABLE stash (secret text)",
        "DROP TABLE card_records",
        "DELETE FROM __diesel_schema_migrations",
        "RESET ROLE; SET ROLE postgres",
    ] {
        let refused = conn.batch_execute(attack);
        assert!(refused.is_err(), "{attack} was allowed");
        let message = refused.unwrap_err().to_string();
        assert!(
            message.contains("permission denied")
                || message.contains("must be owner")
                || message.contains("must be member"),
            "{attack}: {message}"
        );
    }
    // Its own work still goes through.
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM audit_log"), 1);

    // Without a login of its own, the owner's connections are switched to the role: the
    // same refusals, except that RESET ROLE would undo the switch (docs/security.md).
    let switched = madoguchi::db::application_pool(&app.db.url, None, 1);
    let mut conn = switched.get().unwrap();
    for attack in [
        "UPDATE audit_log SET target = 'someone else'",
        "TRUNCATE audit_log",
        "ALTER TABLE bookings ADD COLUMN backdoor text",
    ] {
        assert!(conn.batch_execute(attack).is_err(), "{attack} was allowed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_without_its_tenant_filter_sees_one_tenant_or_none() {
    let app = TestApp::spawn().await;
    let demo = app.with_demo_tenant();
    let town = town(&app);
    let all_locations = app.query(|conn| {
        Ok::<_, diesel::result::Error>(count(conn, "SELECT count(*) AS n FROM locations"))
    });
    let demo_locations = app.query(move |conn| {
        diesel::sql_query("SELECT count(*) AS n FROM locations WHERE tenant_id = $1")
            .bind::<BigInt, _>(demo.id)
            .get_result::<Count>(conn)
            .map(|c| c.n)
    });
    assert!(all_locations > demo_locations && demo_locations > 0);

    let pool = madoguchi::db::application_pool(&app.db.url, None, 2);
    let mut conn = pool.get().unwrap();
    // No tenant named yet: nothing at all.
    madoguchi::db::act_for_tenant(&mut conn, None).unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM locations"), 0);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM card_records"),
        0
    );
    // The demo city's request, with the filter forgotten: the demo city's rows alone.
    madoguchi::db::act_for_tenant(&mut conn, Some(demo.id)).unwrap();
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM locations"),
        demo_locations
    );
    // Nor can it write into another city.
    let written = diesel::sql_query(
        "INSERT INTO audit_log (tenant_id, actor, action, target, created_at) \
         VALUES ($1, 'x', 'x', 'x', now())",
    )
    .bind::<BigInt, _>(town.id)
    .execute(&mut *conn);
    assert!(written
        .unwrap_err()
        .to_string()
        .contains("row-level security"));
    let moved = diesel::sql_query("UPDATE locations SET tenant_id = $1")
        .bind::<BigInt, _>(town.id)
        .execute(&mut *conn);
    assert!(moved.is_err(), "rows cannot be handed to another city");
}
