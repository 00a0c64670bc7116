//! A city's whole data out and back in: the export of a city with a row in every table,
//! imported under another code and exported again, gives the same table files byte for
//! byte; a damaged archive is refused at its file and line with nothing written.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, bookings};
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::archive;

use crate::helpers::TestApp;
use crate::lifecycle::{city_with_every_kind_of_row, rows_per_table};

fn export(app: &TestApp, tenant: &Tenant) -> Vec<u8> {
    let (_, out) = archive::export(
        &mut app.conn(),
        tenant,
        Cursor::new(Vec::new()),
        app.clock().now,
    )
    .expect("export");
    out.into_inner()
}

/// Every file of an archive by name.
fn files(zip: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a zip");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names
        .into_iter()
        .map(|name| {
            let mut bytes = Vec::new();
            archive
                .by_name(&name)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            (name, bytes)
        })
        .collect()
}

/// The archive with `name` replaced by `bytes`.
fn with_file(zip: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (file, content) in files(zip) {
        out.start_file(file.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(if file == name { bytes } else { &content })
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn text(files: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files[name].clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_exported_imported_as_another_code_and_exported_again_gives_the_same_files() {
    let app = TestApp::spawn().await;
    let tenant = city_with_every_kind_of_row(&app).await;
    // A value a spreadsheet would run as a formula, and one that starts with an apostrophe.
    diesel::update(bookings::table.filter(bookings::tenant_id.eq(tenant.id)))
        .set((
            bookings::contact_name.eq("=HYPERLINK(\"http://x.example\",\"開く\")"),
            bookings::note.eq("'引用\r\n二行目, \"囲み\""),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let first = export(&app, &tenant);
    let first_files = files(&first);

    let bookings_csv = text(&first_files, "tables/bookings.csv");
    assert!(
        bookings_csv.starts_with('\u{feff}'),
        "UTF-8 with a byte-order mark"
    );
    assert!(
        bookings_csv.contains(",\"'=HYPERLINK("),
        "formula neutralised: {bookings_csv}"
    );
    assert!(!bookings_csv.contains(",\"=HYPERLINK(") && !bookings_csv.contains(",=HYPERLINK("));
    let readme = text(&first_files, "README.txt");
    for expected in [
        "tables/bookings.csv",
        "contact_email",
        "連絡先",
        "web_sessions",
    ] {
        assert!(readme.contains(expected), "README.txt lacks {expected}");
    }
    assert!(first_files.contains_key("tenant.toml"));
    assert!(first_files.keys().any(|n| n.starts_with("mail-templates/")));
    let personal = "kept@example.jp";
    assert!(bookings_csv.contains(personal));

    let mut conn = app.conn();
    let imported = archive::import(
        &mut conn,
        Cursor::new(&first),
        "moved",
        false,
        app.clock().now,
    )
    .unwrap();
    assert_eq!(imported.source, tenant.code);
    let moved = Tenant::by_code(&mut conn, "moved").unwrap().unwrap();
    assert_ne!(moved.id, tenant.id);
    // Every row came over, and the imported city's log chain verifies from its start.
    let (before, after) = (
        rows_per_table(&mut conn, tenant.id),
        rows_per_table(&mut conn, moved.id),
    );
    for table in archive::TABLES {
        assert_eq!(after[table], before[table], "{table}");
    }
    for (table, _) in archive::LEFT_OUT {
        assert_eq!(after[table], 0, "{table} stays out of the archive");
    }
    let chain = madoguchi::domain::audit_chain::verify(&mut conn, Some(moved.id)).unwrap();
    assert!(chain.first_break.is_none(), "{:?}", chain.first_break);

    let second = export(&app, &moved);
    let second_files = files(&second);
    let table_files: Vec<&String> = first_files
        .keys()
        .filter(|n| n.starts_with("tables/") || n.starts_with("mail-templates/"))
        .collect();
    // Two mail templates (one Japanese–English, one Vietnamese), each as text and HTML.
    assert_eq!(table_files.len(), archive::TABLES.len() + 4);
    for name in table_files {
        assert!(
            first_files[name] == second_files[name],
            "{name} differs after the round trip:\n{}\n---\n{}",
            text(&first_files, name),
            text(&second_files, name)
        );
    }

    // The same code again is refused, and nothing is written.
    let again = archive::import(
        &mut conn,
        Cursor::new(&first),
        "moved",
        false,
        app.clock().now,
    );
    assert!(format!("{:#}", again.unwrap_err()).contains("exists already"));
    assert_eq!(rows_per_table(&mut conn, moved.id), after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_archive_is_refused_at_its_file_and_line_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let tenant = city_with_every_kind_of_row(&app).await;
    let zip = export(&app, &tenant);
    let original = files(&zip);
    let members = text(&original, "tables/booking_members.csv");
    let header = members.lines().next().unwrap();
    let booking_column = header.split(',').position(|c| c == "booking_id").unwrap();
    let tenants_before: i64 = madoguchi::db::schema::tenants::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        // A member of a booking the file does not have.
        (
            "tables/booking_members.csv",
            {
                let mut lines: Vec<String> = members.lines().map(str::to_string).collect();
                let mut fields: Vec<String> = lines[1].split(',').map(str::to_string).collect();
                fields[booking_column] = "999".into();
                lines[1] = fields.join(",");
                lines.join("\n") + "\n"
            },
            "tables/booking_members.csv line 2: booking_id refers to row 999",
        ),
        // A control character inside a value.
        (
            "tables/staff_notices.csv",
            {
                text(&original, "tables/staff_notices.csv").replace("研修の連絡", "研修の\u{7}連絡")
            },
            "tables/staff_notices.csv line 2: control character U+0007",
        ),
        // A column renamed.
        (
            "tables/closures.csv",
            { text(&original, "tables/closures.csv").replacen("reason", "why", 1) },
            "tables/closures.csv line 1: the columns are",
        ),
        // A value the database refuses (a time that is not one).
        (
            "tables/maintenance_windows.csv",
            {
                let file = text(&original, "tables/maintenance_windows.csv");
                let mut lines: Vec<String> = file.lines().map(str::to_string).collect();
                lines[1] = lines[1].replacen(",20", ",ab", 1);
                lines.join("\r\n") + "\r\n"
            },
            "tables/maintenance_windows.csv line 2:",
        ),
    ];
    for (name, content, expected) in cases {
        let damaged = with_file(&zip, name, content.as_bytes());
        for dry_run in [true, false] {
            let refused = archive::import(
                &mut app.conn(),
                Cursor::new(&damaged),
                "broken",
                dry_run,
                app.clock().now,
            )
            .expect_err(name);
            let message = format!("{refused:#}");
            assert!(message.contains(expected), "{name}: {message}");
        }
        assert!(Tenant::by_code(&mut app.conn(), "broken")
            .unwrap()
            .is_none());
    }
    let tenants_after: i64 = madoguchi::db::schema::tenants::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(tenants_after, tenants_before, "nothing half-written");

    // A dry run of the sound archive checks everything and writes nothing, not even a log line.
    let logged =
        |conn: &mut PgConnection| -> i64 { audit_log::table.count().get_result(conn).unwrap() };
    let lines_before = logged(&mut app.conn());
    let checked = archive::import(
        &mut app.conn(),
        Cursor::new(&zip),
        "rehearsal",
        true,
        app.clock().now,
    )
    .unwrap();
    assert!(checked.dry_run);
    assert!(checked
        .rows
        .iter()
        .any(|(table, rows)| *table == "bookings" && *rows > 0));
    assert!(Tenant::by_code(&mut app.conn(), "rehearsal")
        .unwrap()
        .is_none());
    assert_eq!(logged(&mut app.conn()), lines_before);
}

/// README.txt describes every column the archive carries, in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exported_column_is_described() {
    let app = TestApp::spawn().await;
    let catalogue = archive::catalogue(&mut app.conn()).unwrap();
    assert_eq!(archive::undescribed(&catalogue), Vec::<String>::new());
    // Every table a disposal erases is exported or said to be left out, and no other.
    let mut archived: Vec<&str> = archive::TABLES
        .iter()
        .copied()
        .chain(archive::LEFT_OUT.iter().map(|(table, _)| *table))
        .collect();
    let mut erased: Vec<&str> = madoguchi::domain::tenant_lifecycle::CITY_TABLES
        .iter()
        .copied()
        .chain(["tenants"])
        .collect();
    archived.sort_unstable();
    erased.sort_unstable();
    assert_eq!(archived, erased);
}

/// The commands an operator runs: export to a file, a dry run and the import itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_export_to_a_file_check_it_and_import_it() {
    let app = TestApp::spawn().await;
    let tenant = city_with_every_kind_of_row(&app).await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("demo.zip");
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args(args)
            .env("DATABASE_URL", &app.db.url)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let path = file.to_str().unwrap();
    let (ok, out) = run(&["tenant", "export", "--tenant", &tenant.code, path]);
    assert!(ok, "{out}");
    assert!(out.contains("tables/bookings.csv: 1 rows"), "{out}");
    assert!(
        !out.contains("kept@example.jp"),
        "no personal data on the terminal"
    );
    assert!(file.exists() && !folder.path().join("demo.zip.partial").exists());
    let (ok, out) = run(&["tenant", "import", path, "--as", "next", "--dry-run"]);
    assert!(ok, "{out}");
    assert!(out.contains("nothing written"), "{out}");
    assert!(Tenant::by_code(&mut app.conn(), "next").unwrap().is_none());
    let (ok, out) = run(&["tenant", "import", path, "--as", "next"]);
    assert!(ok, "{out}");
    assert!(Tenant::by_code(&mut app.conn(), "next").unwrap().is_some());
    let (ok, out) = run(&["tenant", "import", path, "--as", "Bad Code"]);
    assert!(!ok && out.contains("a tenant code is"), "{out}");
    let (ok, out) = run(&[
        "tenant",
        "import",
        folder.path().to_str().unwrap(),
        "--as",
        "x",
    ]);
    assert!(!ok, "{out}");
    // Both service-wide log lines say who moved what.
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::tenant_id.is_null())
        .select(audit_log::action)
        .load(&mut app.conn())
        .unwrap();
    assert!(
        actions.contains(&"tenant.exported".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"tenant.imported".to_string()),
        "{actions:?}"
    );
}
