//! The booking a resident's session may see and change: one it made, or one whose code it
//! proved with the look-up form or a signed link from the resident's mail.

use chrono::DateTime;
use diesel::PgConnection;

use super::session::Flow;
use super::step::Cx;
use crate::db::booking::Booking;
use crate::db::hold::Hold;
use crate::db::kinds::BookingStatus;
use crate::domain::booking::BookingDetails;
use crate::domain::input::BookingCode;
use crate::error::{AppError, Resource};
use crate::http::page::Outcome;

pub type CodePath = actix_web::web::Path<(String, String)>;

/// The booking named in the path, when this session booked it or proved it owns it.
pub fn owned_booking(
    conn: &mut PgConnection,
    cx: &Cx,
    code: &str,
) -> Result<BookingDetails, AppError> {
    let code = BookingCode::parse(code).ok_or(AppError::NotFound(Resource::Booking))?;
    if !cx.session.state.owns(code.as_str()) {
        return Err(AppError::NotFound(Resource::Booking));
    }
    let booking = Booking::by_code(conn, cx.tenant.id, code.as_str())?
        .ok_or(AppError::NotFound(Resource::Booking))?;
    BookingDetails::load(conn, &cx.tenant, booking)
}

/// A link from the resident's e-mail (`?exp=…&sig=…`) proves the booking is theirs until
/// it expires, the day after the visit.
pub fn accept_signed_link(
    conn: &mut PgConnection,
    cx: &mut Cx,
    code: &str,
) -> Result<(), AppError> {
    let (Some(exp), Some(sig)) = (cx.query.get("exp"), cx.query.get("sig")) else {
        return Ok(());
    };
    let Some(code) = BookingCode::parse(code) else {
        return Ok(());
    };
    let key = crate::domain::signed_links::key(conn)?;
    let valid = crate::domain::signed_links::verify(
        &key,
        &cx.tenant.code,
        code.as_str(),
        exp,
        sig,
        cx.clock.now,
    );
    if valid && !cx.session.state.owns(code.as_str()) {
        // A proof, as the look-up form's: a token seen before it carries nothing.
        cx.session.renew(conn, cx.tenant.id)?;
        cx.session.state.managing.push(code.as_str().to_string());
    }
    Ok(())
}

/// Until when the resident may change or cancel the booking online.
pub fn change_deadline(
    conn: &mut PgConnection,
    cx: &Cx,
    details: &BookingDetails,
) -> Result<DateTime<chrono::Utc>, AppError> {
    crate::domain::booking::rules::change_deadline(
        conn,
        &cx.clock,
        &cx.tenant,
        &details.procedure,
        &details.slot,
    )
}

/// The booking named in the path when it may still be changed online; otherwise the way
/// back to its page, which says why not (cancelled, checked in, past the deadline).
pub fn changeable(
    conn: &mut PgConnection,
    cx: &mut Cx,
    code: &str,
) -> Result<Result<BookingDetails, Outcome>, AppError> {
    let details = owned_booking(conn, cx, code)?;
    let refusal = if details.booking.status == BookingStatus::Cancelled {
        Some("change_refused_cancelled")
    } else if details.booking.status != BookingStatus::Booked {
        Some("change_refused_done")
    } else if cx.clock.now >= change_deadline(conn, cx, &details)? {
        Some("change_refused_deadline")
    } else {
        None
    };
    let Some(key) = refusal else {
        return Ok(Ok(details));
    };
    // A change that cannot go on gives back any place it held.
    Hold::release_client(conn, cx.tenant.id, &cx.session.token)?;
    cx.session.state.flow = Flow::default();
    cx.session.state.notice = Some(key.into());
    Ok(Err(Outcome::Redirect(cx.url(&format!(
        "/{}/booking/{}",
        cx.tenant.code, details.booking.code
    )))))
}
