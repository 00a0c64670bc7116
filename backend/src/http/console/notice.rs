//! What the last console action did, told on the page it redirects to: a typed notice
//! carried in the address as `notice=<word>`, read back in one place and shown from the
//! catalogue. Notices carry no personal data; a page looks up what it names.

use std::collections::HashMap;

/// One console notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A caller's booking was made (on the booking's page).
    BookingMade,
    BookingMoved,
    BookingCancelled,
    BookingNoted,
    /// The phone booking's hold ran out before it was confirmed (on the week of slots).
    HoldExpired,
    /// Cards were sent to other counters (with how many in `n=`).
    TransfersSent,
    /// A card arrived here from another counter (with its id in `card=`).
    TransferReceived,
}

impl Notice {
    const ALL: [Notice; 7] = [
        Notice::BookingMade,
        Notice::BookingMoved,
        Notice::BookingCancelled,
        Notice::BookingNoted,
        Notice::HoldExpired,
        Notice::TransfersSent,
        Notice::TransferReceived,
    ];

    /// The word in the address.
    fn word(self) -> &'static str {
        match self {
            Notice::BookingMade => "booking_made",
            Notice::BookingMoved => "booking_moved",
            Notice::BookingCancelled => "booking_cancelled",
            Notice::BookingNoted => "booking_noted",
            Notice::HoldExpired => "hold_expired",
            Notice::TransfersSent => "transfers_sent",
            Notice::TransferReceived => "transfer_received",
        }
    }

    /// The catalogue message that tells it.
    pub fn message_key(self) -> &'static str {
        match self {
            Notice::BookingMade => "staff_done_booked",
            Notice::BookingMoved => "staff_done_moved",
            Notice::BookingCancelled => "staff_done_cancelled",
            Notice::BookingNoted => "staff_done_noted",
            Notice::HoldExpired => "hold_expired",
            Notice::TransfersSent => "transfers_sent",
            Notice::TransferReceived => "transfers_received",
        }
    }

    /// Whether it reports something done (else something that went wrong meanwhile).
    pub fn is_success(self) -> bool {
        self != Notice::HoldExpired
    }

    /// The query text that carries it (`notice=…`), to append to an address.
    pub fn query(self) -> String {
        format!("notice={}", self.word())
    }

    /// The notice in a request's query, if any and known.
    pub fn read(query: &HashMap<String, String>) -> Option<Notice> {
        let word = query.get("notice")?;
        Notice::ALL.into_iter().find(|n| n.word() == word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_reads_back_from_its_query() {
        for notice in Notice::ALL {
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
