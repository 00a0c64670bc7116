//! A city in training says so on every page and in every mail, until it goes live.

use madoguchi::db::tenant::Tenant;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;
use madoguchi::domain::tenant_lifecycle;

use crate::helpers::TestApp;
use crate::mail::{book_with_email, sent_subject, sent_text, settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_city_marks_every_page_and_mail_until_it_goes_live() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let pages = ["/demo/", "/demo/staff/login"];
    for path in pages {
        let page = app.page_text(path).await;
        assert!(!page.contains("研修用"), "{path} of a live city");
    }
    tenant_lifecycle::set_training(&mut app.conn(), &tenant, true).unwrap();
    for path in pages {
        let page = app.page_text(path).await;
        assert!(page.contains("研修用"), "{path}: {page}");
        assert!(page.contains("実際の予約になりません"), "{path}");
    }
    let english = app.page_text("/demo/?lang=en").await;
    assert!(english.contains("class=\"banner training\""), "{english}");

    book_with_email(&app, "trainee@example.jp").await;
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );
    let (subject, text) = (sent_subject(folder.path()), sent_text(folder.path()));
    assert!(subject.starts_with("【研修用】"), "{subject}");
    assert!(text.starts_with("【研修用】"), "{text}");

    let tenant = Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    tenant_lifecycle::set_training(&mut app.conn(), &tenant, false).unwrap();
    assert!(
        !app.page_text("/demo/").await.contains("研修用"),
        "live again"
    );
}
