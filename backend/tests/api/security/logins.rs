//! Staff login floods: the lock holds however many guesses arrive at once, and a flood
//! from one network is turned away before any password is hashed.

use diesel::prelude::*;
use madoguchi::db::schema::audit_log;

use crate::console::{log_in, new_client, town, PASSWORD};
use crate::helpers::TestApp;

fn count_actions(app: &TestApp, action: &'static str) -> i64 {
    app.query(move |conn| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(conn)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_guesses_at_once_check_no_more_than_five_passwords() {
    let app = TestApp::spawn().await;
    town(&app);
    let guesses = (0..40).map(|n| {
        let app = &app;
        async move {
            let client = new_client();
            log_in(app, &client, "clerk", &format!("Guess#{n:04}x"))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(
        count_actions(&app, "staff.login_failed"),
        5,
        "only five passwords were checked before the lock"
    );
    assert_eq!(count_actions(&app, "staff.login_locked"), 35);
    assert_eq!(
        log_in(&app, &new_client(), "clerk", PASSWORD)
            .await
            .status(),
        401,
        "the account stays locked even for the right password"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_network_gets_429_before_any_hashing() {
    let app = TestApp::spawn_with(|config| config.logins_per_minute = 10).await;
    town(&app);
    let guesses = (0..40).map(|n| {
        let app = &app;
        async move {
            let client = new_client();
            let response = log_in(app, &client, &format!("nobody{n}"), "Guess#0000x").await;
            let retry_after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            (status, retry_after, body)
        }
    });
    let answers = futures::future::join_all(guesses).await;
    let throttled: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 429).collect();
    assert!(throttled.len() >= 30, "{} of 40 throttled", throttled.len());
    for (_, retry_after, body) in &throttled {
        let seconds: u64 = retry_after
            .as_deref()
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!((1..=60).contains(&seconds));
        assert!(body.contains("<html"), "an HTML page, not JSON");
    }
    let checked = count_actions(&app, "staff.login_failed");
    assert!(
        checked <= 10,
        "{checked} attempts reached the password check"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_password_is_refused_like_any_wrong_one() {
    let app = TestApp::spawn().await;
    town(&app);
    let long = "Aa1".repeat(1_000);
    let response = log_in(&app, &new_client(), "clerk", &long).await;
    assert_eq!(response.status(), 401);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("ログインIDまたはパスワードが正しくありません。"));
}
