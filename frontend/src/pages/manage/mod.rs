//! "Manage my booking": look it up, see it, change the time or cancel.

pub mod confirm;
pub mod lookup;
pub mod view;
