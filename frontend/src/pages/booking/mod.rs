//! The resident's booking steps, one question per page.

pub mod address_code;
pub mod calendar;
pub mod check;
pub mod contact;
pub mod done;
pub mod identify;
pub mod location;
pub mod times;
