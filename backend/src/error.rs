//! The one error type of requests and domain services: a stable snake_case `code`, an HTTP
//! status, and a message in Japanese and English. Rendered as RFC 9457 problem+json.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use madoguchi_frontend::i18n::{t, tf, Lang};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0} not found")]
    NotFound(Resource),
    /// A request value that is malformed or breaks a rule of its own; `field` names it.
    #[error("invalid {field}: {message}")]
    Invalid {
        field: String,
        /// The catalogue key of the message, and the values of its placeholders.
        message: &'static str,
        args: Vec<(&'static str, String)>,
    },
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// A write to the API whose body is not JSON.
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    /// A write to the API sent by a page of another site.
    #[error("cross-site request refused")]
    CrossSite,
    #[error("the slot is full")]
    SlotFull,
    #[error("the slot is closed")]
    SlotClosed,
    #[error("outside the booking window")]
    OutsideBookingWindow,
    #[error("the change and cancel deadline has passed")]
    ChangeDeadlinePassed,
    #[error("the card is kept at another location")]
    WrongLocation,
    #[error("an active booking already exists")]
    AlreadyBooked,
    /// The card's status does not allow this (already handed over, returned…).
    #[error("the card is not available for this")]
    CardNotAvailable,
    #[error("the hold has expired")]
    HoldExpired,
    #[error("the procedure is not offered there")]
    ProcedureNotOffered,
    #[error("the party is larger than allowed")]
    PartyTooLarge { max: i32 },
    #[error("identification failed")]
    IdentificationFailed { field: String },
    #[error("card locked until {until:?}")]
    /// Too many failed identifications: until a time for this network, or (`None`) until
    /// staff unlock the number.
    CardLocked { until: Option<DateTime<Utc>> },
    #[error("too many requests")]
    TooManyRequests,
    /// Too many requests from one client: wait `seconds` before the next.
    #[error("too many requests; retry after {seconds} s")]
    Throttled { seconds: u64 },
    /// At the counter: the scanned booking cannot be checked in here and now.
    #[error("check-in refused: {0:?}")]
    CheckInRefused(CheckInProblem),
    #[error("forbidden")]
    Forbidden,
    /// The console is limited to the office's address ranges and this client is outside.
    #[error("client address not allowed")]
    AddressNotAllowed,
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    #[error(transparent)]
    Database(DieselError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInProblem {
    OtherDay,
    OtherLocation,
    Cancelled,
    AlreadyCheckedIn,
}

impl CheckInProblem {
    fn code(self) -> &'static str {
        match self {
            CheckInProblem::OtherDay => "booking_other_day",
            CheckInProblem::OtherLocation => "booking_other_location",
            CheckInProblem::Cancelled => "booking_cancelled",
            CheckInProblem::AlreadyCheckedIn => "already_checked_in",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Tenant,
    Location,
    Procedure,
    Slot,
    Hold,
    Booking,
    Card,
    Page,
}

impl Resource {
    fn code(self) -> &'static str {
        match self {
            Resource::Tenant => "tenant_not_found",
            Resource::Location => "location_not_found",
            Resource::Procedure => "procedure_not_found",
            Resource::Slot => "slot_not_found",
            Resource::Hold => "hold_not_found",
            Resource::Booking => "booking_not_found",
            Resource::Card => "card_not_found",
            Resource::Page => "not_found",
        }
    }

    /// The catalogue key of its name: `resource_<key>`.
    fn key(self) -> &'static str {
        match self {
            Resource::Tenant => "tenant",
            Resource::Location => "location",
            Resource::Procedure => "procedure",
            Resource::Slot => "slot",
            Resource::Hold => "hold",
            Resource::Booking => "booking",
            Resource::Card => "card",
            Resource::Page => "page",
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl AppError {
    /// Input refused at `field`, saying why with the catalogue message `message`.
    pub fn invalid(field: &str, message: &'static str) -> AppError {
        AppError::invalid_with(field, message, &[])
    }

    /// The same with the values of the message's placeholders.
    pub fn invalid_with(
        field: &str,
        message: &'static str,
        args: &[(&'static str, &str)],
    ) -> AppError {
        AppError::Invalid {
            field: field.to_string(),
            message,
            args: args.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    /// The database cannot be reached (down, restarting, connections cut): 503, retry later.
    pub fn is_service_unavailable(&self) -> bool {
        match self {
            AppError::DatabaseUnavailable(_) => true,
            AppError::Database(e) => is_unavailable(e),
            _ => false,
        }
    }

    pub fn code(&self) -> &'static str {
        if self.is_service_unavailable() {
            return "service_unavailable";
        }
        match self {
            AppError::NotFound(resource) => resource.code(),
            AppError::Invalid { .. } => "invalid_input",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::CrossSite => "cross_site_request",
            AppError::SlotFull => "slot_full",
            AppError::SlotClosed => "slot_closed",
            AppError::OutsideBookingWindow => "outside_booking_window",
            AppError::ChangeDeadlinePassed => "change_deadline_passed",
            AppError::WrongLocation => "wrong_location",
            AppError::AlreadyBooked => "already_booked",
            AppError::CardNotAvailable => "card_not_available",
            AppError::HoldExpired => "hold_expired",
            AppError::ProcedureNotOffered => "procedure_not_offered",
            AppError::PartyTooLarge { .. } => "party_too_large",
            AppError::IdentificationFailed { .. } => "identification_failed",
            AppError::CardLocked { .. } => "card_locked",
            AppError::TooManyRequests | AppError::Throttled { .. } => "too_many_requests",
            AppError::CheckInRefused(problem) => problem.code(),
            AppError::Forbidden => "forbidden",
            AppError::AddressNotAllowed => "address_not_allowed",
            AppError::DatabaseUnavailable(_) | AppError::Database(_) | AppError::Internal(_) => {
                "internal_error"
            }
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::IdentificationFailed { field } => {
                Some(field)
            }
            _ => None,
        }
    }

    /// The message for people, in Japanese and in English.
    pub fn messages(&self) -> (String, String) {
        (self.message_in(Lang::Ja), self.message_in(Lang::En))
    }

    /// The message for people in one language, from the message catalogue.
    pub fn message_in(&self, lang: Lang) -> String {
        match self {
            AppError::Invalid { message, args, .. } => {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                tf(lang, message, &args)
            }
            AppError::NotFound(resource) => tf(
                lang,
                "error_not_found",
                &[("what", &t(lang, &format!("resource_{}", resource.key())))],
            ),
            AppError::PartyTooLarge { max } => {
                tf(lang, "error_party_too_large", &[("max", &max.to_string())])
            }
            AppError::Throttled { seconds } => tf(
                lang,
                "error_throttled",
                &[("minutes", &seconds.div_ceil(60).max(1).to_string())],
            ),
            AppError::CardLocked { until: Some(until) } => {
                let time = until
                    .with_timezone(&chrono_tz::Asia::Tokyo)
                    .format("%H:%M")
                    .to_string();
                tf(lang, "error_card_locked", &[("time", &time)])
            }
            AppError::CardLocked { until: None } => t(lang, "error_card_locked_for_staff"),
            _ => t(lang, &format!("error_{}", self.code())),
        }
    }

    /// Server-side failures are logged with their whole source chain; the reader sees only
    /// a plain message.
    pub fn log_if_server_error(&self) {
        if self.status_code().is_server_error() {
            log_with_sources(self);
        }
    }

    /// Seconds a client should wait before trying again (429, 503).
    pub fn retry_after(&self) -> u64 {
        match self {
            AppError::Throttled { seconds } => (*seconds).max(1),
            AppError::CardLocked { until: Some(until) } => {
                (*until - chrono::Utc::now()).num_seconds().max(1) as u64
            }
            _ => 5,
        }
    }

    /// Whether a transaction that failed with this error may simply be run again.
    pub fn is_retryable(&self) -> bool {
        match self {
            AppError::Database(DieselError::DatabaseError(kind, info)) => {
                matches!(kind, DatabaseErrorKind::SerializationFailure)
                    || info.message().contains("deadlock detected")
                    // a freshly drawn booking code collided with an existing one
                    || info.constraint_name() == Some("bookings_tenant_id_code_key")
            }
            _ => false,
        }
    }
}

fn is_unavailable(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | DieselError::BrokenTransactionManager
    ) || matches!(e, DieselError::DatabaseError(_, info)
        if info.message().contains("terminating connection")
            || info.message().contains("server closed the connection")
            || info.message().contains("no connection to the server"))
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::Internal(anyhow::anyhow!("row not found")),
            other => AppError::Database(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::DatabaseUnavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        if self.is_service_unavailable() {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid { .. }
            | AppError::ProcedureNotOffered
            | AppError::PartyTooLarge { .. }
            | AppError::IdentificationFailed { .. }
            | AppError::WrongLocation => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::SlotFull
            | AppError::SlotClosed
            | AppError::OutsideBookingWindow
            | AppError::ChangeDeadlinePassed
            | AppError::AlreadyBooked
            | AppError::CardNotAvailable
            | AppError::HoldExpired => StatusCode::CONFLICT,
            AppError::CheckInRefused(_) => StatusCode::CONFLICT,
            AppError::Forbidden | AppError::AddressNotAllowed => StatusCode::FORBIDDEN,
            AppError::CardLocked { .. }
            | AppError::TooManyRequests
            | AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::DatabaseUnavailable(_) | AppError::Database(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        self.log_if_server_error();
        let (ja, en) = self.messages();
        let mut body = json!({
            "type": format!("/problems/{}", self.code()),
            "title": en,
            "status": status.as_u16(),
            "code": self.code(),
            "detail": ja,
            "message_ja": ja,
            "message_en": en,
        });
        if let Some(field) = self.field() {
            body["field"] = json!(field);
        }
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            response.insert_header(("Retry-After", self.retry_after().to_string()));
        }
        response.body(body.to_string())
    }
}

fn log_with_sources(error: &AppError) {
    let mut chain = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        chain.push_str(": ");
        chain.push_str(&inner.to_string());
        source = inner.source();
    }
    if let AppError::Internal(e) = error {
        chain = format!("{e:#}");
    }
    tracing::error!(code = error.code(), "{chain}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_its_message_in_both_languages() {
        let problems = [
            AppError::NotFound(Resource::Slot),
            AppError::PayloadTooLarge,
            AppError::UnsupportedMediaType,
            AppError::CrossSite,
            AppError::SlotFull,
            AppError::SlotClosed,
            AppError::OutsideBookingWindow,
            AppError::ChangeDeadlinePassed,
            AppError::WrongLocation,
            AppError::AlreadyBooked,
            AppError::HoldExpired,
            AppError::ProcedureNotOffered,
            AppError::PartyTooLarge { max: 4 },
            AppError::IdentificationFailed {
                field: "birth_date".into(),
            },
            AppError::CardLocked {
                until: Some(chrono::Utc::now()),
            },
            AppError::CardLocked { until: None },
            AppError::TooManyRequests,
            AppError::Throttled { seconds: 90 },
            AppError::CheckInRefused(CheckInProblem::OtherDay),
            AppError::CheckInRefused(CheckInProblem::OtherLocation),
            AppError::CheckInRefused(CheckInProblem::Cancelled),
            AppError::CheckInRefused(CheckInProblem::AlreadyCheckedIn),
            AppError::Forbidden,
            AppError::AddressNotAllowed,
            AppError::CardNotAvailable,
            AppError::DatabaseUnavailable("down".into()),
            AppError::Internal(anyhow::anyhow!("boom")),
        ];
        for problem in problems {
            for lang in [Lang::Ja, Lang::En] {
                let message = problem.message_in(lang);
                assert!(
                    !message.starts_with("error_"),
                    "{} has no {lang:?} message",
                    problem.code()
                );
                assert!(!message.contains('{'), "{message}");
            }
        }
        assert_eq!(
            AppError::NotFound(Resource::Slot).message_in(Lang::Ja),
            "予約枠が見つかりません。"
        );
        assert_eq!(
            AppError::PartyTooLarge { max: 4 }.message_in(Lang::En),
            "A booking can cover at most 4 people."
        );
    }
}
