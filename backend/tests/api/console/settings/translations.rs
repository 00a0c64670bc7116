//! The city's texts in languages beyond Japanese and English, written on screen, shown to
//! residents of that language, and falling back in the order the city sets.

use diesel::prelude::*;
use madoguchi::db::schema::{audit_log, city_texts};
use madoguchi::domain::tenant_file;

use super::counters::{refused, save};
use super::{logged_in, page_of, town};
use crate::helpers::TestApp;

async fn resident_page(app: &TestApp, lang: &str) -> String {
    app.page_text(&format!("/town/?lang={lang}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_written_in_a_language_reach_its_readers_and_the_rest_falls_back_as_set() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;

    let vietnamese = app.url("/town/staff/settings/translations?text_lang=vi");
    let form = page_of(&admin, &vietnamese).await;
    assert!(
        form.contains("日本語: 申請"),
        "the Japanese to translate from: {form}"
    );
    assert!(form.contains("Tiếng Việt"));
    let preview = save(
        &admin,
        &vietnamese,
        &[
            ("fallback_1", ""),
            ("fallback_2", ""),
            ("procedure-apply-name", "Nộp đơn"),
            ("location-0001-access", "Tầng 1, cửa Đông"),
            ("notice", "Thứ Bảy cũng mở cửa."),
        ],
    )
    .await;
    assert!(preview.contains("procedure apply name in vi"), "{preview}");

    let page = resident_page(&app, "vi").await;
    assert!(page.contains("Nộp đơn"), "{page}");
    assert!(page.contains("Tầng 1, cửa Đông"));
    assert!(page.contains("Thứ Bảy cũng mở cửa."));
    // Not written in Vietnamese nor English: Japanese, as the city left the order.
    assert!(page.contains("交付"), "{page}");
    let japanese = resident_page(&app, "ja").await;
    assert!(japanese.contains("申請") && !japanese.contains("Nộp đơn"));

    // やさしい日本語 has a name; Korean readers are sent to it before Japanese.
    let easy = app.url("/town/staff/settings/translations?text_lang=ja-easy");
    save(
        &admin,
        &easy,
        &[("procedure-apply-name", "しんせい（カードを 申しこむ）")],
    )
    .await;
    let korean = app.url("/town/staff/settings/translations?text_lang=ko");
    save(
        &admin,
        &korean,
        &[("fallback_1", "ja-easy"), ("fallback_2", "")],
    )
    .await;
    assert!(resident_page(&app, "ko")
        .await
        .contains("しんせい（カードを 申しこむ）"));
    assert!(resident_page(&app, "ja-easy")
        .await
        .contains("しんせい（カードを 申しこむ）"));
    let tagalog = resident_page(&app, "tl").await;
    assert!(
        tagalog.contains("申請") && !tagalog.contains("しんせい"),
        "{tagalog}"
    );

    let saves: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(tenant.id))
        .filter(audit_log::action.eq("settings.translations"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(saves, 3);

    // The tenant file carries the texts and orders, and applying it changes nothing.
    let text = admin
        .get(app.url("/town/staff/settings/tenant.toml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("Nộp đơn") && text.contains("ko = [\"ja-easy\", \"ja\"]"),
        "{text}"
    );
    let file = tenant_file::parse(&text).unwrap();
    let report = tenant_file::apply(&mut app.conn(), &file, true).unwrap();
    assert_eq!(report.changes, Vec::<String>::new());

    // Emptying a field removes the text; the reader falls back again.
    save(
        &admin,
        &vietnamese,
        &[
            ("procedure-apply-name", ""),
            ("location-0001-access", "Tầng 1, cửa Đông"),
            ("notice", "Thứ Bảy cũng mở cửa."),
        ],
    )
    .await;
    assert!(!resident_page(&app, "vi").await.contains("Nộp đơn"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_texts_are_refused_at_their_fields_and_only_administrators_may_write_them() {
    let app = TestApp::spawn().await;
    let tenant = town(&app);
    let admin = logged_in(&app, "admin").await;
    let url = app.url("/town/staff/settings/translations?text_lang=pt-BR");

    let page = refused(
        &admin,
        &url,
        &[
            ("procedure-apply-name", "Pedido\u{7}"),
            ("fallback_1", "xx"),
            ("notice", &"a".repeat(1001)),
        ],
    )
    .await;
    assert!(page.contains("1000文字以内で入力してください。"), "{page}");
    assert!(page.contains("一覧の中から選んでください。"), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    let stored: i64 = city_texts::table
        .filter(city_texts::tenant_id.eq(tenant.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(stored, 0, "nothing is half-written");

    let clerk = logged_in(&app, "clerk").await;
    let status = clerk.get(url.clone()).send().await.unwrap().status();
    assert_eq!(status, 403);
    let posted = clerk
        .post(url)
        .form(&[("procedure-apply-name", "Pedido"), ("step", "save")])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(posted, 403);
}
