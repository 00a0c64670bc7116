//! Excel workbooks with typed cells: dates as dates, counts as numbers, a bold header row
//! that stays in view and carries the filter buttons. Text cells go through the spreadsheet
//! guard, so a value saved again as CSV is never read as a formula.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::domain::spreadsheet;
use crate::error::AppError;

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum XlsxCell {
    Text(String),
    Date(NaiveDate),
    /// A day and time, to the minute.
    DateTime(NaiveDateTime),
    /// A month, stored as its first day and shown as `2026-04`.
    Month(NaiveDate),
    /// A whole number in its own number format (`2026` shown `2026年度` with
    /// `0"年度"`).
    Labelled(i64, String),
    Count(i64),
    /// A share, 0.0–1.0, shown as a percentage.
    Share(f64),
    /// A number with one decimal.
    Decimal(f64),
    Empty,
}

/// One sheet of a workbook: its name, the header row and the rows.
pub struct SheetData<'a> {
    pub name: &'a str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<XlsxCell>>,
}

/// The workbook holding `sheets`, as the bytes of an .xlsx file.
pub fn workbook(sheets: &[SheetData]) -> Result<Vec<u8>, AppError> {
    let fail = |e: XlsxError| AppError::Internal(anyhow::anyhow!("writing the workbook: {e}"));
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let date_time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let month = Format::new().set_num_format("yyyy-mm");
    let share = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    for data in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(data.name).map_err(fail)?;
        for (column, title) in data.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, column as u16, title, &bold)
                .map_err(fail)?;
        }
        for (index, row) in data.rows.iter().enumerate() {
            let r = index as u32 + 1;
            for (column, value) in row.iter().enumerate() {
                let c = column as u16;
                match value {
                    XlsxCell::Text(text) => sheet
                        .write_string(r, c, spreadsheet::cell(text))
                        .map(|_| ()),
                    XlsxCell::Date(day) => sheet
                        .write_datetime_with_format(r, c, excel_date(*day).map_err(fail)?, &date)
                        .map(|_| ()),
                    XlsxCell::Month(day) => sheet
                        .write_datetime_with_format(r, c, excel_date(*day).map_err(fail)?, &month)
                        .map(|_| ()),
                    XlsxCell::DateTime(at) => {
                        let value = excel_date(at.date())
                            .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, 0))
                            .map_err(fail)?;
                        sheet
                            .write_datetime_with_format(r, c, value, &date_time)
                            .map(|_| ())
                    }
                    XlsxCell::Labelled(number, number_format) => {
                        let format = Format::new().set_num_format(number_format);
                        sheet
                            .write_number_with_format(r, c, *number as f64, &format)
                            .map(|_| ())
                    }
                    XlsxCell::Count(count) => sheet.write_number(r, c, *count as f64).map(|_| ()),
                    XlsxCell::Share(value) => sheet
                        .write_number_with_format(r, c, *value, &share)
                        .map(|_| ()),
                    XlsxCell::Decimal(value) => sheet
                        .write_number_with_format(r, c, *value, &decimal)
                        .map(|_| ()),
                    XlsxCell::Empty => Ok(()),
                }
                .map_err(fail)?;
            }
        }
        let last_column = data.headers.len().saturating_sub(1) as u16;
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        sheet
            .autofilter(0, 0, data.rows.len() as u32, last_column)
            .map_err(fail)?;
        sheet.autofit();
    }
    workbook.save_to_buffer().map_err(fail)
}

fn excel_date(day: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)
}
