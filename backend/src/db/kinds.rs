//! Statuses, kinds and channels: each an enum stored in a text column whose CHECK
//! constraint lists the same words. This file is the only place the words are written;
//! everywhere else names the variant, and catalogue keys and filter options come from
//! `as_str` and `ALL`.

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// What every text-mapped enum offers, for code that reads any of them (the tenant file,
/// filters).
pub trait TextEnum: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(text: &str) -> Option<Self>;

    /// Every word, for messages that list what may be written.
    fn words() -> Vec<&'static str> {
        Self::ALL.iter().map(|value| value.as_str()).collect()
    }
}

/// Values as an SQL list (`'booked', 'checked_in'`) for statements written as text; the
/// words are this file's own constants, never input.
pub fn sql_list<T: TextEnum>(values: &[T]) -> String {
    values
        .iter()
        .map(|value| format!("'{}'", value.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order lists and filters show them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and used in addresses and files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl TextEnum for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn parse(text: &str) -> Option<$name> {
                $name::parse(text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {}: {text}", stringify!($name)))
                })
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), &mut out.reborrow())
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(value)?;
                $name::parse(&text)
                    .ok_or_else(|| format!("unknown {} in the database: {text}", stringify!($name)).into())
            }
        }
    };
}

text_enum! {
    /// Where a booking stands (`bookings.status`).
    BookingStatus {
        Booked = "booked",
        CheckedIn = "checked_in",
        Completed = "completed",
        NoShow = "no_show",
        Cancelled = "cancelled",
    }
}

impl BookingStatus {
    /// Bookings that hold their places: every status but cancelled.
    pub const HOLDING_PLACES: [BookingStatus; 4] = [
        BookingStatus::Booked,
        BookingStatus::CheckedIn,
        BookingStatus::Completed,
        BookingStatus::NoShow,
    ];
}

text_enum! {
    /// What happened to a booking (`booking_events.kind`).
    BookingEventKind {
        Created = "created",
        Moved = "moved",
        Cancelled = "cancelled",
        CheckedIn = "checked_in",
        Completed = "completed",
        NoShow = "no_show",
        Reverted = "reverted",
        Noted = "noted",
    }
}

impl BookingEventKind {
    /// The mail a booking event sends to the resident, if any: `booking::record_change`
    /// queues it with the event, keyed `<kind>:<event id>`.
    pub fn mail(self) -> Option<MailKind> {
        match self {
            BookingEventKind::Created => Some(MailKind::Confirmation),
            BookingEventKind::Moved => Some(MailKind::Change),
            BookingEventKind::Cancelled => Some(MailKind::Cancellation),
            _ => None,
        }
    }
}

text_enum! {
    /// How a booking or hold reached us (`bookings.channel`, `holds.channel`,
    /// `booking_events.channel`).
    Channel {
        Web = "web",
        Phone = "phone",
        Counter = "counter",
        Migration = "migration",
    }
}

impl Channel {
    /// Residents online may only use the web share of a slot; staff may use all of it.
    pub fn uses_web_share(self) -> bool {
        self == Channel::Web
    }
}

text_enum! {
    /// Where a card stands in its life (`card_records.status`): 受領 received → 通知済
    /// notified → 予約済 booked → 移送中 in_transfer → 移送済 transferred → 交付済 issued,
    /// or, never collected, 返却対象 to_return → 返却済 returned / 廃棄 destroyed.
    CardStatus {
        Received = "received",
        Notified = "notified",
        Booked = "booked",
        InTransfer = "in_transfer",
        Transferred = "transferred",
        Issued = "issued",
        ToReturn = "to_return",
        Returned = "returned",
        Destroyed = "destroyed",
    }
}

text_enum! {
    /// What happened to a card record (`card_events.kind`).
    CardEventKind {
        Imported = "imported",
        Changed = "changed",
        Status = "status",
    }
}

text_enum! {
    /// Which message a mail is (`mail_outbox.kind`, `mail_templates.kind`).
    MailKind {
        Confirmation = "confirmation",
        Change = "change",
        Cancellation = "cancellation",
        Reminder = "reminder",
        AddressCode = "address_code",
    }
}

text_enum! {
    /// Where a mail stands in the outbox (`mail_outbox.status`).
    MailStatus {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
        Skipped = "skipped",
    }
}

text_enum! {
    /// Whether the booking form asks for a contact field (`tenants.contact_*`).
    ContactRule {
        Required = "required",
        Optional = "optional",
        Off = "off",
    }
}

text_enum! {
    /// Which number a resident gives to book a card pickup (`tenants.pickup_number_kind`).
    PickupNumberKind {
        ReservationNumber = "reservation_number",
        ManufactureNumber = "manufacture_number",
    }
}

text_enum! {
    /// What a resident proves the number with (`tenants.pickup_proof_kind`).
    PickupProofKind {
        BirthDate = "birth_date",
        Password = "password",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_its_variant() {
        for status in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(status.as_str()), Some(*status));
        }
        for status in CardStatus::ALL {
            assert_eq!(CardStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(MailStatus::parse("unknown"), None);
    }
}
