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
use crate::domain::city_texts::CityTexts;
use crate::domain::Clock;
use crate::error::AppError;

/// The default templates, built into the binary: the Japanese–English ones, and the one
/// set every other language fills with its catalogue's texts (`translated/`).
const TEMPLATES: [(&str, &str); 24] = [
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
    (
        "translated/base.txt",
        include_str!("../../../../email-templates/translated/base.txt"),
    ),
    (
        "translated/base.html",
        include_str!("../../../../email-templates/translated/base.html"),
    ),
    (
        "translated/subject.txt",
        include_str!("../../../../email-templates/translated/subject.txt"),
    ),
    (
        "translated/body.txt",
        include_str!("../../../../email-templates/translated/body.txt"),
    ),
    (
        "translated/body.html",
        include_str!("../../../../email-templates/translated/body.html"),
    ),
    (
        "translated/address_code.txt",
        include_str!("../../../../email-templates/translated/address_code.txt"),
    ),
    (
        "translated/address_code.html",
        include_str!("../../../../email-templates/translated/address_code.html"),
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
    render_on(set, values, "")
}

/// The language whose city template and built-in texts a booking in `lang` receives:
/// Japanese and English bookings share the Japanese–English message (`ja`).
pub fn template_lang(lang: Lang) -> Lang {
    if bilingual(lang) {
        Lang::Ja
    } else {
        lang
    }
}

/// The built-in texts of `kind` for a booking in `lang`.
pub fn default_set_in(kind: &str, lang: Lang) -> TemplateSet {
    if bilingual(lang) {
        default_set(kind)
    } else {
        translated_set(kind)
    }
}

/// Renders `set` for a booking in `lang`: on the Japanese–English layouts, or on those of
/// the other languages with the catalogue's texts of `kind` in `lang`.
pub fn render_for(
    lang: Lang,
    kind: &str,
    tenant: &Tenant,
    set: &TemplateSet,
    values: &minijinja::Value,
) -> Result<Rendered, TemplateProblem> {
    if bilingual(lang) {
        return render(set, values);
    }
    let value_of = |name: &str| {
        values
            .get_attr(name)
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_none())
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    let values = context! {
        text => catalogue_texts(lang, kind, tenant, &value_of("code"), &value_of("deadline")),
        html_lang => lang.html_lang(),
        show_qr => kind != "cancellation",
        ..values.clone()
    };
    render_on(set, &values, "translated/")
}

/// Renders `set` on the layouts under `layouts` (`""` or `"translated/"`).
fn render_on(
    set: &TemplateSet,
    values: &minijinja::Value,
    layouts: &str,
) -> Result<Rendered, TemplateProblem> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let base_txt = default_source(&format!("{layouts}base.txt"));
    let base_html = default_source(&format!("{layouts}base.html"));
    let parts = [
        ("base.txt", base_txt, "base.txt"),
        ("base.html", base_html, "base.html"),
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
    /// The city's texts in the language the message states the facts in.
    texts: &'a CityTexts,
}

/// Whether a message in `lang` is the Japanese–English one (the city may write its own) or
/// the one in the reader's language from the catalogue.
fn bilingual(lang: Lang) -> bool {
    matches!(lang, Lang::Ja | Lang::En)
}

fn facts_values(facts: &Facts, clock: &Clock, settings: &MailSettings) -> minijinja::Value {
    let lang = Lang::from_code(facts.lang).unwrap_or(Lang::Ja);
    // The Japanese–English message states the facts in Japanese; another language's in its own.
    let shown_in = template_lang(lang);
    let when = visit_label(shown_in, clock, facts.starts_at, facts.ends_at);
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
        lang.code()
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
        location => facts.texts.location_name(facts.location),
        address => facts.texts.location_address(facts.location),
        map_url => facts.location.map_href(),
        procedure => facts.texts.procedure_name(facts.procedure),
        party_size => facts.party_size,
        bring => facts.texts.procedure_notes(facts.procedure),
        manage_url => manage_url,
        qr_src => format!("cid:{QR_CONTENT_ID}"),
        inquiry_phone => &facts.tenant.inquiry_phone,
        deadline => deadline(shown_in),
        deadline_en => deadline(Lang::En),
    }
}

