//! The operation log: who may read it, its filter, and its export.

use diesel::prelude::*;
use madoguchi::db::schema::audit_log;
use madoguchi::domain::staff::Role;
use madoguchi::domain::staff_accounts::create_account;

use super::{log_in, new_client, town, PASSWORD};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_filter_and_export_the_log_and_clerks_cannot_read_it() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    create_account(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        "auditor",
        Role::Auditor,
        PASSWORD,
    )
    .unwrap();
    let clerk = new_client();
    log_in(&app, &clerk, "clerk", "Wrong#Password1").await;
    log_in(&app, &clerk, "clerk", PASSWORD).await;
    assert_eq!(
        clerk
            .get(app.url("/town/staff/log"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let auditor = new_client();
    log_in(&app, &auditor, "auditor", PASSWORD).await;
    let page = auditor
        .get(app.url("/town/staff/log?action=staff.login_failed"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Actions read in words on the page.
    assert_eq!(page.matches("<td>ログインの失敗</td>").count(), 1);
    assert!(!page.contains("<td>ログイン</td>"));

    let csv = auditor
        .get(app.url("/town/staff/log.csv?actor=clerk"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    assert_eq!(reader.headers().unwrap().get(2), Some("操作"));
    let actions: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    let stored: i64 = app.query(|conn| {
        audit_log::table
            .filter(audit_log::actor.like("%clerk%"))
            .count()
            .get_result(conn)
    });
    assert_eq!(
        actions.len() as i64,
        stored,
        "every line of the clerk is exported"
    );
    assert!(actions.contains(&"staff.login_failed".to_string()));
    let exports: i64 = app.query(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("log.export"))
            .count()
            .get_result(conn)
    });
    assert_eq!(exports, 1, "exporting the log is itself logged");
}
