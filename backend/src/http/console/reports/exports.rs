//! The report as files: the stable CSV address a city's own spreadsheets read
//! (`reports.csv?from=…&to=…&by=…`, columns in `docs/reports.md`), and an Excel workbook
//! with typed cells. Both hold counts only; each download is in the operation log.

use actix_web::HttpResponse;
use serde_json::json;

use super::filter::{export_filter, export_query, run_report, Choices, COUNT_LABELS};
use crate::domain::reports::{Figures, Grouping, ReportRow};
use crate::domain::staff::Permission;
use crate::http::console::csv_export;
use crate::http::console::cx::StaffCx;
use crate::http::console::xlsx::{workbook, SheetData, XlsxCell};
use crate::http::page::{Outcome, PageRequest};

/// The stable CSV columns (documented in docs/reports.md). Counts are of visits in each
/// period (by visit date).
const CSV_COLUMNS: &str = "period,location,procedure,booked,changed,cancelled,checked_in,\
handed_over,no_show,web,phone,places_offered,places_used";

static CSV_HEADER: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| CSV_COLUMNS.split(',').collect());

fn csv_values(row: &ReportRow) -> Vec<String> {
    let f = &row.figures;
    let mut values = vec![
        row.period.clone(),
        row.location.code.clone(),
        row.procedure.code.clone(),
    ];
    values.extend(f.csv_counts().iter().map(i64::to_string));
    values
}

pub async fn csv(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ViewReports, move |conn, cx| {
            let choices = Choices::of(conn, cx)?;
            let filter = export_filter(cx, &choices)?;
            let details = json!({
                "filter": export_query(&filter),
                "encoding": csv_export::encoding_of(cx),
            });
            cx.audit(conn, "report.export", "reports.csv", details)?;
            let rows: Vec<Vec<String>> = run_report(conn, &pool, cx, &filter)?
                .rows
                .iter()
                .map(csv_values)
                .collect();
            let mut rows = Some(rows);
            // The report is one query; the stream hands it over in one batch.
            let fetch: csv_export::FetchRows =
                Box::new(move |_, _, _| Ok(rows.take().unwrap_or_default()));
            let name = format!(
                "reports-{}-{}-{}",
                filter.from,
                filter.to,
                filter.by.as_str()
            );
            let mut outcome =
                csv_export::stream(pool.clone(), cx, &name, CSV_HEADER.as_slice(), fetch);
            if let Outcome::Stream { filename, .. } = &mut outcome {
                *filename = format!("{name}.csv");
            }
            Ok(outcome)
        })
        .await
}

/// The workbook's columns: period, counter and procedure, every count (cancellations split
/// by who cancelled), utilisation and the median days from booking to visit.
fn xlsx_header(cx: &StaffCx) -> Vec<String> {
    ["report_period", "staff_location", "staff_column_procedure"]
        .iter()
        .chain(COUNT_LABELS.iter())
        .chain(["report_utilisation", "report_median_days"].iter())
        .map(|key| cx.text(key))
        .collect()
}

fn period_cell(cx: &StaffCx, by: Grouping, label: &str) -> XlsxCell {
    match (by, by.first_day_of(label)) {
        (Grouping::Day, Some(day)) => XlsxCell::Date(day),
        (Grouping::Month, Some(day)) => XlsxCell::Month(day),
        (Grouping::FiscalYear, Some(day)) => {
            let year = crate::domain::reports::period::fiscal_year_of(day) as i64;
            XlsxCell::Labelled(year, cx.text("report_fiscal_year_format"))
        }
        _ => XlsxCell::Text(label.to_string()),
    }
}

fn figure_cells(f: &Figures) -> Vec<XlsxCell> {
    let mut cells: Vec<XlsxCell> = f.counts().iter().map(|n| XlsxCell::Count(*n)).collect();
    cells.push(
        f.utilisation()
            .map(|share| XlsxCell::Share(share / 100.0))
            .unwrap_or(XlsxCell::Empty),
    );
    cells.push(
        f.median_lead_days
            .map(XlsxCell::Decimal)
            .unwrap_or(XlsxCell::Empty),
    );
    cells
}

pub async fn xlsx(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ViewReports, move |conn, cx| {
            let choices = Choices::of(conn, cx)?;
            let filter = export_filter(cx, &choices)?;
            let details = json!({ "filter": export_query(&filter) });
            cx.audit(conn, "report.export", "reports.xlsx", details)?;
            let report = run_report(conn, &pool, cx, &filter)?;
            let rows = report
                .rows
                .iter()
                .map(|row| {
                    let mut cells = vec![
                        period_cell(cx, filter.by, &row.period),
                        XlsxCell::Text(cx.pick(&row.location.name_ja, &row.location.name_en)),
                        XlsxCell::Text(cx.pick(&row.procedure.name_ja, &row.procedure.name_en)),
                    ];
                    cells.extend(figure_cells(&row.figures));
                    cells
                })
                .collect();
            let body = workbook(&[SheetData {
                name: &cx.text("report_sheet"),
                headers: xlsx_header(cx),
                rows,
            }])?;
            Ok(Outcome::Download {
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                filename: format!(
                    "reports-{}-{}-{}.xlsx",
                    filter.from,
                    filter.to,
                    filter.by.as_str()
                ),
                body: body.into(),
            })
        })
        .await
}
