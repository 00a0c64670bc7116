//! Prints the cells of an .xlsx file's sheet as tab-separated lines, each cell as its
//! type and value (`n:3`, `s:本庁`, `d:2027-03-30`, `e:` for an empty cell), so tests in
//! other languages can read workbooks back with calamine. Used by the browser tests.
//!
//! Usage: xlsx_cells FILE.xlsx [SHEET]   (default: the first sheet)

use calamine::{Data, Reader};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: xlsx_cells FILE.xlsx [SHEET]");
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("an .xlsx file");
    let sheet = args
        .next()
        .or_else(|| workbook.sheet_names().first().cloned())
        .expect("a sheet");
    let range = workbook.worksheet_range(&sheet).expect("the sheet");
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(typed).collect();
        println!("{}", cells.join("\t"));
    }
}

fn typed(cell: &Data) -> String {
    match cell {
        Data::Int(n) => format!("n:{n}"),
        Data::Float(n) => format!("n:{n}"),
        Data::String(s) => format!("s:{s}"),
        Data::Bool(b) => format!("b:{b}"),
        // Excel counts days from 1899-12-30.
        Data::DateTime(at) => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("a date");
            let day = epoch + chrono::Duration::days(at.as_f64().floor() as i64);
            format!("d:{day}")
        }
        Data::Empty => "e:".into(),
        other => format!("s:{other}"),
    }
}
