//! A tenant's whole configuration as one TOML file: `madoguchi tenant apply FILE`.
//! Applying is idempotent; a dry run applies inside a transaction that is rolled back,
//! so the diff it prints is exactly what a real run would do.

mod apply;
mod card_columns;
mod closures;
mod export;
mod file;
mod mail_settings;
mod plan;
mod translations;

pub use self::apply::apply;
pub use self::export::{date_text, export, to_toml, WEEKDAYS};
pub use self::file::{
    parse, ApplyReport, ClosureFile, ContactFile, DateText, DeadlineFile, LaneFile, LocationFile,
    ProcedureFile, RulesFile, TenantFile, TextsFile, TimetableFile, Translations,
};
