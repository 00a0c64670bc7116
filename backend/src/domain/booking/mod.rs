//! The booking service: holds, bookings, moves and cancellations, each one transaction
//! that locks the slot rows it changes (`SELECT … FOR UPDATE`).

mod change;
mod create;
pub mod guessing;
mod hold;
mod identify;
mod request;
pub(crate) mod rules;

pub use change::{cancel, cancel_saying, move_booking, set_note};
pub use create::{book, book_procedure, identify_members};
pub use hold::{ensure_address_share, place_hold};
pub use identify::{find_owned, identify_card, CardIdentification, CardProof, OwnerProof};
pub(crate) use request::record_change;
pub use request::{
    BookingDetails, BookingRequest, Contact, HoldRequest, Party, Placement, NOTE_MAX_CHARS,
};
