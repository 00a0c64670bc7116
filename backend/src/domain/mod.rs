//! Booking rules and the transactional services that apply them.

pub mod archive;
pub mod audit_chain;
pub mod availability;
pub mod booking;
pub mod booking_search;
pub mod calendar;
pub mod card_import;
pub mod card_search;
pub mod card_status;
pub mod city_texts;
pub mod closures;
pub mod consistency;
pub mod counter;
pub mod displaced;
pub mod holidays;
pub mod ics;
pub mod idempotency;
pub mod input;
pub mod mail;
pub mod migration;
pub mod operation_log;
pub mod qr;
pub mod reports;
pub mod retention;
pub mod secret;
pub mod settings;
pub mod signed_links;
pub mod slots;
pub mod spreadsheet;
pub mod staff;
pub mod staff_accounts;
pub mod tenant_file;
pub mod tenant_lifecycle;
pub mod timetable_input;
pub mod transfers;
pub mod uptime;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// "Now" and the zone residents live in. Passed into every rule so that tests can stand
/// at any instant, such as one second before a cut-off.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub tz: Tz,
}

impl Clock {
    pub fn system(tz: Tz) -> Clock {
        Clock {
            now: Utc::now(),
            tz,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.tz).date_naive()
    }

    /// Midnight at the start of `day`, local time.
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        self.instant(day.and_time(chrono::NaiveTime::MIN))
    }

    /// The instant of a local wall-clock time; for a time skipped or repeated by a
    /// daylight-saving change (none in Japan) the earliest sensible instant.
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                t.with_timezone(&Utc)
            }
            chrono::LocalResult::None => self.tz.from_utc_datetime(&local).with_timezone(&Utc),
        }
    }
}

/// The network a client address stands for when counting what one client does: an IPv4
/// address as it is; an IPv6 address by its /64, which one household or phone has whole.
pub fn client_key(addr: &str) -> Option<String> {
    let ip: std::net::IpAddr = addr.parse().ok()?;
    Some(match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    })
}

pub use crate::db::kinds::Channel;

/// Who acts, through which channel, from which address: written to events and the audit log.
#[derive(Clone, Debug)]
pub struct Actor {
    pub label: String,
    pub channel: Channel,
    pub client_addr: Option<String>,
}

impl Actor {
    /// The network a resident's holds and failed identifications are counted under
    /// (an IPv4 address or an IPv6 /64); none for staff, who act for callers and visitors.
    pub fn network(&self) -> Option<String> {
        if self.channel.uses_web_share() {
            self.client_addr.as_deref().and_then(client_key)
        } else {
            None
        }
    }

    pub fn resident(client_addr: Option<String>) -> Actor {
        Actor {
            label: "resident".into(),
            channel: Channel::Web,
            client_addr,
        }
    }

    pub fn system(label: &str) -> Actor {
        Actor {
            label: label.into(),
            channel: Channel::Counter,
            client_addr: None,
        }
    }
}
