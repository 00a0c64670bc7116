//! A message from its outbox row: the booking as it is now, rendered through the templates
//! of `email-templates/` (minijinja, HTML escaped by default), with a plain-text part, an
//! HTML part and the visit as an `.ics` calendar file.

use crate::db::kinds::BookingStatus;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use madoguchi_frontend::i18n::Lang;
use minijinja::{context, Environment};

use super::outbox::OutboxRow;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::tenant::Tenant;
use crate::domain::booking::BookingDetails;
use crate::domain::calendar::visit_label;
use crate::domain::Clock;
use crate::error::AppError;

/// The default templates, built into the binary.
const TEMPLATES: [(&str, &str); 17] = [
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
    (
        "address_code/subject.txt",
        include_str!("../../../../email-templates/address_code/subject.txt"),
    ),
    (
        "address_code/body.txt",
        include_str!("../../../../email-templates/address_code/body.txt"),
    ),
    (
        "address_code/body.html",
        include_str!("../../../../email-templates/address_code/body.html"),
    ),
];

pub struct MailSettings {
    pub from: Mailbox,
    /// The site's address as residents reach it, for links: `https://booking.example.jp`.
    pub public_url: String,
    /// The key that signs the link to the booking (`signed_links::key`).
    pub link_key: Vec<u8>,
}

/// The three parts of one kind of message, as template sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSet {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The parts as rendered.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where a template failed: the part, the line if known, and why.
#[derive(Debug)]
pub struct TemplateProblem {
    pub part: &'static str,
    pub line: Option<usize>,
    pub reason: String,
}

/// The variables a template may use.
pub const VARIABLES: [&str; 15] = [
    "tenant",
    "tenant_en",
    "code",
    "when",
    "location",
    "address",
    "map_url",
    "procedure",
    "party_size",
    "bring",
    "manage_url",
    "qr_src",
    "inquiry_phone",
    "deadline",
    "deadline_en",
];

/// The Content-ID of the QR code's image inside a message.
const QR_CONTENT_ID: &str = "booking-qr";

fn default_source(name: &str) -> &'static str {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| *source)
        .unwrap_or("")
}

/// The built-in texts of `kind`.
pub fn default_set(kind: &str) -> TemplateSet {
    TemplateSet {
        subject: default_source(&format!("{kind}/subject.txt")).to_string(),
        text: default_source(&format!("{kind}/body.txt")).to_string(),
        html: default_source(&format!("{kind}/body.html")).to_string(),
    }
}

/// Renders `set` with `values`. Unknown variables are errors, so a typo cannot reach a
/// resident as an empty gap.
pub fn render(set: &TemplateSet, values: &minijinja::Value) -> Result<Rendered, TemplateProblem> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let parts = [
        ("base.txt", default_source("base.txt"), "base.txt"),
        ("base.html", default_source("base.html"), "base.html"),
        ("subject.txt", set.subject.as_str(), "subject"),
        ("body.txt", set.text.as_str(), "text"),
        ("body.html", set.html.as_str(), "html"),
    ];
    for (name, source, part) in parts {
        env.add_template_owned(name.to_string(), source.to_string())
            .map_err(|e| problem(part, &e))?;
    }
    let run = |name: &str, part: &'static str, values: &minijinja::Value| {
        env.get_template(name)
            .and_then(|t| t.render(values))
            .map_err(|e| problem(part, &e))
    };
    let subject = run("subject.txt", "subject", values)?.trim().to_string();
    // The bodies may show the subject (the HTML layout's title does).
    let with_subject = context! { subject => &subject, ..values.clone() };
    Ok(Rendered {
        text: run("body.txt", "text", &with_subject)?,
        html: run("body.html", "html", &with_subject)?,
        subject,
    })
}

fn problem(part: &'static str, error: &minijinja::Error) -> TemplateProblem {
    TemplateProblem {
        part,
        line: error.line(),
        reason: error
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| error.kind().to_string()),
    }
}

/// What a message says about a booking, real or a sample.
struct Facts<'a> {
    tenant: &'a Tenant,
    code: &'a str,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
    location: &'a Location,
    procedure: &'a Procedure,
    party_size: i32,
    /// Until when it can be changed or cancelled online; none once that no longer applies.
    change_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The language the booking was made in: its link opens the page in it.
    lang: &'a str,
}

