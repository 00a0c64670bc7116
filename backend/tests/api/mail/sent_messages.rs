//! The console shows the messages the embedded default wrote under var/mail, each only to
//! staff of its own city.

use diesel::prelude::*;
use madoguchi::db::schema::mail_outbox;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;

use super::{book_with_email, settings};
use crate::console::{booking_today, log_in, town, PASSWORD};
use crate::helpers::TestApp;

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_read_their_own_citys_messages_as_written_to_files_and_no_others() {
    let var = tempfile::tempdir().unwrap();
    let var_dir = var.path().to_path_buf();
    let app = TestApp::spawn_with(|config| config.var_dir = var_dir).await;
    let tenant = town(&app);
    app.with_demo_tenant();
    let code = booking_today(&app, &tenant, "reader@example.jp");
    book_with_email(&app, "elsewhere@example.jp").await;
    let mailer = Mailer::new(None, var.path().join("mail")).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        2
    );
    let ids: Vec<(i64, i64)> = app.query(|conn| {
        mail_outbox::table
            .select((mail_outbox::id, mail_outbox::tenant_id))
            .order(mail_outbox::id)
            .load(conn)
    });
    let own = ids.iter().find(|(_, t)| *t == tenant.id).unwrap().0;
    let other = ids.iter().find(|(_, t)| *t != tenant.id).unwrap().0;

    assert_eq!(
        log_in(&app, &app.client, "admin", PASSWORD).await.status(),
        303
    );
    let (status, list) = page(&app, "/town/staff/mail").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("/town/staff/mail/{own}/message")),
        "{list}"
    );

    let (status, shown) = page(&app, &format!("/town/staff/mail/{own}/message")).await;
    assert_eq!(status, 200, "{shown}");
    // The subject decoded from RFC 2047, the recipient, and the plain text with the code.
    assert!(shown.contains("【終日町】予約を受け付けました"), "{shown}");
    assert!(shown.contains("reader@example.jp"));
    let display = format!("{}-{}-{}", &code[0..3], &code[3..6], &code[6..9]);
    assert!(
        shown.contains(&format!("予約番号 / Booking code: {display}")),
        "{shown}"
    );
    assert!(shown.contains("booking.ics"), "the attachments are listed");

    let file = std::fs::read(var.path().join(format!("mail/{own}-confirmation.eml"))).unwrap();
    let download = app
        .client
        .get(app.url(&format!("/town/staff/mail/{own}/message.eml")))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().to_vec(), file);

    // Another city's message does not exist for this city's staff.
    for path in [
        format!("/town/staff/mail/{other}/message"),
        format!("/town/staff/mail/{other}/message.eml"),
    ] {
        assert_eq!(page(&app, &path).await.0, 404, "{path}");
    }
    // Reading a message is in the operation log.
    let logged: i64 = app.query(|conn| {
        use madoguchi::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("mail.view"))
            .count()
            .get_result(conn)
    });
    assert_eq!(logged, 1);
}
