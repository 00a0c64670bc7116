//! A tenant's own texts, checked before they are saved, and the signed link.

use madoguchi::domain::city_texts::CityTexts;
use madoguchi::domain::mail::deliver_due;
use madoguchi::domain::mail::transport::Mailer;
use madoguchi_frontend::i18n::Lang;

use super::{book_with_email, sent_text, settings};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_that_does_not_render_cannot_be_saved_and_a_saved_one_is_used() {
    use madoguchi::domain::mail::compose::{default_set, sample_values, TemplateSet};
    use madoguchi::domain::mail::templates::{save, stored};

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let mut conn = app.conn();
    let (procedure, location) = super::application_and_counter(&mut conn, &tenant);
    let japanese = CityTexts::columns_only(Lang::Ja);
    let sample = sample_values(
        &tenant,
        &procedure,
        &location,
        &app.clock(),
        &settings(),
        &japanese,
    );
    let mut broken = default_set("confirmation");
    broken.text = "ご予約ありがとうございます。\n{{ cod }}\n".into();
    let problem = save(
        &mut conn,
        &tenant,
        procedure.id,
        "confirmation",
        Lang::Ja,
        &broken,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(
        (problem.part, problem.line),
        ("text", Some(2)),
        "{problem:?}"
    );
    let mut unclosed = default_set("confirmation");
    unclosed.html = "<p>{% if code %}</p>".into();
    let problem = save(
        &mut conn,
        &tenant,
        procedure.id,
        "confirmation",
        Lang::Ja,
        &unclosed,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(problem.part, "html");
    assert!(
        stored(&mut conn, tenant.id, procedure.id, "confirmation", Lang::Ja)
            .unwrap()
            .is_none(),
        "nothing was saved"
    );

    let own = TemplateSet {
        subject: "【{{ tenant }}】申請のご予約 {{ code }}".into(),
        text: "{% extends \"base.txt\" %}{% block content %}申請の窓口でお待ちしています。{% endblock %}".into(),
        html: "{% extends \"base.html\" %}{% block content %}<p>申請の窓口でお待ちしています。</p>{% endblock %}".into(),
    };
    save(
        &mut conn,
        &tenant,
        procedure.id,
        "confirmation",
        Lang::Ja,
        &own,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap();
    drop(conn);
    book_with_email(&app, "own@example.jp").await;
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );
    let text = sent_text(folder.path());
    assert!(text.contains("申請の窓口でお待ちしています。"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signed_link_of_the_mail_opens_the_booking_until_it_expires() {
    use madoguchi::domain::signed_links::{key, sign};

    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let code = book_with_email(&app, "link@example.jp").await;
    let key = key(&mut app.conn()).unwrap();
    assert_eq!(
        key,
        madoguchi::domain::signed_links::key(&mut app.conn()).unwrap(),
        "one key"
    );
    let now = app.clock().now;
    let open = |query: String| {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let url = app.url(&format!("/demo/booking/{code}?{query}"));
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        open(sign(&key, "demo", &code, now + chrono::Duration::days(3))).await,
        200
    );
    assert_eq!(
        open(String::new()).await,
        404,
        "without the link, the proof is needed"
    );
    let tampered =
        sign(&key, "demo", &code, now + chrono::Duration::days(3)).replace("sig=", "sig=0");
    assert_eq!(open(tampered).await, 404);
    assert_eq!(
        open(sign(
            &key,
            "demo",
            &code,
            now - chrono::Duration::minutes(1)
        ))
        .await,
        404,
        "expired"
    );
}
