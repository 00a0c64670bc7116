//! How a booking reads on the pages: its date and time, counter, contact and hold, and
//! the rows of its summary.

use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::view_models::SummaryRow;

use super::session::Flow;
use super::step::Cx;
use crate::db::hold::Hold;
use crate::db::location::Location;
use crate::db::slot::Slot;
use crate::domain::booking::BookingDetails;
use crate::domain::input::{Email, PhoneNumber};
use crate::error::AppError;

/// "Held for you until 10:42", while the hold lasts.
pub(super) fn held_until(conn: &mut PgConnection, cx: &Cx) -> Result<Option<String>, AppError> {
    let hold = Hold::of_client(conn, cx.tenant.id, &cx.session.token)?
        .filter(|h| h.expires_at > cx.clock.now);
    Ok(hold.map(|h| {
        let time = h
            .expires_at
            .with_timezone(&cx.clock.tz)
            .format("%H:%M")
            .to_string();
        tf(cx.lang, "held_until", &[("time", &time)])
    }))
}

pub(super) fn when_label(cx: &Cx, slot: &Slot) -> String {
    crate::domain::calendar::visit_label(cx.lang, &cx.clock, slot.starts_at, slot.ends_at)
}

pub(super) fn location_label(cx: &Cx, location: &Location) -> String {
    format!(
        "{}{}",
        cx.texts.location_name(location),
        madoguchi_frontend::i18n::tf(
            cx.lang,
            "in_brackets",
            &[("text", &cx.texts.location_address(location))]
        )
    )
}

/// The contact details as they will be used: the address as the mailer takes it, the
/// phone number grouped for reading aloud (090-1234-5678).
pub(super) fn contact_label(flow: &Flow) -> String {
    let email = Email::parse(&flow.email).map(|e| e.as_str().to_string());
    let phone = PhoneNumber::parse(&flow.phone).map(|p| p.display().to_string());
    [email, phone, Some(flow.name.trim().to_string())]
        .into_iter()
        .flatten()
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A booking as label and value rows: procedure, counter, date and time, contact.
pub(super) fn booking_summary(cx: &Cx, details: &BookingDetails) -> Vec<SummaryRow> {
    let contact = Flow {
        email: details.booking.contact_email.clone().unwrap_or_default(),
        phone: details.booking.contact_phone.clone().unwrap_or_default(),
        name: details.booking.contact_name.clone().unwrap_or_default(),
        ..Flow::default()
    };
    let row = |label: &str, value: String| SummaryRow {
        label: cx.text(label),
        value,
        change_href: None,
    };
    vec![
        row(
            "check_procedure",
            cx.texts.procedure_name(&details.procedure),
        ),
        row("check_location", location_label(cx, &details.location)),
        row("check_when", when_label(cx, &details.slot)),
        row("check_contact", contact_label(&contact)),
    ]
}
