//! A city's whole data as one zip of CSV files (`madoguchi tenant export`, the console's
//! download), and the same zip loaded back under another code (`madoguchi tenant import`).
//!
//! Row ids are numbered 1, 2, 3… per table in the order of the original ids, and every
//! reference uses those numbers, so the files say nothing of the deployment they came from:
//! importing and exporting again gives the same bytes (docs/data-lifecycle.md).

mod catalogue;
pub mod csv_text;
mod export;
mod import;

pub use catalogue::{
    catalogue, columns, descriptions, Column, Descriptions, FORMAT, LEFT_OUT, TABLES,
};
pub use export::{export, undescribed, Exported};
pub use import::{import, ImportError, Imported};