/// The texts of the message `kind` in `lang`, from the catalogue, for the `translated/`
/// templates.
fn catalogue_texts(
    lang: Lang,
    kind: &str,
    tenant: &Tenant,
    code: &str,
    deadline: &str,
) -> minijinja::Value {
    use madoguchi_frontend::i18n::{t, tf};
    let name = lang.pick(&tenant.name, &tenant.name_en);
    let minutes = super::address_codes::VALID_MINUTES.to_string();
    let filled = |key: &str| {
        tf(
            lang,
            key,
            &[
                ("tenant", name),
                ("code", code),
                ("deadline", deadline),
                ("phone", &tenant.inquiry_phone),
                ("minutes", &minutes),
            ],
        )
    };
    let mut texts = std::collections::BTreeMap::new();
    texts.insert("site", filled("mail_site"));
    texts.insert("subject", filled(&format!("mail_{kind}_subject")));
    texts.insert("lead", filled(&format!("mail_{kind}_lead")));
    for (name, key) in [
        ("label_code", "mail_label_code"),
        ("label_one_time_code", "mail_label_one_time_code"),
        ("label_when", "mail_label_when"),
        ("label_counter", "mail_label_counter"),
        ("label_map", "mail_label_map"),
        ("label_procedure", "mail_label_procedure"),
        ("label_people", "mail_label_people"),
        ("label_bring", "mail_label_bring"),
        ("show_qr", "mail_show_qr"),
        ("manage", "mail_manage"),
        ("message_from_counter", "mail_message_from_counter"),
        ("ignore", "mail_address_code_ignore"),
    ] {
        texts.insert(name, t(lang, key));
    }
    texts.insert("qr_alt", filled("mail_qr_alt"));
    texts.insert("deadline", filled("mail_deadline"));
    texts.insert("no_reply", filled("mail_no_reply"));
    minijinja::Value::from_serialize(&texts)
}

/// The built-in `translated/` set of `kind`.
fn translated_set(kind: &str) -> TemplateSet {
    let (text, html) = if kind == "address_code" {
        (
            "translated/address_code.txt",
            "translated/address_code.html",
        )
    } else {
        ("translated/body.txt", "translated/body.html")
    };
    TemplateSet {
        subject: default_source("translated/subject.txt").to_string(),
        text: default_source(text).to_string(),
        html: default_source(html).to_string(),
    }
}

/// The variables of a message about `details`, which can be changed online until
/// `change_until`, with the city's `texts` in the language it states the facts in.
pub fn values(
    tenant: &Tenant,
    details: &BookingDetails,
    change_until: Option<chrono::DateTime<chrono::Utc>>,
    clock: &Clock,
    settings: &MailSettings,
    texts: &CityTexts,
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
        texts,
    };
    facts_values(&facts, clock, settings)
}

/// Variables of a made-up booking tomorrow at 10:00 in `texts`' language, for previews and
/// for checking a template before it is saved.
pub fn sample_values(
    tenant: &Tenant,
    procedure: &Procedure,
    location: &Location,
    clock: &Clock,
    settings: &MailSettings,
    texts: &CityTexts,
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
        lang: texts.lang().code(),
        texts,
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
    let lang = row
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::Ja);
    let rendered = if bilingual(lang) {
        render(&default_set("address_code"), &values)
    } else {
        let values = context! {
            text => catalogue_texts(lang, "address_code", tenant, code, ""),
            html_lang => lang.html_lang(),
            ..values
        };
        render_on(&translated_set("address_code"), &values, "translated/")
    }
    .map_err(|p| fail(p.part, &p.reason))?;
    let rendered = marked_for_training(tenant, rendered);
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

/// Renders and assembles the message for `row` about `details`: with the city's own
/// template for the booking's language (`own`) or the built-in one, and the city's `texts`
/// in the language the message states the facts in.
#[allow(clippy::too_many_arguments)]
pub fn compose(
    row: &OutboxRow,
    tenant: &Tenant,
    details: &BookingDetails,
    change_until: Option<chrono::DateTime<chrono::Utc>>,
    clock: &Clock,
    settings: &MailSettings,
    own: Option<TemplateSet>,
    texts: &CityTexts,
) -> Result<Message, AppError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        AppError::Internal(anyhow::anyhow!(
            "composing the {} mail, {what}: {e}",
            row.kind
        ))
    };
    let values = values(tenant, details, change_until, clock, settings, texts);
    let values = context! { message => row.note.as_deref().unwrap_or_default(), ..values };
    let lang = Lang::from_code(&details.booking.lang).unwrap_or(Lang::Ja);
    let set = own.unwrap_or_else(|| default_set_in(&row.kind, lang));
    let rendered =
        render_for(lang, &row.kind, tenant, &set, &values).map_err(|p| fail(p.part, &p.reason))?;
    let rendered = marked_for_training(tenant, rendered);
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
