//! The tenant file's shape as read from TOML, and its parsing.

use crate::db::kinds::{ContactRule, PickupNumberKind, PickupProofKind};
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub rules: RulesFile,
    #[serde(default)]
    pub contact: ContactFile,
    #[serde(default)]
    pub texts: TextsFile,
    pub procedures: Vec<ProcedureFile>,
    pub locations: Vec<LocationFile>,
    #[serde(default)]
    pub closures: Vec<ClosureFile>,
    /// Header names this tenant's J-LIS files use instead of the standard ones.
    #[serde(default)]
    pub card_columns: std::collections::BTreeMap<String, String>,
    /// Per language beyond Japanese and English, the languages whose texts stand in for a
    /// text the city has not written in it, in turn (`vi = ["en", "ja"]`). Japanese ends
    /// every order; a language not listed keeps the default (やさしい日本語 → 日本語,
    /// others → English → 日本語).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fallbacks: BTreeMap<String, Vec<String>>,
}

/// The city's texts in one language beyond Japanese and English: field → text.
pub type Translations = BTreeMap<String, BTreeMap<String, String>>;

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct RulesFile {
    pub hold_minutes: i32,
    pub booking_opens_days: i32,
    pub cutoff: DeadlineFile,
    pub change_deadline: DeadlineFile,
    pub deadlines_skip_closed_days: bool,
    pub max_party_size: i32,
    pub pickup_number: String,
    pub pickup_proof: String,
    pub allow_transfers: bool,
    pub closed_on_national_holidays: bool,
    pub closed_over_new_year: bool,
    pub slot_horizon_days: i32,
    pub inquiry_phone: String,
    /// Staff console sessions end after this many idle minutes.
    pub staff_idle_minutes: i32,
    /// Staff passwords have at least this many characters…
    pub staff_password_min_length: i32,
    /// …and mix upper and lower case, digits and symbols.
    pub staff_password_mixed: bool,
    /// Address ranges (CIDR) the console may be used from; empty: anywhere.
    pub staff_networks: Vec<String>,
    /// The hour (local time) from which the day-before reminders go out.
    pub reminder_hour: i32,
    /// A one-time code by e-mail confirms the resident's address before booking.
    pub confirm_email: bool,
}

impl Default for RulesFile {
    fn default() -> Self {
        RulesFile {
            hold_minutes: 10,
            booking_opens_days: 60,
            cutoff: DeadlineFile::default(),
            change_deadline: DeadlineFile::default(),
            deadlines_skip_closed_days: false,
            max_party_size: 4,
            pickup_number: PickupNumberKind::ReservationNumber.as_str().into(),
            pickup_proof: PickupProofKind::BirthDate.as_str().into(),
            allow_transfers: false,
            closed_on_national_holidays: true,
            closed_over_new_year: true,
            slot_horizon_days: 120,
            inquiry_phone: String::new(),
            staff_idle_minutes: 20,
            staff_password_min_length: 8,
            staff_password_mixed: true,
            staff_networks: Vec::new(),
            reminder_hour: 9,
            confirm_email: false,
        }
    }
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlineFile {
    pub days_before: i32,
    pub at: String,
}

impl Default for DeadlineFile {
    fn default() -> Self {
        DeadlineFile {
            days_before: 1,
            at: "17:00".into(),
        }
    }
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct ContactFile {
    pub email: String,
    pub phone: String,
    pub name: String,
}

impl Default for ContactFile {
    fn default() -> Self {
        ContactFile {
            email: ContactRule::Required.as_str().into(),
            phone: ContactRule::Optional.as_str().into(),
            name: ContactRule::Off.as_str().into(),
        }
    }
}

/// Texts of the start page; empty means none.
#[derive(Deserialize, Serialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct TextsFile {
    pub notice_ja: String,
    pub notice_en: String,
    pub maintenance_ja: String,
    pub maintenance_en: String,
    /// `notice` and `maintenance` in other languages, per language code.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Translations,
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProcedureFile {
    pub code: String,
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub needs_card: bool,
    #[serde(default)]
    pub notes_ja: String,
    #[serde(default)]
    pub notes_en: String,
    /// Booked only through the call centre.
    #[serde(default)]
    pub phone_only: bool,
    /// Its own change/cancel deadline; none: the city's (`rules.change_deadline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_deadline: Option<DeadlineFile>,
    /// `name` and `notes` in other languages, per language code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Translations,
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct LocationFile {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub address: String,
    #[serde(default = "yes")]
    pub issues_cards: bool,
    /// How to get there (bus stop, floor, parking), as residents read it.
    #[serde(default)]
    pub access_ja: String,
    #[serde(default)]
    pub access_en: String,
    /// A map link of the city's choice; empty: a map search for the address.
    #[serde(default)]
    pub map_url: String,
    #[serde(default)]
    pub lanes: Vec<LaneFile>,
    /// `name`, `address` and `access` in other languages, per language code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Translations,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct LaneFile {
    pub code: String,
    #[serde(default)]
    pub name: String,
    pub procedures: Vec<String>,
    pub timetables: Vec<TimetableFile>,
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct TimetableFile {
    pub effective_from: DateText,
    pub slot_minutes: i32,
    pub capacity: i32,
    pub web_capacity: Option<i32>,
    /// mon … sun, or `weekdays` for Monday to Friday: a list of "HH:MM-HH:MM" periods.
    pub hours: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ClosureFile {
    pub date: DateText,
    pub location: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// A date written as a TOML date (2026-04-01) or a string ("2026-04-01").
#[derive(Deserialize, Serialize, Debug, Clone)]
#[serde(untagged)]
pub enum DateText {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateText {
    pub fn parse(&self) -> Option<NaiveDate> {
        let text = match self {
            DateText::Toml(datetime) => datetime.to_string(),
            DateText::Text(text) => text.clone(),
        };
        crate::domain::input::parse_date(&text)
    }
}

/// What applying a file did (or, on a dry run, would do): one line per change.
#[derive(Debug, Default)]
pub struct ApplyReport {
    pub tenant_id: i64,
    pub changes: Vec<String>,
}

pub fn parse(text: &str) -> anyhow::Result<TenantFile> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))
}
