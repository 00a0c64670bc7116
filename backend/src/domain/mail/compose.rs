//! A message from its outbox row: the booking as it is now, rendered through the templates
//! of `email-templates/` (minijinja, HTML escaped by default), with a plain-text part, an
//! HTML part and the visit as an `.ics` calendar file.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::Message;
use madoguchi_frontend::i18n::Lang;
use minijinja::{context, Environment};

use super::outbox::OutboxRow;
use crate::db::tenant::Tenant;
use crate::domain::booking::BookingDetails;
use crate::domain::calendar::date_label;
use crate::domain::Clock;
use crate::error::AppError;

/// The default templates, built into the binary.
const TEMPLATES: [(&str, &str); 14] = [
    (
        "base.txt",
        include_str!("../../../../email-templates/base.txt"),
    ),
    (
        "base.html",
        include_str!("../../../../email-templates/base.html"),
    ),
    (
        "confirmation/subject.txt",
        include_str!("../../../../email-templates/confirmation/subject.txt"),
    ),
    (
        "confirmation/body.txt",
        include_str!("../../../../email-templates/confirmation/body.txt"),
    ),
    (
        "confirmation/body.html",
        include_str!("../../../../email-templates/confirmation/body.html"),
    ),
    (
        "change/subject.txt",
        include_str!("../../../../email-templates/change/subject.txt"),
    ),
    (
        "change/body.txt",
        include_str!("../../../../email-templates/change/body.txt"),
    ),
    (
        "change/body.html",
        include_str!("../../../../email-templates/change/body.html"),
    ),
    (
        "cancellation/subject.txt",
        include_str!("../../../../email-templates/cancellation/subject.txt"),
    ),
    (
        "cancellation/body.txt",
        include_str!("../../../../email-templates/cancellation/body.txt"),
    ),
    (
        "cancellation/body.html",
        include_str!("../../../../email-templates/cancellation/body.html"),
    ),
    (
        "reminder/subject.txt",
        include_str!("../../../../email-templates/reminder/subject.txt"),
    ),
    (
        "reminder/body.txt",
        include_str!("../../../../email-templates/reminder/body.txt"),
    ),
    (
        "reminder/body.html",
        include_str!("../../../../email-templates/reminder/body.html"),
    ),
];

pub struct MailSettings {
    pub from: Mailbox,
    /// The site's address as residents reach it, for links: `https://booking.example.jp`.
    pub public_url: String,
}

fn environment() -> Result<Environment<'static>, AppError> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("template {name}: {e}")))?;
    }
    Ok(env)
}

/// Renders and assembles the message for `row` about `details`.
pub fn compose(
    row: &OutboxRow,
    tenant: &Tenant,
    details: &BookingDetails,
    clock: &Clock,
    settings: &MailSettings,
) -> Result<Message, AppError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        AppError::Internal(anyhow::anyhow!(
            "composing the {} mail, {what}: {e}",
            row.kind
        ))
    };
    let env = environment()?;
    let tz = clock.tz;
    let slot = &details.slot;
    let when = format!(
        "{} {}〜{}",
        date_label(Lang::Ja, clock.local_date(slot.starts_at)),
        slot.starts_at.with_timezone(&tz).format("%H:%M"),
        slot.ends_at.with_timezone(&tz).format("%H:%M")
    );
    let location = &details.location;
    let code = crate::domain::input::BookingCode::parse(&details.booking.code)
        .map(|c| c.display())
        .unwrap_or_else(|| details.booking.code.clone());
    let manage_url = format!(
        "{}/{}/booking?code={}",
        settings.public_url.trim_end_matches('/'),
        tenant.code,
        details.booking.code
    );
    let map_url = crate::domain::input::map_link(&location.address);
    let values = context! {
        tenant => &tenant.name,
        tenant_en => &tenant.name_en,
        code => code,
        when => when,
        location => &location.name,
        address => &location.address,
        map_url => map_url,
        procedure => &details.procedure.name_ja,
        party_size => details.booking.party_size,
        bring => &details.procedure.notes_ja,
        manage_url => manage_url,
        inquiry_phone => &tenant.inquiry_phone,
    };
    let render = |part: &str| -> Result<String, AppError> {
        let name = format!("{}/{part}", row.kind);
        env.get_template(&name)
            .and_then(|t| t.render(&values))
            .map_err(|e| fail(&name, &e))
    };
    let subject = render("subject.txt")?.trim().to_string();
    let text = render("body.txt")?;
    let html = render("body.html")?;
    let ics = crate::domain::ics::render(&crate::domain::ics::CalendarEvent {
        uid: format!("{}@{}.madoguchi", details.booking.code, tenant.code),
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        stamp: details.booking.updated_at,
        summary: &format!("{} {}", tenant.name, details.procedure.name_ja),
        location: &format!("{} {}", location.name, location.address),
        description: &format!("予約番号 {code}"),
        cancelled: details.booking.status == "cancelled",
    });
    let to: Mailbox = row.recipient.parse().map_err(|e| fail("recipient", &e))?;
    let domain = settings.from.email.domain().to_string();
    Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<outbox-{}-{}@{domain}>", row.id, row.kind)))
        .date_now()
        .multipart(
            MultiPart::mixed()
                .multipart(MultiPart::alternative_plain_html(text, html))
                .singlepart(
                    Attachment::new("booking.ics".into()).body(
                        ics,
                        ContentType::parse("text/calendar; charset=utf-8")
                            .map_err(|e| fail("content type", &e))?,
                    ),
                ),
        )
        .map_err(|e| fail("message", &e))
}
