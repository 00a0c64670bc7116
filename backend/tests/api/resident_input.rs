//! What residents type, as they type it: identification messages that name each field and
//! say what is wrong with a date, contact details compared and shown in one normal form,
//! addresses no mail server takes, and the deadline and language of what they keep.

use diesel::prelude::*;
use madoguchi::db::schema::{bookings, holds, mail_outbox};
use madoguchi::domain::mail::compose::MailSettings;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;

use crate::helpers::{csrf_of, location_of, TestApp};

/// A browser of its own: cookies kept, redirects not followed.
use super::console::new_client as browser;

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// Opens the pickup flow in a new session and returns it with its CSRF token.
async fn pickup_identify(app: &TestApp, lang: &str) -> (reqwest::Client, String) {
    let client = browser();
    get(app, &client, &format!("/demo/book/pickup/?lang={lang}")).await;
    let csrf = csrf_of(
        &get(
            app,
            &client,
            &format!("/demo/book/pickup/identify?lang={lang}"),
        )
        .await,
    );
    (client, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identification_names_each_missing_field_and_says_what_is_wrong_with_a_date() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (client, csrf) = pickup_identify(&app, "ja").await;
    let identify = |number: &'static str, birth: &'static str| {
        let (client, csrf, url) = (client.clone(), csrf.clone(), "/demo/book/pickup/identify");
        let app = &app;
        async move {
            let response = post(
                app,
                &client,
                url,
                &[("csrf", &csrf), ("number", number), ("birth_date", birth)],
            )
            .await;
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };

    let (status, empty) = identify("", "").await;
    assert_eq!(status, 422);
    assert!(empty.contains("予約番号を入力してください。"), "{empty}");
    assert!(empty.contains("生年月日を入力してください。"), "{empty}");
    assert!(empty.contains("href=\"#number\"") && empty.contains("href=\"#birth_date\""));
    assert!(!empty.contains("この番号では予約できません"));

    let (_, impossible) = identify("1SD-175722", "2000-02-30").await;
    assert!(
        impossible.contains("「2000-02-30」という日はありません。生年月日をご確認ください。"),
        "{impossible}"
    );
    assert!(
        impossible.contains("value=\"2000-02-30\""),
        "what was typed is kept"
    );
    let (_, before_era) = identify("1SD-175722", "平成元年1月7日").await;
    assert!(
        before_era.contains("「平成元年1月7日」という日はありません。平成は1989年1月8日（日）から2019年4月30日（火）までです。"),
        "{before_era}"
    );
    let (_, unreadable) = identify("1SD-175722", "きのう").await;
    assert!(unreadable.contains("生年月日を日付として読み取れませんでした"));
    let (_, future) = identify("1SD-175722", "2999-01-01").await;
    assert!(future.contains("生年月日が今日より後の日付になっています"));
    let failures: i64 = app.query(|conn| {
        use madoguchi::db::schema::identification_failures;
        identification_failures::table.count().get_result(conn)
    });
    assert_eq!(failures, 0, "a date that is not one is not a failed proof");

    // The sample holder of 1SD-175722 was born on 1961/05/07: typed without separators,
    // or with spaces, it reads.
    for typed in [
        "19610507",
        "1961 5 7",
        "１９６１年５月７日",
        "昭和36年5月7日",
    ] {
        let (client, csrf) = pickup_identify(&app, "ja").await;
        let response = post(
            &app,
            &client,
            "/demo/book/pickup/identify",
            &[
                ("csrf", &csrf),
                ("number", "1sd175722"),
                ("birth_date", typed),
            ],
        )
        .await;
        assert_eq!(response.status(), 303, "{typed}");
        assert_eq!(location_of(&response), "/demo/book/pickup/date?lang=ja");
    }

    let (client, csrf) = pickup_identify(&app, "en").await;
    let english = post(
        &app,
        &client,
        "/demo/book/pickup/identify?lang=en",
        &[
            ("csrf", &csrf),
            ("number", ""),
            ("birth_date", "2000-02-30"),
        ],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(english.contains("There is no such day as"), "{english}");
    assert!(english.contains("Enter the number from your notice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lookup_form_says_one_of_the_two_proofs_is_needed() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let client = browser();
    let form = get(&app, &client, "/demo/booking").await;
    assert_eq!(
        form.matches("<span class=\"marker\">どちらか一つ</span>")
            .count(),
        2,
        "each proof is marked as one of two: {form}"
    );
    assert!(!form.contains(">任意<"), "neither proof is marked optional");
    let csrf = csrf_of(&form);
    let missing = post(
        &app,
        &client,
        "/demo/booking",
        &[("csrf", &csrf), ("code", "ABC-DEF-GHJ")],
    )
    .await;
    assert_eq!(missing.status(), 422);
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("href=\"#proof\""));
    assert!(missing.contains("生年月日、またはメールアドレスか電話番号を入力してください。"));
    let empty = post(&app, &client, "/demo/booking", &[("csrf", &csrf)])
        .await
        .text()
        .await
        .unwrap();
    assert!(empty.contains("予約番号を入力してください。"));
}

/// Walks `client` through `apply` at 0102 to the contact step, holding the `nth` time of
/// the first open day; returns the session's CSRF token.
async fn apply_to_contact(
    app: &TestApp,
    client: &reqwest::Client,
    lang: &str,
    nth: usize,
) -> String {
    let (day, slots) = app.next_open_day("0102", "apply").await;
    get(app, client, &format!("/demo/book/apply/?lang={lang}")).await;
    let csrf = csrf_of(
        &get(
            app,
            client,
            &format!("/demo/book/apply/location?lang={lang}"),
        )
        .await,
    );
    let location = format!("/demo/book/apply/location?lang={lang}");
    post(
        app,
        client,
        &location,
        &[("csrf", &csrf), ("location", "0102")],
    )
    .await;
    let slot = slots[nth]["id"].as_i64().unwrap().to_string();
    let time = format!("/demo/book/apply/time?date={day}&lang={lang}");
    let held = post(app, client, &time, &[("csrf", &csrf), ("slot", &slot)]).await;
    assert_eq!(held.status(), 303);
    csrf
}

/// The code of the booking a submitted check step leads to.
fn booked_code(booked: &reqwest::Response) -> String {
    let done = location_of(booked);
    assert!(done.starts_with("/demo/book/done/"), "{done}");
    done["/demo/book/done/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// Books `apply` through the pages with these contact details; returns the booking code.
async fn book_apply(app: &TestApp, client: &reqwest::Client, email: &str, lang: &str) -> String {
    let csrf = apply_to_contact(app, client, lang, 0).await;
    let contact = format!("/demo/book/apply/contact?lang={lang}");
    let given = post(app, client, &contact, &[("csrf", &csrf), ("email", email)]).await;
    assert_eq!(given.status(), 303, "{}", given.text().await.unwrap());
    let check = format!("/demo/book/apply/check?lang={lang}");
    booked_code(&post(app, client, &check, &[("csrf", &csrf)]).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_are_shown_and_compared_in_one_normal_form() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let client = browser();
    let csrf = apply_to_contact(&app, &client, "ja", 0).await;
    let contact_form = get(&app, &client, "/demo/book/apply/contact").await;
    assert!(contact_form.contains("type=\"email\"") && contact_form.contains("type=\"tel\""));
    post(
        &app,
        &client,
        "/demo/book/apply/contact",
        &[
            ("csrf", &csrf),
            ("email", "Taro.Yamada@Example.JP"),
            ("phone", "０９０－１２３４－５６７８"),
        ],
    )
    .await;
    let check = get(&app, &client, "/demo/book/apply/check").await;
    assert!(
        check.contains("Taro.Yamada@example.jp / 090-1234-5678"),
        "shown as it will be used: {check}"
    );
    let code =
        booked_code(&post(&app, &client, "/demo/book/apply/check", &[("csrf", &csrf)]).await);
    let stored: Option<String> = app.query(|conn| {
        bookings::table
            .filter(bookings::code.eq(&code))
            .select(bookings::contact_phone)
            .first(conn)
    });
    assert_eq!(stored.as_deref(), Some("09012345678"));

    // The look-up finds it by the address in any case and by the number in any form.
    for typed in [
        "taro.yamada@example.jp",
        "TARO.YAMADA@EXAMPLE.JP",
        "09012345678",
        "+81 90-1234-5678",
        "０９０ １２３４ ５６７８",
    ] {
        let other = browser();
        let csrf = csrf_of(&get(&app, &other, "/demo/booking").await);
        let found = post(
            &app,
            &other,
            "/demo/booking",
            &[("csrf", &csrf), ("code", &code), ("contact", typed)],
        )
        .await;
        assert_eq!(found.status(), 303, "{typed}");
        assert_eq!(location_of(&found), format!("/demo/booking/{code}?lang=ja"));
    }

    // The one-booking-per-person rule uses the same form: a second application under the
    // same address in other letters is refused at the contact step, its hold given back.
    let second = browser();
    let csrf = apply_to_contact(&app, &second, "ja", 1).await;
    let holds_before: i64 = app.query(|conn| holds::table.count().get_result(conn));
    assert_eq!(holds_before, 1);
    let refused = post(
        &app,
        &second,
        "/demo/book/apply/contact",
        &[("csrf", &csrf), ("email", "taro.yamada@EXAMPLE.jp")],
    )
    .await;
    assert_eq!(refused.status(), 409);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("この手続きはすでに予約されています"),
        "{page}"
    );
    assert!(page.contains("0120-000-000"), "the city's phone number");
    assert!(
        page.contains("href=\"/demo/booking?lang=ja\""),
        "the way to the look-up"
    );
    let holds_after: i64 = app.query(|conn| holds::table.count().get_result(conn));
    assert_eq!(holds_after, 0, "the place is given back at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_no_mail_server_takes_are_refused_at_the_field() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let client = browser();
    let csrf = apply_to_contact(&app, &client, "ja", 0).await;
    for address in [
        "taro\u{202E}gpj.elpmaxe@example.jp",
        "ta\u{200B}ro@example.jp",
        "taro😀@example.jp",
        "<script>alert(1)</script>@example.jp",
        "taro..yamada@example.jp",
        "taro@example.jp\r\nBcc: victim@example.jp",
    ] {
        let refused = post(
            &app,
            &client,
            "/demo/book/apply/contact",
            &[("csrf", &csrf), ("email", address)],
        )
        .await;
        assert_eq!(refused.status(), 422, "{address:?}");
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("メールアドレスを taro@example.jp の形で入力してください。"),
            "{address:?}"
        );
        assert!(page.contains("href=\"#email\""));
        assert!(
            !page.contains("<script>alert"),
            "markup is never echoed as markup"
        );
    }
    let made: i64 = app.query(|conn| bookings::table.count().get_result(conn));
    assert_eq!(made, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_can_never_be_sent_fails_at_once_with_the_reason_for_staff() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let code = super::mail::book_with_email(&app, "fine@example.jp").await;
    // An address stored before such addresses were refused (or by a previous system).
    app.query(|conn| {
        diesel::update(mail_outbox::table)
            .set(mail_outbox::recipient.eq("fi\u{202E}ne@example.jp"))
            .execute(conn)
    });
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    let sent = deliver_due(
        &app.pool,
        &mailer,
        &super::mail::settings(),
        &app.clock(),
        10,
    )
    .unwrap();
    assert_eq!(sent, 0);
    let (status, attempts, reason): (String, i32, Option<String>) = app.query(|conn| {
        mail_outbox::table
            .select((
                mail_outbox::status,
                mail_outbox::attempts,
                mail_outbox::last_error,
            ))
            .first(conn)
    });
    assert_eq!(
        (status.as_str(), attempts),
        ("failed", 1),
        "failed at once, not retried"
    );
    assert_eq!(reason.as_deref(), Some("undeliverable_address"));
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);

    // Staff read why on the mail page, in Japanese.
    let tenant = madoguchi::db::tenant::Tenant::by_code(&mut app.conn(), "demo")
        .unwrap()
        .unwrap();
    madoguchi::domain::staff_accounts::create_account(
        &mut app.conn(),
        &app.clock(),
        &tenant,
        "admin",
        madoguchi::domain::staff::Role::Admin,
        super::console::PASSWORD,
    )
    .unwrap();
    let staff = browser();
    let login = get(&app, &staff, "/demo/staff/login").await;
    let csrf = csrf_of(&login);
    post(
        &app,
        &staff,
        "/demo/staff/login",
        &[
            ("csrf", &csrf),
            ("login", "admin"),
            ("password", super::console::PASSWORD),
        ],
    )
    .await;
    let mail_page = get(&app, &staff, "/demo/staff/mail").await;
    assert!(
        mail_page.contains("宛先のメールアドレスが正しくないため、送信できません"),
        "{mail_page}"
    );
    assert!(mail_page.contains(&code[..3]), "the booking is named");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_confirmation_and_its_mail_state_the_deadline_and_the_link_keeps_the_language() {
    // Monday 30 November 2026, 10:00 in Tokyo; the demo city's changes close at 17:00 the
    // day before the visit.
    let app = TestApp::spawn_at(2026, 11, 30, 10, 0).await;
    app.with_demo_tenant();
    let client = browser();
    let code = book_apply(&app, &client, "english@example.jp", "en").await;
    let (day, _) = app.next_open_day("0102", "apply").await;
    let day_before = day - chrono::Duration::days(1);
    let done = get(&app, &client, &format!("/demo/book/done/{code}?lang=en")).await;
    let english_deadline = format!("17:00 on {}", day_before.format("%a %-d %B"));
    assert!(
        done.contains(&format!(
            "You can change or cancel the booking online until {english_deadline}"
        )),
        "{done}"
    );
    let japanese = get(&app, &client, &format!("/demo/book/done/{code}?lang=ja")).await;
    let weekday = ["月", "火", "水", "木", "金", "土", "日"]
        [chrono::Datelike::weekday(&day_before).num_days_from_monday() as usize];
    let japanese_deadline = format!(
        "{}月{}日（{weekday}）17時",
        chrono::Datelike::month(&day_before),
        chrono::Datelike::day(&day_before)
    );
    assert!(
        japanese.contains(&format!("予約の変更・取消は{japanese_deadline}まで")),
        "{japanese}"
    );
    let lang: String = app.query(|conn| {
        bookings::table
            .filter(bookings::code.eq(&code))
            .select(bookings::lang)
            .first(conn)
    });
    assert_eq!(lang, "en");

    let settings = MailSettings {
        link_key: madoguchi::domain::signed_links::key(&mut app.conn()).unwrap(),
        public_url: app.address.clone(),
        ..super::mail::settings()
    };
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings, &app.clock(), 10).unwrap(),
        1
    );
    let text = super::mail::sent_text(folder.path());
    assert!(
        text.contains(&format!("変更・取消は{japanese_deadline}までできます。")),
        "{text}"
    );
    assert!(text.contains(&format!(
        "You can change or cancel online until {english_deadline}."
    )));
    let link = text
        .lines()
        .find_map(|line| {
            line.split(": ")
                .nth(1)
                .filter(|url| url.contains("/booking/"))
        })
        .expect("the link to the booking")
        .trim()
        .to_string();
    assert!(link.ends_with("&lang=en"), "{link}");
    // Opened in a browser that never saw the booking, the page is in English.
    let page = browser().get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(page.contains("Your booking"));
}
