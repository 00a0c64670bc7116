//! The reports page: the filter, the figures in words, two charts each with its data table,
//! the detailed rows, and the exports of exactly what is shown.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Table};

use super::chart;
use super::filter::{
    export_query, filter_inputs, filter_of, report_links, run_report, span_words, Choices,
    COUNT_LABELS,
};
use crate::domain::reports::{Figures, Grouping, Report, ReportFilter};
use crate::domain::staff::Permission;
use crate::http::console::cx::StaffCx;
use crate::http::page::PageRequest;

/// Detailed rows shown on the page; the exports hold them all.
const SHOWN_ROWS: usize = 200;

pub async fn show(request: PageRequest) -> HttpResponse {
    let pool = request.state.pool.clone();
    request
        .staff_step(Permission::ViewReports, move |conn, cx| {
            let choices = Choices::of(conn, cx)?;
            let filter = filter_of(cx, &choices);
            let problems = filter.as_ref().err().cloned().unwrap_or_default();
            let form = Form {
                action: cx.console_url("reports"),
                post: false,
                csrf: None,
                inputs: filter_inputs(conn, cx, &choices, &problems)?,
                submit: cx.text("report_run"),
                inline: true,
            };
            let mut blocks = vec![Block::Links(report_links(cx)), Block::Form(form)];
            let filter = match filter {
                Ok(filter) => filter,
                Err(problems) => {
                    blocks.push(Block::Text(cx.text("report_fix_filter")));
                    return cx.page_with_errors("reports_title", problems, blocks);
                }
            };
            let report = run_report(conn, &pool, cx, &filter)?;
            blocks.extend(report_blocks(cx, &filter, &report));
            cx.page(StatusCode::OK, "reports_title", None, blocks)
        })
        .await
}

fn report_blocks(cx: &StaffCx, filter: &ReportFilter, report: &Report) -> Vec<Block> {
    let query = export_query(filter);
    let total = &report.total;
    let mut blocks = vec![
        Block::Heading(tf(
            cx.lang,
            "report_heading",
            &[
                ("span", &span_words(cx, filter.from, filter.to)),
                ("by", &cx.text(&format!("report_by_{}", filter.by.as_str()))),
            ],
        )),
        Block::Text(cx.text("report_counted_by_visit")),
        Block::Facts(vec![
            (cx.text("report_booked"), total.booked.to_string()),
            (cx.text("report_changed"), total.changed.to_string()),
            (
                cx.text("report_cancelled"),
                tf(
                    cx.lang,
                    "report_cancelled_split",
                    &[
                        ("all", &total.cancelled.to_string()),
                        ("resident", &total.cancelled_by_resident.to_string()),
                        ("staff", &total.cancelled_by_staff.to_string()),
                    ],
                ),
            ),
            (cx.text("report_checked_in"), total.checked_in.to_string()),
            (cx.text("report_handed_over"), total.handed_over.to_string()),
            (cx.text("report_no_show"), total.no_show.to_string()),
            (cx.text("report_web"), total.web.to_string()),
            (cx.text("report_phone"), total.phone.to_string()),
            (
                cx.text("report_places_offered"),
                total.places_offered.to_string(),
            ),
            (cx.text("report_places_used"), total.places_used.to_string()),
            (cx.text("report_utilisation"), share_text(total)),
            (cx.text("report_median_days"), median_text(total)),
        ]),
        Block::Links(vec![
            (
                cx.url(&format!("/{}/staff/reports.csv?{query}", cx.tenant.code)),
                cx.text("staff_export_csv"),
            ),
            (
                cx.url(&format!(
                    "/{}/staff/reports.csv?{query}&encoding=cp932",
                    cx.tenant.code
                )),
                cx.text("staff_export_csv_cp932"),
            ),
            (
                cx.url(&format!("/{}/staff/reports.xlsx?{query}", cx.tenant.code)),
                cx.text("report_export_xlsx"),
            ),
        ]),
    ];
    blocks.extend(over_time(cx, filter.by, report));
    blocks.extend(per_counter(cx, report));
    blocks.extend(detail(cx, filter.by, report));
    blocks
}

/// Bookings and cancellations per period: the chart, its summary and its table.
fn over_time(cx: &StaffCx, by: Grouping, report: &Report) -> Vec<Block> {
    let labels: Vec<String> = report
        .per_period
        .iter()
        .map(|(label, _)| period_words(cx, by, label))
        .collect();
    let booked: Vec<i64> = report.per_period.iter().map(|(_, f)| f.booked).collect();
    let cancelled: Vec<i64> = report.per_period.iter().map(|(_, f)| f.cancelled).collect();
    let busiest = report
        .per_period
        .iter()
        .zip(&labels)
        .max_by_key(|((_, f), _)| f.booked)
        .filter(|((_, f), _)| f.booked > 0);
    let summary = match busiest {
        Some(((_, figures), label)) => tf(
            cx.lang,
            "report_chart_time_summary",
            &[
                ("bookings", &report.total.booked.to_string()),
                ("cancellations", &report.total.cancelled.to_string()),
                ("busiest", label),
                ("busiest_booked", &figures.booked.to_string()),
            ],
        ),
        None => cx.text("report_chart_empty"),
    };
    let svg = chart::over_time(
        &labels,
        &booked,
        &cancelled,
        (&cx.text("report_booked"), &cx.text("report_cancelled")),
        &summary,
    );
    let rows = report
        .per_period
        .iter()
        .zip(&labels)
        .map(|((_, figures), label)| {
            let mut row = vec![Cell::Text(label.clone())];
            row.extend(figure_cells(figures));
            row
        })
        .collect();
    vec![
        Block::Heading(cx.text("report_over_time")),
        Block::Chart {
            svg,
            caption: summary,
        },
        Block::Table(figure_table(
            cx,
            "report_period",
            cx.text("report_over_time"),
            rows,
        )),
    ]
}

