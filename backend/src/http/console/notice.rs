//! What the last console action did, told on the page it redirects to: a typed notice
//! carried in the address as `notice=<word>`, read back in one place and shown from the
//! catalogue. Notices carry no personal data; a page looks up what it names.

use std::collections::HashMap;

/// Declares the notices: variant, word in the address, catalogue key, and whether it
/// reports something done (else something that went wrong meanwhile).
macro_rules! notices {
    ($($(#[$doc:meta])* $variant:ident => $word:literal, $key:literal, $success:literal;)*) => {
        /// One console notice.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Notice {
            $($(#[$doc])* $variant,)*
        }

        impl Notice {
            const ALL: &'static [Notice] = &[$(Notice::$variant),*];

            /// The word in the address.
            fn word(self) -> &'static str {
                match self {
                    $(Notice::$variant => $word,)*
                }
            }

            /// The catalogue message that tells it.
            pub fn message_key(self) -> &'static str {
                match self {
                    $(Notice::$variant => $key,)*
                }
            }

            /// Whether it reports something done (else something that went wrong meanwhile).
            pub fn is_success(self) -> bool {
                match self {
                    $(Notice::$variant => $success,)*
                }
            }
        }
    };
}

notices! {
    /// A caller's booking was made (on the booking's page).
    BookingMade => "booking_made", "staff_done_booked", true;
    BookingMoved => "booking_moved", "staff_done_moved", true;
    BookingCancelled => "booking_cancelled", "staff_done_cancelled", true;
    BookingNoted => "booking_noted", "staff_done_noted", true;
    /// The phone booking's hold ran out before it was confirmed (on the week of slots).
    HoldExpired => "hold_expired", "hold_expired", false;
    /// Cards were sent to other counters (with how many in `n=`).
    TransfersSent => "transfers_sent", "transfers_sent", true;
    /// A card arrived here from another counter (with its id in `card=`).
    TransferReceived => "transfer_received", "transfers_received", true;
    CardStatusChanged => "card_status", "cards_status_changed", true;
    CardUnlocked => "card_unlocked", "cards_unlocked", true;
    AccountCreated => "account_created", "account_done_created", true;
    AccountSaved => "account_saved", "account_done_saved", true;
    AccountUnlocked => "account_unlocked", "account_done_unlocked", true;
    AccountSessionsEnded => "account_sessions_ended", "account_done_ended", true;
    DayClosed => "day_closed", "closures_closed", true;
    DayReopened => "day_reopened", "closures_reopened", true;
    PasswordChanged => "password_changed", "password_changed", true;
    TemplatesSaved => "templates_saved", "mail_templates_saved", true;
    MailResent => "mail_resent", "mail_resent", true;
    SettingsSaved => "settings_saved", "settings_saved", true;
    MaintenanceAdded => "maintenance_added", "maintenance_added", true;
    MaintenanceRemoved => "maintenance_removed", "maintenance_removed", true;
    StaffNoticePosted => "staff_notice_posted", "staff_notices_posted_done", true;
    StaffNoticeRemoved => "staff_notice_removed", "staff_notices_removed_done", true;
}

impl Notice {
    /// The query text that carries it (`notice=…`), to append to an address.
    pub fn query(self) -> String {
        format!("notice={}", self.word())
    }

    /// The notice in a request's query, if any and known.
    pub fn read(query: &HashMap<String, String>) -> Option<Notice> {
        let word = query.get("notice")?;
        Notice::ALL.iter().copied().find(|n| n.word() == word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_reads_back_from_its_query() {
        for &notice in Notice::ALL {
            let (key, value) = notice
                .query()
                .split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .unwrap();
            let query = HashMap::from([(key, value)]);
            assert_eq!(Notice::read(&query), Some(notice));
        }
        let unknown = HashMap::from([("notice".to_string(), "anything".to_string())]);
        assert_eq!(Notice::read(&unknown), None);
    }
}
