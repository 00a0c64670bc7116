//! Every form, sent what people and attackers actually type: nothing, full-width text,
//! Japanese-era and impossible dates, 200 characters, emoji, control characters and markup.
//! Each answer is a page (never a 500, never JSON), markup is never echoed as markup, and
//! nothing is half-written.

use diesel::prelude::*;
use madoguchi::db::schema::bookings;

use super::console::{log_in, new_client, town, PASSWORD};
use crate::helpers::{csrf_of, TestApp};

const VALUES: [&str; 12] = [
    "",
    "１ＳＤ－１７５７２２",
    "令和8年2月30日",
    "2026-02-30",
    "\u{0000}",
    "a\u{0000}b",
    "line\r\nbreak",
    "\u{202E}reversed",
    "😀🙏",
    "<script>alert(1)</script>",
    "'; DROP TABLE bookings; --",
    "=HYPERLINK(\"http://evil.example\")",
];

fn long_value() -> String {
    "あ".repeat(200)
}

async fn send(
    client: &reqwest::Client,
    url: String,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    answer_of(client.post(url).form(fields)).await
}

/// Status, content type and body of a request's answer.
async fn answer_of(request: reqwest::RequestBuilder) -> (u16, String, String) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

fn assert_a_page(what: &str, value: &str, (status, content_type, body): &(u16, String, String)) {
    assert!(*status < 500, "{what} with {value:?}: {status} {body}");
    if *status != 303 {
        assert!(
            content_type.starts_with("text/html"),
            "{what} with {value:?}: {content_type}"
        );
    }
    assert!(
        !body.contains("<script>alert(1)</script>"),
        "{what} with {value:?} echoes markup"
    );
}

