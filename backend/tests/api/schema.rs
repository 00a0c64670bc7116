//! The migrations apply, revert completely, and apply again.

use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use madoguchi::db::MIGRATIONS;

use crate::helpers::TestDatabase;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn user_tables(conn: &mut PgConnection) -> i64 {
    diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(conn)
    .expect("count")
    .n
}

#[test]
fn every_migration_reverts_to_an_empty_schema_and_applies_again() {
    let db = TestDatabase::create();
    let mut conn = PgConnection::establish(&db.url).expect("connect");
    assert!(user_tables(&mut conn) > 10);
    conn.revert_all_migrations(MIGRATIONS).expect("revert");
    assert_eq!(user_tables(&mut conn), 0);
    conn.run_pending_migrations(MIGRATIONS)
        .expect("apply again");
    assert!(user_tables(&mut conn) > 10);
}
