//! Behind a reverse proxy: forwarded addresses are believed only from the proxies named in
//! MADOGUCHI_TRUSTED_PROXIES, and cookies follow the public URL, not a request header.

use diesel::prelude::*;
use madoguchi::db::schema::audit_log;

use crate::console::{new_client, town};
use crate::helpers::{csrf_of, TestApp};

/// A wrong login sent with `headers`; its status.
async fn wrong_login(app: &TestApp, headers: &[(&str, &str)]) -> u16 {
    let client = new_client();
    let page = client
        .get(app.url("/town/staff/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let mut request = client.post(app.url("/town/staff/login")).form(&[
        ("csrf", csrf.as_str()),
        ("login", "clerk"),
        ("password", "Wrong#Password1"),
    ]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status().as_u16()
}

fn audited_addresses(app: &TestApp) -> Vec<Option<String>> {
    app.query(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("staff.login_failed"))
            .order(audit_log::id)
            .select(audit_log::client_addr)
            .load(conn)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_claim_another_address() {
    let app = TestApp::spawn_with(|config| config.logins_per_minute = 2).await;
    town(&app);
    let mut statuses = Vec::new();
    for n in 1..=3 {
        let claimed = format!("203.0.113.{n}");
        statuses.push(
            wrong_login(
                &app,
                &[
                    ("X-Forwarded-For", claimed.as_str()),
                    ("Forwarded", &format!("for={claimed}")),
                ],
            )
            .await,
        );
    }
    assert_eq!(statuses, [401, 401, 429], "one client, one budget");
    assert_eq!(
        audited_addresses(&app),
        [Some("127.0.0.1".to_string()), Some("127.0.0.1".to_string())],
        "the log names the real peer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_resident_is_themselves() {
    let app = TestApp::spawn_with(|config| {
        config.logins_per_minute = 2;
        config.trusted_proxies = madoguchi::config::parse_networks("127.0.0.0/8, ::1").unwrap();
    })
    .await;
    town(&app);
    // Three people behind the proxy: three budgets.
    for n in 1..=3 {
        let client = format!("198.51.100.{n}, 127.0.0.5");
        assert_eq!(
            wrong_login(&app, &[("X-Forwarded-For", client.as_str())]).await,
            401
        );
    }
    // One of them again and again: their own budget runs out, in the standard header too.
    assert_eq!(
        wrong_login(&app, &[("Forwarded", "for=198.51.100.1")]).await,
        401
    );
    assert_eq!(
        wrong_login(&app, &[("Forwarded", "for=198.51.100.1")]).await,
        429
    );
    let addresses = audited_addresses(&app);
    assert_eq!(
        addresses[..3],
        [
            Some("198.51.100.1".to_string()),
            Some("198.51.100.2".to_string()),
            Some("198.51.100.3".to_string())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_follow_the_public_url_not_a_header() {
    let cookie_of = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plain = TestApp::spawn().await;
    plain.with_demo_tenant();
    let spoofed = new_client()
        .get(plain.url("/demo/staff/login"))
        .header("X-Forwarded-Proto", "https")
        .header("Forwarded", "proto=https")
        .send()
        .await
        .unwrap();
    let cookies = cookie_of(&spoofed);
    assert!(cookies.starts_with("madoguchi_login="), "{cookies}");
    assert!(!cookies.contains("Secure"), "{cookies}");

    let https =
        TestApp::spawn_with(|config| config.public_url = "https://city.example".into()).await;
    https.with_demo_tenant();
    let answer = new_client()
        .get(https.url("/demo/staff/login"))
        .send()
        .await
        .unwrap();
    let cookies = cookie_of(&answer);
    assert!(cookies.starts_with("__Host-madoguchi_login="), "{cookies}");
    assert!(
        cookies.contains("Secure") && cookies.contains("Path=/"),
        "{cookies}"
    );
    assert!(answer.headers().contains_key("strict-transport-security"));
}
