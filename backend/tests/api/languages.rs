//! The page's language: the address's `lang=`, else the reader's last choice, else the
//! browser's preference among ours, else Japanese; the switch offers every other language
//! by its own name.

use crate::console::new_client as client;
use crate::helpers::TestApp;

async fn page(app: &TestApp, client: &reqwest::Client, path: &str, accept: &str) -> String {
    client
        .get(app.url(path))
        .header("Accept-Language", accept)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_visit_follows_the_browser_and_a_choice_is_kept() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();

    let english_phone = client();
    let first = page(&app, &english_phone, "/demo/", "en-US,en;q=0.9").await;
    assert!(first.contains("<html lang=\"en\""), "{first}");
    assert!(first.contains("href=\"/demo/?lang=ja\""), "{first}");
    assert!(first.contains(">日本語</a>"));
    let german = page(&app, &client(), "/demo/", "de-DE,de;q=0.9").await;
    assert!(
        german.contains("<html lang=\"ja\""),
        "none of ours: Japanese"
    );
    assert!(german.contains(">English</a>") && german.contains("href=\"/demo/?lang=en\""));

    // Choosing Japanese on an English phone is kept for the next visit without `lang=`.
    let chosen = english_phone
        .get(app.url("/demo/?lang=ja"))
        .header("Accept-Language", "en-US")
        .send()
        .await
        .unwrap();
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("madoguchi_lang=ja;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );
    let later = page(&app, &english_phone, "/demo/locations", "en-US").await;
    assert!(later.contains("<html lang=\"ja\""), "{later}");
    // The address still says what it says.
    let asked = page(&app, &english_phone, "/demo/?lang=en", "ja").await;
    assert!(asked.contains("<html lang=\"en\""));
    let kept = page(&app, &english_phone, "/demo/", "ja").await;
    assert!(
        kept.contains("<html lang=\"en\""),
        "the newest choice is kept"
    );
}
