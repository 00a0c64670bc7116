//! A browser gets a page for every error, in the site's layout and the reader's language;
//! `/api/` keeps its problem documents. Also while PostgreSQL cannot be reached.

use std::net::TcpListener;

use crate::helpers::TestApp;

async fn fetch(url: String) -> (u16, String, Option<String>, String) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after");
    (
        status,
        content_type,
        retry_after,
        response.text().await.unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_get_pages_for_unknown_addresses_and_the_api_keeps_problem_documents() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let cases = [
        (
            "/demo/nonexistent",
            "ページが見つかりません",
            "href=\"/demo/?lang=ja\"",
        ),
        (
            "/othercity/",
            "自治体が見つかりません",
            "href=\"/?lang=ja\"",
        ),
        (
            "/demo/staff/nosuch",
            "ページが見つかりません",
            "href=\"/demo/staff/?lang=ja\"",
        ),
        (
            "/demo/book/nosuch/",
            "手続きが見つかりません",
            "href=\"/demo/?lang=ja\"",
        ),
        (
            "/demo/booking/ABCDEFGHJ",
            "予約が見つかりません",
            "href=\"/demo/?lang=ja\"",
        ),
    ];
    for (path, says, way_on) in cases {
        let (status, content_type, _, page) = fetch(app.url(path)).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert!(page.contains("<html lang=\"ja\""), "{path}");
        assert!(
            page.contains("class=\"site-header\""),
            "{path}: the site's layout"
        );
        assert!(page.contains(says), "{path}: {page}");
        assert!(page.contains(way_on), "{path}: {page}");
    }
    let (_, _, _, english) = fetch(app.url("/demo/nonexistent?lang=en")).await;
    assert!(english.contains("<html lang=\"en\"") && english.contains("Page not found"));

    let (status, content_type, _, _) = fetch(app.url("/api/v1/demo/nonexistent")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (404, "application/problem+json")
    );
    // A form that cannot be read is a page too, never a bare text answer.
    let response = app
        .client
        .post(app.url("/demo/book/pickup/identify"))
        .header("content-type", "text/plain")
        .body("number=1")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_down_pages_say_so_and_when_to_come_back() {
    // A server whose database does not answer: its pool points at a socket nobody serves.
    let mut config = madoguchi::config::Config::from_lookup(|_| None).unwrap();
    config.http_workers = 1;
    let nowhere = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://postgres@/madoguchi?host={}&connect_timeout=1",
        nowhere.path().display()
    );
    let pool = madoguchi::db::pool(&url, 2);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(madoguchi::server::build(config, pool, listener).unwrap());

    for path in ["/demo/", "/demo/book/pickup/", "/demo/staff/today", "/"] {
        let (status, content_type, retry_after, page) = fetch(format!("{address}{path}")).await;
        assert_eq!(status, 503, "{path}");
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert!(
            retry_after.is_some_and(|s| s.parse::<u32>().is_ok()),
            "{path}"
        );
        assert!(page.contains("ただいま利用できません"), "{path}: {page}");
        assert!(!page.contains("postgresql://"), "no internals");
    }
    let (status, content_type, retry_after, _) =
        fetch(format!("{address}/api/v1/demo/locations")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (503, "application/problem+json")
    );
    assert!(retry_after.is_some());
}