fn facts_values(facts: &Facts, clock: &Clock, settings: &MailSettings) -> minijinja::Value {
    let when = visit_label(Lang::Ja, clock, facts.starts_at, facts.ends_at);
    let shown = crate::domain::input::BookingCode::parse(facts.code)
        .map(|c| c.display())
        .unwrap_or_else(|| facts.code.to_string());
    // The link opens the booking without its proof until the day after the visit.
    let manage_url = format!(
        "{}/{}/booking/{}?{}&lang={}",
        settings.public_url.trim_end_matches('/'),
        facts.tenant.code,
        facts.code,
        crate::domain::signed_links::sign(
            &settings.link_key,
            &facts.tenant.code,
            facts.code,
            facts.ends_at + chrono::Duration::days(1)
        ),
        Lang::from_code(facts.lang).unwrap_or(Lang::Ja).code()
    );
    let deadline = |lang| {
        facts
            .change_until
            .map(|until| crate::domain::calendar::deadline_label(lang, clock, until))
            .unwrap_or_default()
    };
    context! {
        tenant => &facts.tenant.name,
        tenant_en => &facts.tenant.name_en,
        code => shown,
        when => when,
        location => &facts.location.name,
        address => &facts.location.address,
        map_url => facts.location.map_href(),
        procedure => &facts.procedure.name_ja,
        party_size => facts.party_size,
        bring => &facts.procedure.notes_ja,
        manage_url => manage_url,
        qr_src => format!("cid:{QR_CONTENT_ID}"),
        inquiry_phone => &facts.tenant.inquiry_phone,
        deadline => deadline(Lang::Ja),
        deadline_en => deadline(Lang::En),
    }
}

/// The variables of a message about `details`, which can be changed online until
/// `change_until`.
pub fn values(
    tenant: &Tenant,
    details: &BookingDetails,
    change_until: Option<chrono::DateTime<chrono::Utc>>,
    clock: &Clock,
    settings: &MailSettings,
) -> minijinja::Value {
    let facts = Facts {
        tenant,
        code: &details.booking.code,
        starts_at: details.slot.starts_at,
        ends_at: details.slot.ends_at,
        location: &details.location,
        procedure: &details.procedure,
        party_size: details.booking.party_size,
        change_until,
        lang: &details.booking.lang,
    };
    facts_values(&facts, clock, settings)
}

/// Variables of a made-up booking tomorrow at 10:00, for previews and for checking a
/// template before it is saved.
pub fn sample_values(
    tenant: &Tenant,
    procedure: &Procedure,
    location: &Location,
    clock: &Clock,
    settings: &MailSettings,
) -> minijinja::Value {
    let starts_at =
        clock.start_of(clock.today() + chrono::Duration::days(1)) + chrono::Duration::hours(10);
    let facts = Facts {
        tenant,
        code: "ABCDEFGHJ",
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(15),
        location,
        procedure,
        party_size: 1,
        // A made-up deadline the day before at 17:00, as most cities set it.
        change_until: Some(starts_at - chrono::Duration::hours(17)),
        lang: "ja",
    };
    facts_values(&facts, clock, settings)
}

/// The message carrying a one-time code to confirm an address (no booking exists yet).
pub fn compose_address_code(
    row: &OutboxRow,
    tenant: &Tenant,
    settings: &MailSettings,
) -> Result<Message, AppError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        AppError::Internal(anyhow::anyhow!("composing the address code, {what}: {e}"))
    };
    let code = row
        .one_time_code
        .as_deref()
        .ok_or_else(|| fail("code", &"already sent"))?;
    let values = context! {
        tenant => &tenant.name,
        tenant_en => &tenant.name_en,
        one_time_code => code,
        minutes => super::address_codes::VALID_MINUTES,
        inquiry_phone => &tenant.inquiry_phone,
    };
    let rendered = marked_for_training(
        tenant,
        render(&default_set("address_code"), &values).map_err(|p| fail(p.part, &p.reason))?,
    );
    message_builder(row, settings)
        .map_err(|e| fail("recipient", &e))?
        .subject(rendered.subject)
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))
        .map_err(|e| fail("message", &e))
}

