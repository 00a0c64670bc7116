pub mod booking;
pub mod form;
pub mod layout;