/// Walks a session of the demo city to the step where `path` is a form.
async fn resident_at(app: &TestApp, procedure: &str, until: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let get = |path: String| {
        let client = client.clone();
        async move { client.get(path).send().await.unwrap().text().await.unwrap() }
    };
    get(app.url(&format!("/demo/book/{procedure}/"))).await;
    let first = if procedure == "pickup" {
        "identify"
    } else {
        "location"
    };
    let csrf = csrf_of(&get(app.url(&format!("/demo/book/{procedure}/{first}"))).await);
    if until == first {
        return (client, csrf);
    }
    send(
        &client,
        app.url(&format!("/demo/book/{procedure}/location")),
        &[("csrf", &csrf), ("location", "0102")],
    )
    .await;
    if until == "time" {
        return (client, csrf);
    }
    let (day, slots) = app.next_open_day("0102", procedure).await;
    let slot = slots[0]["id"].as_i64().unwrap().to_string();
    send(
        &client,
        app.url(&format!("/demo/book/{procedure}/time?date={day}")),
        &[("csrf", &csrf), ("slot", &slot)],
    )
    .await;
    (client, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resident_forms_answer_every_kind_of_input_with_a_page() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let long = long_value();
    let values: Vec<&str> = VALUES.iter().copied().chain([long.as_str()]).collect();
    let (identify, identify_csrf) = resident_at(&app, "pickup", "identify").await;
    let (location, location_csrf) = resident_at(&app, "apply", "location").await;
    let (time, time_csrf) = resident_at(&app, "apply", "time").await;
    let (contact, contact_csrf) = resident_at(&app, "apply", "contact").await;
    let lookup = new_client();
    let lookup_csrf = csrf_of(
        &lookup
            .get(app.url("/demo/booking"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    for value in &values {
        let v = *value;
        let cases = [
            (
                "identify",
                &identify,
                "/demo/book/pickup/identify",
                vec![
                    ("csrf", identify_csrf.as_str()),
                    ("number", v),
                    ("birth_date", v),
                ],
            ),
            (
                "identify (birth date)",
                &identify,
                "/demo/book/pickup/identify",
                vec![
                    ("csrf", identify_csrf.as_str()),
                    ("number", "1SD-175722"),
                    ("birth_date", v),
                ],
            ),
            (
                "location",
                &location,
                "/demo/book/apply/location",
                vec![("csrf", location_csrf.as_str()), ("location", v)],
            ),
            (
                "time",
                &time,
                "/demo/book/apply/time?date=2026-02-30",
                vec![("csrf", time_csrf.as_str()), ("slot", v)],
            ),
            (
                "contact",
                &contact,
                "/demo/book/apply/contact",
                vec![
                    ("csrf", contact_csrf.as_str()),
                    ("email", v),
                    ("phone", v),
                    ("name", v),
                ],
            ),
            (
                "lookup",
                &lookup,
                "/demo/booking",
                vec![
                    ("csrf", lookup_csrf.as_str()),
                    ("code", v),
                    ("birth_date", v),
                    ("contact", v),
                ],
            ),
            (
                "lookup (contact)",
                &lookup,
                "/demo/booking",
                vec![
                    ("csrf", lookup_csrf.as_str()),
                    ("code", "ABC-DEF-GHJ"),
                    ("contact", v),
                ],
            ),
        ];
        for (what, client, path, fields) in cases {
            let answer = send(client, app.url(path), &fields).await;
            assert_a_page(what, v, &answer);
        }
        // Pages reached with such values in their address.
        for path in [
            format!("/demo/book/apply/time?date={}", urlencode(v)),
            format!("/demo/book/apply/date?month={}", urlencode(v)),
            format!("/demo/booking/{}", urlencode(v)),
            format!("/demo/?lang={}", urlencode(v)),
        ] {
            let answer = answer_of(contact.get(app.url(&path))).await;
            assert_a_page(&path, v, &answer);
        }
    }
    let made: i64 = app.query(|conn| bookings::table.count().get_result(conn));
    assert_eq!(made, 0, "none of it booked anything");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_forms_answer_every_kind_of_input_with_a_page() {
    let app = TestApp::spawn().await;
    town(&app);
    let long = long_value();
    let values: Vec<&str> = VALUES.iter().copied().chain([long.as_str()]).collect();
    let login_page = new_client();
    let admin = new_client();
    assert_eq!(log_in(&app, &admin, "admin", PASSWORD).await.status(), 303);
    let operator = new_client();
    log_in(&app, &operator, "operator", PASSWORD).await;
    let page = |client: &reqwest::Client, path: &str| {
        let (client, url) = (client.clone(), app.url(path));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let admin_csrf = csrf_of(&page(&admin, "/town/staff/accounts").await);
    let operator_csrf = csrf_of(&page(&operator, "/town/staff/phone").await);
    for value in &values {
        let v = *value;
        let login_csrf = csrf_of(&page(&login_page, "/town/staff/login").await);
        let cases = [
            (
                "login",
                &login_page,
                "/town/staff/login",
                vec![("csrf", login_csrf.as_str()), ("login", v), ("password", v)],
            ),
            (
                "card search",
                &operator,
                "/town/staff/phone",
                vec![
                    ("csrf", operator_csrf.as_str()),
                    ("kana", v),
                    ("birth_date", v),
                    ("shipment", v),
                    ("number", v),
                ],
            ),
            (
                "new account",
                &admin,
                "/town/staff/accounts",
                vec![
                    ("csrf", admin_csrf.as_str()),
                    ("login", v),
                    ("display_name", v),
                    ("role", v),
                    ("password", v),
                ],
            ),
            (
                "password",
                &admin,
                "/town/staff/password",
                vec![
                    ("csrf", admin_csrf.as_str()),
                    ("current_password", v),
                    ("new_password", v),
                    ("repeat_password", v),
                ],
            ),
        ];
        for (what, client, path, fields) in cases {
            let answer = send(client, app.url(path), &fields).await;
            assert_a_page(what, v, &answer);
        }
        for path in [
            format!("/town/staff/bookings?from={0}&to={0}&code={0}&kana={0}&birth_date={0}&booked_from={0}", urlencode(v)),
            format!("/town/staff/log?from={0}&to={0}&actor={0}&action={0}&target={0}", urlencode(v)),
            format!("/town/staff/bookings/{}", urlencode(v)),
            format!("/town/staff/phone/slots?procedure=apply&week={}", urlencode(v)),
            format!("/town/staff/phone/times?procedure=apply&location=0001&date={}", urlencode(v)),
            format!("/town/staff/cards?q={}", urlencode(v)),
        ] {
            let answer = answer_of(admin.get(app.url(&path))).await;
            assert_a_page(&path, v, &answer);
        }
    }
}

fn urlencode(text: &str) -> String {
    madoguchi::domain::input::url_encode(text)
}
