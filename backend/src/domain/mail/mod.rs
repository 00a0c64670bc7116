//! E-mail to residents: a confirmation, change or cancellation for every booking change that
//! has an address, and a reminder the day before. Messages go through the outbox, so a mail
//! server that is down delays them and loses none; each message exists once.

pub mod address_codes;
pub mod compose;
pub mod outbox;
pub mod reminders;
pub mod settings;
pub mod templates;
pub mod transport;

use crate::db::kinds::BookingStatus;
use diesel::PgConnection;

use self::compose::{compose, MailSettings};
use self::outbox::OutboxRow;
use self::transport::Mailer;
use super::booking::BookingDetails;
use super::Clock;
use crate::db::booking::Booking;
use crate::db::tenant::Tenant;
use crate::db::PgPool;
use crate::error::AppError;

/// Sends up to `limit` due messages; returns how many went out. Safe to run in any number
/// of workers at once.
pub fn deliver_due(
    pool: &PgPool,
    mailer: &Mailer,
    settings: &MailSettings,
    clock: &Clock,
    limit: i64,
) -> Result<usize, AppError> {
    let mut conn = pool.get()?;
    let rows = outbox::claim(&mut conn, clock.now, limit)?;
    let mut sent = 0;
    for row in rows {
        if row.kind == "reminder" && !still_booked(&mut conn, &row)? {
            outbox::mark_skipped(&mut conn, row.id)?;
            continue;
        }
        // An address no mail server takes (stored before the contact step refused such
        // addresses, or by a previous system) would be retried for nothing.
        if crate::domain::input::Email::parse(&row.recipient).is_none() {
            outbox::mark_undeliverable(&mut conn, &row, outbox::UNDELIVERABLE_ADDRESS)?;
            continue;
        }
        match prepare(&mut conn, &row, settings, clock) {
            Ok(message) => match mailer.send(&message, &transport::file_stem(row.id, &row.kind)) {
                Ok(()) => {
                    let id = message
                        .headers()
                        .get_raw("Message-ID")
                        .unwrap_or_default()
                        .to_string();
                    outbox::mark_sent(&mut conn, row.id, &id, clock.now)?;
                    sent += 1;
                }
                Err(error) => {
                    outbox::mark_failed(&mut conn, &row, &error, clock.now)?;
                }
            },
            Err(error) => {
                outbox::mark_failed(&mut conn, &row, &format!("{error:#}"), clock.now)?;
            }
        }
    }
    Ok(sent)
}

fn prepare(
    conn: &mut PgConnection,
    row: &OutboxRow,
    settings: &MailSettings,
    clock: &Clock,
) -> Result<lettre::Message, AppError> {
    let tenant = Tenant::by_id(conn, row.tenant_id)?;
    if row.kind == "address_code" {
        return compose::compose_address_code(row, &tenant, settings);
    }
    let booking_id = row
        .booking_id
        .ok_or(AppError::NotFound(crate::error::Resource::Booking))?;
    let booking = Booking::by_id(conn, row.tenant_id, booking_id)?;
    let details = BookingDetails::load(conn, &tenant, booking)?;
    let lang = compose::template_lang(
        madoguchi_frontend::i18n::Lang::from_code(&details.booking.lang).unwrap_or_default(),
    );
    let own = templates::stored(conn, tenant.id, details.procedure.id, &row.kind, lang)?;
    let texts = crate::domain::city_texts::CityTexts::load(conn, tenant.id, lang)?;
    // A cancelled booking has nothing left to change.
    let change_until = (details.booking.status == BookingStatus::Booked)
        .then(|| {
            crate::domain::booking::rules::change_deadline(
                conn,
                clock,
                &tenant,
                &details.procedure,
                &details.slot,
            )
        })
        .transpose()?;
    compose(
        row,
        &tenant,
        &details,
        change_until,
        clock,
        settings,
        own,
        &texts,
    )
}

/// Whether the booking of a reminder is still ahead (not cancelled since it was queued).
fn still_booked(conn: &mut PgConnection, row: &OutboxRow) -> Result<bool, AppError> {
    let Some(id) = row.booking_id else {
        return Ok(false);
    };
    Ok(Booking::by_id(conn, row.tenant_id, id)?.status == BookingStatus::Booked)
}
