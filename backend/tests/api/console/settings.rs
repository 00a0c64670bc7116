//! The settings pages: who may read them, and the tenant file they export.

use diesel::prelude::*;
use madoguchi::db::schema::audit_log;
use madoguchi::domain::tenant_file;

use super::{log_in, new_client, town, PASSWORD};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_read_the_rules_and_export_a_file_that_applies_unchanged() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);

    let clerk = new_client();
    log_in(&app, &clerk, "clerk", PASSWORD).await;
    for path in ["/town/staff/settings", "/town/staff/settings/tenant.toml"] {
        let status = clerk.get(app.url(path)).send().await.unwrap().status();
        assert_eq!(status, 403, "{path}");
    }

    let admin = new_client();
    log_in(&app, &admin, "admin", PASSWORD).await;
    let page = admin
        .get(app.url("/town/staff/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("予約の決まり"), "{page}");
    assert!(page.contains("変更・取消の締切"));
    assert!(page.contains("/town/staff/settings/tenant.toml"));

    let response = admin
        .get(app.url("/town/staff/settings/tenant.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(disposition, "attachment; filename=\"tenant-town.toml\"");
    let text = response.text().await.unwrap();
    let file = tenant_file::parse(&text).expect("the export is a tenant file");
    assert_eq!(file.code, "town");
    let report = tenant_file::apply(&mut app.conn(), &file, true).unwrap();
    assert_eq!(report.changes, Vec::<String>::new(), "{text}");

    let exports: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("settings.export"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(exports, 1);
}
