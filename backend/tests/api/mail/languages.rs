//! A booking made in a language other than Japanese and English is written to in that
//! language, from the catalogue; so is an address code asked for from a page in it.

use madoguchi::domain::mail::transport::Mailer;
use madoguchi::domain::mail::{address_codes, deliver_due};
use madoguchi_frontend::i18n::{t, tf, Lang};

use super::{sent_raw, sent_subject, sent_text, settings};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_in_vietnamese_gets_its_mail_in_vietnamese() {
    let app = TestApp::spawn().await;
    app.with_demo_tenant();
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let booked = app
        .post(
            "/api/v1/demo/bookings",
            &serde_json::json!({
                "procedure": "apply", "slot_id": slots[0]["id"], "party_size": 1,
                "contact": { "email": "nguyen@example.jp" }, "lang": "vi",
            }),
        )
        .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );

    let subject = sent_subject(folder.path());
    assert_eq!(
        subject,
        tf(
            Lang::Vi,
            "mail_confirmation_subject",
            &[("tenant", "Demo City")]
        )
    );
    let text = sent_text(folder.path());
    assert!(
        text.contains(&t(Lang::Vi, "mail_confirmation_lead")),
        "{text}"
    );
    assert!(text.contains(&t(Lang::Vi, "mail_label_code")), "{text}");
    assert!(
        !text.contains("次の内容で予約を受け付けました"),
        "no Japanese lead: {text}"
    );
    let raw = String::from_utf8_lossy(&sent_raw(folder.path())).to_string();
    assert!(
        raw.contains("lang=3D\"vi\"") || raw.contains("lang=\"vi\""),
        "the HTML part is Vietnamese"
    );
    assert!(
        raw.contains("&lang=3Dvi") || raw.contains("&lang=vi"),
        "its link opens the page in Vietnamese"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_code_asked_for_in_korean_comes_in_korean() {
    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let sent = address_codes::send(
        &mut app.conn(),
        tenant.id,
        "kim@example.jp",
        "salt-of-the-session-0123456789",
        None,
        address_codes::Asker {
            network: None,
            lang: Lang::Ko,
        },
        app.clock().now,
    )
    .unwrap();
    assert!(sent.is_some());
    let folder = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
    assert_eq!(
        deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
        1
    );
    let subject = sent_subject(folder.path());
    assert!(subject.starts_with("[Demo City]"), "{subject}");
    let text = sent_text(folder.path());
    let lead = tf(Lang::Ko, "mail_address_code_lead", &[("minutes", "15")]);
    assert!(text.contains(&lead), "{text}");
    assert!(
        text.contains(&t(Lang::Ko, "mail_label_one_time_code")),
        "{text}"
    );
    assert!(
        !text.contains("予約の画面に次の確認コードを入力してください"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_writes_its_own_vietnamese_mail_and_names_the_procedure_in_vietnamese() {
    use madoguchi::db::city_text::CityText;
    use madoguchi::domain::city_texts::CityTexts;
    use madoguchi::domain::mail::compose::{sample_values, TemplateSet};
    use madoguchi::domain::mail::templates::save;

    let app = TestApp::spawn().await;
    let tenant = app.with_demo_tenant();
    let mut conn = app.conn();
    let (procedure, location) = super::application_and_counter(&mut conn, &tenant);
    CityText::replace_all(
        &mut conn,
        tenant.id,
        &[CityText {
            tenant_id: tenant.id,
            lang: "vi".into(),
            procedure_id: Some(procedure.id),
            location_id: None,
            field: "name".into(),
            body: "Nộp đơn thẻ".into(),
        }],
    )
    .unwrap();
    let texts = CityTexts::load(&mut conn, tenant.id, Lang::Vi).unwrap();
    let sample = sample_values(
        &tenant,
        &procedure,
        &location,
        &app.clock(),
        &settings(),
        &texts,
    );
    let own = TemplateSet {
        subject: "Đã đặt lịch: {{ procedure }} {{ code }}".into(),
        text: "{% extends \"base.txt\" %}{% block content %}Thành phố chờ bạn.{% endblock %}"
            .into(),
        html:
            "{% extends \"base.html\" %}{% block content %}<p>Thành phố chờ bạn.</p>{% endblock %}"
                .into(),
    };
    save(
        &mut conn,
        &tenant,
        procedure.id,
        "confirmation",
        Lang::Vi,
        &own,
        &sample,
        "staff:admin",
        app.clock().now,
    )
    .unwrap()
    .unwrap();
    drop(conn);

    let (_, slots) = app.next_open_day("0101", "apply").await;
    for (email, lang) in [("nguyen@example.jp", "vi"), ("tanaka@example.jp", "ja")] {
        let booked = app
            .post(
                "/api/v1/demo/bookings",
                &serde_json::json!({
                    "procedure": "apply", "slot_id": slots[0]["id"], "party_size": 1,
                    "contact": { "email": email }, "lang": lang,
                }),
            )
            .await;
        assert_eq!(booked.status, 201, "{:?}", booked.body);
        let folder = tempfile::tempdir().unwrap();
        let mailer = Mailer::new(None, folder.path().to_path_buf()).unwrap();
        assert_eq!(
            deliver_due(&app.pool, &mailer, &settings(), &app.clock(), 10).unwrap(),
            1
        );
        let subject = sent_subject(folder.path());
        let text = sent_text(folder.path());
        if lang == "vi" {
            assert!(subject.starts_with("Đã đặt lịch: Nộp đơn thẻ"), "{subject}");
            assert!(text.contains("Thành phố chờ bạn."), "{text}");
            assert!(
                text.contains(&t(Lang::Vi, "mail_label_code")),
                "the layout's labels: {text}"
            );
        } else {
            // The Japanese booking keeps the Japanese–English message and name.
            assert!(
                !text.contains("Thành phố") && !text.contains("Nộp đơn"),
                "{text}"
            );
            assert!(text.contains(&procedure.name_ja), "{text}");
        }
    }
}
