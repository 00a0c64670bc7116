//! What the server writes to its own log: no query strings (signed links, searches), and
//! never the database password.

use std::io::Read;
use std::process::Command;

use crate::helpers::{ServerProcess, TestApp};

#[test]
fn a_database_that_cannot_be_reached_is_named_without_its_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .arg("migrate")
        .env(
            "DATABASE_URL",
            "postgresql://madoguchi:S3cret-Pa55@127.0.0.1:9/madoguchi",
        )
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("127.0.0.1:9"), "the address is named: {said}");
    assert!(!said.contains("S3cret-Pa55"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_keeps_the_path_and_drops_the_query() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let mut server = ServerProcess::start(&app.db.url, true).await;
    let base = server.base.clone();
    for path in [
        "/demo/booking/ABCD-EFGH-JKLM?exp=1893456000&sig=0123456789abcdef&lang=en",
        "/demo/staff/bookings?kana=%E3%83%A4%E3%83%9E%E3%83%80&birth=1961-05-07",
    ] {
        reqwest::get(format!("{base}{path}")).await.unwrap();
    }
    server.terminate();
    let _ = server.child.wait();
    let mut log = String::new();
    server
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    // Access lines go to the day's file under VAR_DIR/log, not to standard error.
    assert!(!log.contains("GET /demo/booking/"), "{log}");
    let files: Vec<_> = std::fs::read_dir(server.var.path().join("log"))
        .expect("the access-log folder")
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("access.") && name.ends_with(".log"),
        "one file a day, named by its date: {name}"
    );
    let log = std::fs::read_to_string(&files[0]).unwrap();
    assert!(log.contains("GET /demo/booking/ABCD-EFGH-JKLM"), "{log}");
    assert!(log.contains("GET /demo/staff/bookings"), "{log}");
    for secret in ["sig=", "0123456789abcdef", "kana=", "1961-05-07", "%E3"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}
