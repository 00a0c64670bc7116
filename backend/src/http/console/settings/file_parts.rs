//! Finding the parts of the city's file a settings page works on, and naming new ones.

use madoguchi_frontend::view_models::FieldError;

use crate::domain::tenant_file::{LaneFile, LocationFile, TenantFile};
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::page::field_error;

/// A code of a counter, lane or procedure: letters, digits, `-` and `_`, as URLs and
/// files carry it.
fn valid_code(code: &str) -> bool {
    (1..=20).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && code != "new"
}

/// The problem with the code of something new, first among `errors`: not a valid code,
/// or one that `taken` says is in use already.
pub(super) fn check_new_code(
    cx: &StaffCx,
    code: &str,
    taken: impl Fn(&str) -> bool,
    errors: &mut Vec<FieldError>,
) {
    let problem = if !valid_code(code) {
        "locations_error_code"
    } else if taken(code) {
        "locations_error_code_taken"
    } else {
        return;
    };
    errors.insert(0, field_error("code", cx.text(problem)));
}

/// The counter `code` of the city's file.
pub(super) fn location_of<'a>(
    file: &'a TenantFile,
    code: &str,
) -> Result<&'a LocationFile, AppError> {
    file.locations
        .iter()
        .find(|l| l.code == code)
        .ok_or(AppError::NotFound(Resource::Location))
}

/// The lane `code` of a counter.
pub(super) fn lane_of<'a>(
    location: &'a LocationFile,
    code: &str,
) -> Result<&'a LaneFile, AppError> {
    location
        .lanes
        .iter()
        .find(|l| l.code == code)
        .ok_or(AppError::NotFound(Resource::Page))
}

/// The counter `code` of the city's file, to change.
pub(super) fn location_mut<'a>(
    file: &'a mut TenantFile,
    code: &str,
) -> Result<&'a mut LocationFile, AppError> {
    file.locations
        .iter_mut()
        .find(|l| l.code == code)
        .ok_or(AppError::NotFound(Resource::Location))
}