/// A training city's mail says so in its subject and at the top of both bodies, whatever
/// its templates say, so practice mail is never taken for a real booking.
fn marked_for_training(tenant: &Tenant, rendered: Rendered) -> Rendered {
    if !tenant.training {
        return rendered;
    }
    const MARK: &str = "【研修用】";
    const NOTE_JA: &str = "このメールは研修用で、実際の予約ではありません。";
    const NOTE_EN: &str = "TRAINING: this message is practice, not a real booking.";
    let note_html = format!("<p><strong>{MARK}{NOTE_JA}<br>{NOTE_EN}</strong></p>");
    let html = match rendered
        .html
        .find("<body")
        .and_then(|at| rendered.html[at..].find('>').map(|end| at + end + 1))
    {
        Some(after_body) => format!(
            "{}{note_html}{}",
            &rendered.html[..after_body],
            &rendered.html[after_body..]
        ),
        None => format!("{note_html}{}", rendered.html),
    };
    Rendered {
        subject: format!("{MARK}{}", rendered.subject),
        text: format!("{MARK}{NOTE_JA}\n{NOTE_EN}\n\n{}", rendered.text),
        html,
    }
}

/// The headers every message has: from, to, Message-ID and date.
fn message_builder(
    row: &OutboxRow,
    settings: &MailSettings,
) -> Result<lettre::message::MessageBuilder, lettre::address::AddressError> {
    let to: Mailbox = row.recipient.parse()?;
    let domain = settings.from.email.domain().to_string();
    Ok(Message::builder()
        .from(settings.from.clone())
        .to(to)
        .message_id(Some(format!("<outbox-{}-{}@{domain}>", row.id, row.kind)))
        .date_now())
}

/// Renders and assembles the message for `row` about `details`.
pub fn compose(
    row: &OutboxRow,
    tenant: &Tenant,
    details: &BookingDetails,
    change_until: Option<chrono::DateTime<chrono::Utc>>,
    clock: &Clock,
    settings: &MailSettings,
    set: &TemplateSet,
) -> Result<Message, AppError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        AppError::Internal(anyhow::anyhow!(
            "composing the {} mail, {what}: {e}",
            row.kind
        ))
    };
    let values = values(tenant, details, change_until, clock, settings);
    let values = context! { message => row.note.as_deref().unwrap_or_default(), ..values };
    let rendered = marked_for_training(
        tenant,
        render(set, &values).map_err(|p| fail(p.part, &p.reason))?,
    );
    let (subject, text, html) = (rendered.subject, rendered.text, rendered.html);
    let slot = &details.slot;
    let location = &details.location;
    let code = crate::domain::input::BookingCode::parse(&details.booking.code)
        .map(|c| c.display())
        .unwrap_or_else(|| details.booking.code.clone());
    let ics = crate::domain::ics::render(&crate::domain::ics::CalendarEvent {
        uid: format!("{}@{}.madoguchi", details.booking.code, tenant.code),
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        stamp: details.booking.updated_at,
        summary: &format!("{} {}", tenant.name, details.procedure.name_ja),
        location: &format!("{} {}", location.name, location.address),
        description: &format!("予約番号 {code}"),
        cancelled: details.booking.status == BookingStatus::Cancelled,
    });
    let content_type = |text: &str| ContentType::parse(text).map_err(|e| fail("content type", &e));
    // The HTML part carries the QR code's image when the template shows it (a cancellation
    // does not).
    let html_part = if html.contains(&format!("cid:{QR_CONTENT_ID}")) {
        MultiPart::related()
            .singlepart(SinglePart::html(html))
            .singlepart(Attachment::new_inline(QR_CONTENT_ID.into()).body(
                crate::domain::qr::png(&details.booking.code)?,
                content_type("image/png")?,
            ))
    } else {
        MultiPart::related().singlepart(SinglePart::html(html))
    };
    message_builder(row, settings)
        .map_err(|e| fail("recipient", &e))?
        .subject(subject)
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(text))
                        .multipart(html_part),
                )
                .singlepart(
                    Attachment::new("booking.ics".into())
                        .body(ics, content_type("text/calendar; charset=utf-8")?),
                ),
        )
        .map_err(|e| fail("message", &e))
}
