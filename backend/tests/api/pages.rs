//! The server-rendered landing page of a tenant.

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_page_lists_its_locations_and_procedures_in_both_languages() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let response = app.client.get(app.url("/demo/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response.headers().contains_key("content-security-policy"));
    let page = response.text().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"ja\">"));
    for text in [
        "デモ市",
        "デモ市役所 本庁舎",
        "西地区市民センター",
        "マイナンバーカードの受け取り（交付）",
        "暗証番号の再設定",
        "デモ県デモ市本町1-1-1",
    ] {
        assert!(page.contains(text), "missing {text}");
    }
    assert!(
        page.contains("href=\"/demo/?lang=en\""),
        "no language switch"
    );

    let english = app
        .client
        .get(app.url("/demo/?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\">"));
    for text in [
        "Demo City",
        "Card pickup",
        "West Community Center",
        "Counters",
    ] {
        assert!(english.contains(text), "missing {text}");
    }

    let unknown = app.client.get(app.url("/nowhere/")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let bare = app.client.get(app.url("/demo")).send().await.unwrap();
    // Never a permanent redirect: browsers would keep it.
    assert_eq!(bare.status(), 303);
    assert_eq!(bare.headers()["location"], "/demo/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_shows_the_tenant_notice_and_a_maintenance_banner_while_set() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let page = |app: &TestApp| {
        let url = app.url("/demo/");
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let before = page(&app).await;
    assert!(before.contains("交付通知書が届いてから予約してください"));
    assert!(!before.contains("class=\"banner\""));
    app.with_tenant(&madoguchi::cli::DEMO_TENANT.replacen(
        "maintenance_ja = \"\"",
        "maintenance_ja = \"12月20日 2時〜4時は点検のため予約できません。\"",
        1,
    ));
    let during = page(&app).await;
    assert!(during.contains("class=\"banner\""));
    assert!(during.contains("12月20日 2時〜4時は点検のため予約できません。"));
}
