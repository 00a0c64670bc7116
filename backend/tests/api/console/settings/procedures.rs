//! Procedures on screen: a new one reaches residents once a counter takes it, and one
//! may close online changes earlier than the city.

use chrono::Duration;
use madoguchi::db::tenant::Tenant;
use madoguchi::domain::booking;
use madoguchi::domain::{Actor, Channel};

use super::counters::{refused, save, spawn_city, start_page};
use super::timetables::{april_first, book_at, on_march_31};
use super::{logged_in, page_of, post, text_of, version_of};
use crate::console::town;
use crate::helpers::{csrf_of, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_procedure_reaches_residents_once_a_lane_takes_it() {
    let app = TestApp::spawn_at(2027, 3, 31, 10, 0).await;
    spawn_city(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/procedures/new");
    let page = refused(&admin, &url, &[("code", "apply"), ("name_ja", "")]).await;
    assert!(
        page.contains("このコードはすでに使われています。"),
        "{page}"
    );
    assert!(page.contains("href=\"#name_ja\""), "{page}");

    save(
        &admin,
        &url,
        &[
            ("code", "renew"),
            ("name_ja", "電子証明書の更新"),
            ("notes_ja", "暗証番号をお忘れなく。"),
        ],
    )
    .await;
    let start = start_page(&app).await;
    assert!(
        !start.contains("電子証明書の更新"),
        "no counter takes it yet"
    );

    save(
        &admin,
        &app.url("/town/staff/settings/locations/0003/lanes/main"),
        &[
            ("name", "窓口"),
            ("offers_apply", "1"),
            ("offers_renew", "1"),
        ],
    )
    .await;
    let start = start_page(&app).await;
    assert!(start.contains("電子証明書の更新"), "{start}");
    assert!(start.contains("暗証番号をお忘れなく。"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_procedure_with_its_own_deadline_closes_online_cancellation_earlier_than_the_citys() {
    let app = on_march_31().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/procedures/apply");
    let form = page_of(&admin, &url).await;
    let fields = |version: &str, days: &str, step: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf_of(&form)),
            ("version", version.to_string()),
            ("name_ja", "申請".to_string()),
            ("change_days_before", days.to_string()),
            ("change_at", "12:00".to_string()),
            ("step", step.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let (status, page) =
        text_of(post(&admin, &url, &fields(&version_of(&form), "31", "save")).await).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("締切は0から30までの日数で入力してください"),
        "{page}"
    );

    let (status, preview) =
        text_of(post(&admin, &url, &fields(&version_of(&form), "3", "")).await).await;
    assert_eq!(status, 200);
    assert!(
        preview.contains(
            "apply: この手続きの変更・取消の締切（何日前、空欄なら市の決まり） （市の決まり） → 3"
        ),
        "{preview}"
    );
    let saved = post(&admin, &url, &fields(&version_of(&preview), "3", "save")).await;
    assert_eq!(saved.status(), 303);

    // On 31 March a visit on 2 April is inside the application's 3 days, outside the
    // city's 1 day: the resident can no longer cancel it online, the counter can.
    let (booking_id, _) = book_at(
        &app,
        &tenant,
        april_first() + Duration::days(1),
        10,
        "締切 確認",
    );
    let tenant = Tenant::by_id(&mut app.conn(), tenant.id).unwrap();
    let refused = booking::cancel(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        booking_id,
        &Actor::resident(None),
    );
    assert!(
        matches!(
            refused,
            Err(madoguchi::error::AppError::ChangeDeadlinePassed)
        ),
        "{refused:?}"
    );
    let counter = Actor {
        label: "staff:admin".into(),
        channel: Channel::Counter,
        client_addr: None,
    };
    booking::cancel(&mut app.conn(), &app.clock(), &tenant, booking_id, &counter)
        .expect("at the counter");

    // The file keeps it, and applies back unchanged.
    let file = madoguchi::domain::tenant_file::export(&mut app.conn(), &tenant).unwrap();
    let apply = file.procedures.iter().find(|p| p.code == "apply").unwrap();
    let deadline = apply.change_deadline.as_ref().expect("its own deadline");
    assert_eq!((deadline.days_before, deadline.at.as_str()), (3, "12:00"));
    let report = madoguchi::domain::tenant_file::apply(&mut app.conn(), &file, true).unwrap();
    assert!(report.changes.is_empty(), "{:?}", report.changes);
}
