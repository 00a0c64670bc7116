//! What goes with a booking besides its page: the QR code for the counter's scanner, the
//! calendar file, and the map link.

use crate::db::kinds::BookingStatus;
use crate::http::page::PageRequest;
use actix_web::HttpResponse;
use madoguchi_frontend::view_models::BookingLinks;

use super::owned::{owned_booking, CodePath};
use super::step::Cx;
use super::summary::location_label;
use crate::domain::booking::BookingDetails;
use crate::domain::input::BookingCode;
use crate::http::page::Outcome;

/// The QR code, calendar file and map of a booking.
pub(super) fn booking_links(cx: &Cx, details: &BookingDetails) -> BookingLinks {
    let base = format!("/{}/booking/{}", cx.tenant.code, details.booking.code);
    BookingLinks {
        qr_src: format!("{base}/qr.svg"),
        ics_href: format!("{base}/calendar.ics"),
        map_href: details.location.map_href(),
    }
}

/// The booking code as a QR code, for the counter's scanner.
pub async fn qr_code(request: PageRequest, path: CodePath) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .resident_step(move |conn, cx| {
            let details = owned_booking(conn, cx, &code)?;
            let body = crate::domain::qr::svg(&details.booking.code)?;
            Ok(Outcome::File {
                content_type: "image/svg+xml",
                body: body.into(),
            })
        })
        .await
}

/// The booking as an .ics file.
pub async fn calendar_file(request: PageRequest, path: CodePath) -> HttpResponse {
    let (_, code) = path.into_inner();
    request
        .resident_step(move |conn, cx| {
            let details = owned_booking(conn, cx, &code)?;
            let summary = format!(
                "{}{}",
                cx.texts.procedure_name(&details.procedure),
                madoguchi_frontend::i18n::tf(
                    cx.lang,
                    "in_brackets",
                    &[("text", &cx.texts.location_name(&details.location))]
                )
            );
            let code_display = BookingCode::parse(&details.booking.code)
                .map(|c| c.display())
                .unwrap_or_default();
            let description = format!(
                "{} {code_display}\n{}",
                cx.text("manage_code"),
                cx.texts.procedure_notes(&details.procedure)
            );
            let body = crate::domain::ics::render(&crate::domain::ics::CalendarEvent {
                uid: format!("{}@{}.madoguchi", details.booking.code, cx.tenant.code),
                starts_at: details.slot.starts_at,
                ends_at: details.slot.ends_at,
                stamp: details.booking.updated_at,
                summary: &summary,
                location: &location_label(cx, &details.location),
                description: &description,
                cancelled: details.booking.status == BookingStatus::Cancelled,
            });
            Ok(Outcome::File {
                content_type: "text/calendar; charset=utf-8",
                body: body.into(),
            })
        })
        .await
}
