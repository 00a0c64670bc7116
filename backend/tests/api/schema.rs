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

/// `backend/src/db/schema.rs` is what `diesel print-schema` writes for the migrated
/// database (with `diesel.toml`'s patch), so the code's idea of every table and column
/// is the database's own.
#[test]
fn schema_file_is_what_diesel_prints_for_the_migrations() {
    let db = TestDatabase::create();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let printed = std::process::Command::new("diesel")
        .args(["print-schema", "--database-url", &db.url])
        .current_dir(&root)
        .output()
        .expect(
            "running `diesel print-schema`: install diesel_cli with \
             `cargo install diesel_cli --no-default-features --features postgres` \
             (scripts/test does this when it is missing)",
        );
    assert!(
        printed.status.success(),
        "diesel print-schema failed: {}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let file = std::fs::read_to_string(root.join("backend/src/db/schema.rs")).expect("schema.rs");
    assert!(
        String::from_utf8_lossy(&printed.stdout) == file,
        "backend/src/db/schema.rs differs from `diesel print-schema`: run \
         `diesel print-schema --database-url <migrated database> > backend/src/db/schema.rs`"
    );
}

/// From the first release that runs as several servers on (migration 000021) on, a migration
/// only adds, so the previous release keeps working on the new schema during a rolling
/// deploy. Taking something away waits for a later release, in a migration whose name ends
/// in `_contract` (docs/operations.md, "Migrations and deploys").
#[test]
fn migrations_since_rolling_deploys_only_expand_the_schema() {
    const FIRST_ROLLING: &str = "2026-11-30-000021";
    const CONTRACTING: [&str; 6] = [
        "DROP TABLE",
        "DROP COLUMN",
        "RENAME",
        "SET NOT NULL",
        "DROP FUNCTION",
        "DROP VIEW",
    ];
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("the migrations folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < FIRST_ROLLING || name.ends_with("_contract") {
            continue;
        }
        let up = std::fs::read_to_string(path.join("up.sql")).expect("up.sql");
        let statements: String = up
            .lines()
            .map(|line| line.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        let retyped = statements
            .split(';')
            .any(|statement| statement.contains("ALTER COLUMN") && statement.contains(" TYPE "));
        assert!(!retyped, "{name}/up.sql changes a column's type");
        for word in CONTRACTING {
            assert!(
                !statements.contains(word),
                "{name}/up.sql contains {word:?}: removing or changing what the running \
                 release uses belongs in a later `_contract` migration"
            );
        }
        checked += 1;
    }
    assert!(checked >= 1);
}