/// Utilisation per counter: the chart, its summary and the counters' totals.
fn per_counter(cx: &StaffCx, report: &Report) -> Vec<Block> {
    let counters: Vec<(String, f64)> = report
        .per_location
        .iter()
        .map(|(location, figures)| {
            (
                cx.pick(&location.name_ja, &location.name_en),
                figures.utilisation().unwrap_or(0.0),
            )
        })
        .collect();
    let offered: Vec<&(crate::domain::reports::Named, Figures)> = report
        .per_location
        .iter()
        .filter(|(_, f)| f.places_offered > 0)
        .collect();
    let highest = offered.iter().max_by(|a, b| {
        a.1.utilisation()
            .partial_cmp(&b.1.utilisation())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let lowest = offered.iter().min_by(|a, b| {
        a.1.utilisation()
            .partial_cmp(&b.1.utilisation())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let summary = match (highest, lowest) {
        (Some(high), Some(low)) => tf(
            cx.lang,
            "report_chart_use_summary",
            &[
                ("high", &cx.pick(&high.0.name_ja, &high.0.name_en)),
                ("high_share", &share_text(&high.1)),
                ("low", &cx.pick(&low.0.name_ja, &low.0.name_en)),
                ("low_share", &share_text(&low.1)),
            ],
        ),
        _ => cx.text("report_chart_empty"),
    };
    let rows = report
        .per_location
        .iter()
        .zip(&counters)
        .map(|((_, figures), (name, _))| {
            let mut row = vec![Cell::Text(name.clone())];
            row.extend(figure_cells(figures));
            row
        })
        .collect();
    vec![
        Block::Heading(cx.text("report_per_counter")),
        Block::Chart {
            svg: chart::utilisation(&counters, &summary),
            caption: summary,
        },
        Block::Table(figure_table(
            cx,
            "staff_location",
            cx.text("report_per_counter"),
            rows,
        )),
    ]
}

/// The detailed rows (period × counter × procedure), the first of them when there are many.
fn detail(cx: &StaffCx, by: Grouping, report: &Report) -> Vec<Block> {
    let rows: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .take(SHOWN_ROWS)
        .map(|row| {
            let mut cells = vec![
                Cell::Text(period_words(cx, by, &row.period)),
                Cell::Text(cx.pick(&row.location.name_ja, &row.location.name_en)),
                Cell::Text(cx.pick(&row.procedure.name_ja, &row.procedure.name_en)),
            ];
            cells.extend(figure_cells(&row.figures));
            cells
        })
        .collect();
    let mut table = figure_table(cx, "report_period", cx.text("report_detail"), rows);
    table
        .headers
        .insert(1, Header::plain(cx.text("staff_location")));
    table
        .headers
        .insert(2, Header::plain(cx.text("staff_column_procedure")));
    let mut blocks = vec![Block::Heading(cx.text("report_detail"))];
    if report.rows.len() > SHOWN_ROWS {
        blocks.push(Block::Text(tf(
            cx.lang,
            "report_detail_cut",
            &[
                ("shown", &SHOWN_ROWS.to_string()),
                ("all", &report.rows.len().to_string()),
            ],
        )));
    }
    blocks.push(Block::Table(table));
    blocks
}

/// The figure columns shared by the three tables, after a first column `first_key`.
fn figure_table(cx: &StaffCx, first_key: &str, caption: String, rows: Vec<Vec<Cell>>) -> Table {
    let mut headers = vec![Header::plain(cx.text(first_key))];
    headers.extend(
        COUNT_LABELS
            .iter()
            .chain(["report_utilisation"].iter())
            .map(|key| Header::plain(cx.text(key))),
    );
    Table {
        caption,
        headers,
        rows,
        empty_text: cx.text("report_empty"),
    }
}

fn figure_cells(f: &Figures) -> Vec<Cell> {
    f.counts()
        .iter()
        .map(|n| Cell::Text(n.to_string()))
        .chain(std::iter::once(Cell::Text(share_text(f))))
        .collect()
}

/// A period as staff read it: days and months as written, a fiscal year as 2025年度.
pub(super) fn period_words(cx: &StaffCx, by: Grouping, label: &str) -> String {
    match (by, label.strip_prefix("FY")) {
        (Grouping::FiscalYear, Some(year)) => tf(cx.lang, "report_fiscal_year", &[("year", year)]),
        _ => label.to_string(),
    }
}

/// Utilisation as `92.5%`, or a dash when nothing was offered.
fn share_text(figures: &Figures) -> String {
    figures
        .utilisation()
        .map(|share| format!("{share:.1}%"))
        .unwrap_or_else(|| "—".into())
}

fn median_text(figures: &Figures) -> String {
    figures
        .median_lead_days
        .map(|days| format!("{days:.1}"))
        .unwrap_or_else(|| "—".into())
}
