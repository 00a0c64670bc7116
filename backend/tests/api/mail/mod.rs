//! E-mail through the outbox: each booking change queues one message; workers deliver each
//! exactly once, to files or a real SMTP server; reminders, templates and signed links.

mod address_code;
mod languages;
mod outbox;
mod reminders;
mod sent_messages;
mod smtp;
mod templates;

use madoguchi::domain::mail::compose::MailSettings;

use crate::helpers::TestApp;

pub fn settings() -> MailSettings {
    MailSettings {
        from: "デモ市 <noreply@demo.example>".parse().unwrap(),
        public_url: "https://booking.example".into(),
        link_key: b"0123456789abcdef0123456789abcdef".to_vec(),
    }
}

/// The demo city's application procedure and its first counter, which template previews
/// are made on.
pub fn application_and_counter(
    conn: &mut diesel::PgConnection,
    tenant: &madoguchi::db::tenant::Tenant,
) -> (
    madoguchi::db::procedure::Procedure,
    madoguchi::db::location::Location,
) {
    let procedure = madoguchi::db::procedure::Procedure::active_by_code(conn, tenant.id, "apply")
        .unwrap()
        .unwrap();
    let location = madoguchi::db::location::Location::for_tenant(conn, tenant.id)
        .unwrap()
        .remove(0);
    (procedure, location)
}

/// A booking of the demo city with an address, made through the API; its confirmation is
/// queued. Returns the booking's code.
pub async fn book_with_email(app: &TestApp, email: &str) -> String {
    let (_, slots) = app.next_open_day("0101", "apply").await;
    let booked = app
        .post(
            "/api/v1/demo/bookings",
            &serde_json::json!({
                "procedure": "apply",
                "slot_id": slots[0]["id"],
                "party_size": 1,
                "contact": { "email": email }
            }),
        )
        .await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
    booked.body["code"].as_str().unwrap().to_string()
}

/// The raw bytes of the one message the mailer wrote to `folder`.
pub fn sent_raw(folder: &std::path::Path) -> Vec<u8> {
    let file = std::fs::read_dir(folder)
        .unwrap()
        .next()
        .expect("a message written")
        .unwrap()
        .path();
    std::fs::read(file).unwrap()
}

/// The decoded subject of the one message the mailer wrote to `folder`.
pub fn sent_subject(folder: &std::path::Path) -> String {
    let raw = sent_raw(folder);
    let mail = mailparse::parse_mail(&raw).unwrap();
    mailparse::MailHeaderMap::get_first_value(mail.headers.as_slice(), "Subject").unwrap()
}

/// The plain-text part of the one message the mailer wrote to `folder`.
pub fn sent_text(folder: &std::path::Path) -> String {
    let raw = sent_raw(folder);
    let mail = mailparse::parse_mail(&raw).unwrap();
    mail.parts()
        .find(|p| p.ctype.mimetype == "text/plain")
        .expect("a text part")
        .get_body()
        .unwrap()
}
