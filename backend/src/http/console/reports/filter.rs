//! The reports' shared parts: the filter read from the query (and its form), the links
//! between the reports, spans in words, and running a report.

use chrono::NaiveDate;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::Input;
use madoguchi_frontend::view_models::FieldError;

use crate::db::kinds::Channel;
use crate::domain::reports::period::{
    fiscal_year_name, fiscal_year_of, fiscal_year_span, month_span,
};
use crate::domain::reports::{filter_choices, first_slot, Grouping, Named, ReportFilter};
use crate::error::AppError;
use crate::http::console::cx::StaffCx;

/// The labels of `Figures::counts`, in its order, for the page's tables and the workbook.
pub(super) const COUNT_LABELS: [&str; 12] = [
    "report_booked",
    "report_changed",
    "report_cancelled",
    "report_cancelled_by_resident",
    "report_cancelled_by_staff",
    "report_checked_in",
    "report_handed_over",
    "report_no_show",
    "report_web",
    "report_phone",
    "report_places_offered",
    "report_places_used",
];

/// The longest span a report covers, and the longest cut into days.
const MAX_DAYS: i64 = 366 * 20;
const MAX_DAYS_BY_DAY: i64 = 366 * 2;

/// A city's locations and procedures as (code, name) for the filter's choices.
pub(super) struct Choices {
    pub locations: Vec<(String, String)>,
    pub procedures: Vec<(String, String)>,
    /// Location ids by code, for the lists of one counter.
    pub location_ids: Vec<(String, i64)>,
}

impl Choices {
    pub fn of(conn: &mut PgConnection, cx: &StaffCx) -> Result<Choices, AppError> {
        let (locations, procedures) = filter_choices(conn, cx.tenant.id, &cx.account.location_ids)?;
        let named = |all: &[Named]| -> Vec<(String, String)> {
            all.iter()
                .map(|n| (n.code.clone(), cx.pick(&n.name_ja, &n.name_en)))
                .collect()
        };
        Ok(Choices {
            locations: named(&locations),
            procedures: named(&procedures),
            location_ids: locations.iter().map(|l| (l.code.clone(), l.id)).collect(),
        })
    }
}

/// The fiscal years a city can report on: from its first slot's to the current one's.
fn fiscal_years(conn: &mut PgConnection, cx: &StaffCx) -> Result<Vec<i32>, AppError> {
    let current = fiscal_year_of(cx.clock.today());
    let first = first_slot(conn, cx.tenant.id)?
        .map(|at| fiscal_year_of(cx.clock.local_date(at)))
        .unwrap_or(current)
        .min(current);
    Ok((first..=current).rev().collect())
}

/// Reads the report's filter from the query: a fiscal year (`fy`) first, else a month,
/// else the days from–to; the current fiscal year by month when nothing is given. Each
/// field that cannot be used comes back with its message.
pub(super) fn filter_of(cx: &StaffCx, choices: &Choices) -> Result<ReportFilter, Vec<FieldError>> {
    let mut problems = cx.unreadable_dates(&["from", "to"], "report_filter_");
    let mut problem = |field: &str, key: &str| {
        problems.push(FieldError {
            field: field.into(),
            message: cx.text(key),
        })
    };
    let by = match cx.param("by") {
        None => Grouping::Month,
        Some(text) => Grouping::parse(&text).unwrap_or_else(|| {
            problem("by", "report_error_by");
            Grouping::Month
        }),
    };
    let current = fiscal_year_span(fiscal_year_of(cx.clock.today()));
    let span = if let Some(year) = cx.param("fy") {
        let span = year.trim().parse::<i32>().ok().and_then(fiscal_year_span);
        if span.is_none() {
            problem("fy", "report_error_fy");
        }
        span
    } else if let Some(month) = cx.param("month") {
        let span = month_span(&month);
        if span.is_none() {
            problem("month", "report_error_month");
        }
        span
    } else {
        let (from, to) = (cx.date_param("from"), cx.date_param("to"));
        match (from, to) {
            (None, None) => current,
            (Some(from), None) => {
                fiscal_year_span(fiscal_year_of(from)).map(|(_, end)| (from, end))
            }
            (None, Some(to)) => fiscal_year_span(fiscal_year_of(to)).map(|(start, _)| (start, to)),
            (Some(from), Some(to)) => Some((from, to)),
        }
    };
    let mut span = span.or(current).unwrap_or((NaiveDate::MIN, NaiveDate::MIN));
    let days = (span.1 - span.0).num_days();
    if days < 0 {
        problem("to", "report_error_order");
        span = (span.1, span.0);
    } else if days >= MAX_DAYS {
        problem("to", "report_error_too_long");
    } else if by == Grouping::Day && days >= MAX_DAYS_BY_DAY {
        problem("by", "report_error_days_too_long");
    }
    let known = |field: &str, of: &[(String, String)]| -> Result<Option<String>, ()> {
        match cx.param(field) {
            None => Ok(None),
            Some(code) if of.iter().any(|(c, _)| *c == code) => Ok(Some(code)),
            Some(_) => Err(()),
        }
    };
    let location = known("location", &choices.locations).unwrap_or_else(|_| {
        problem("location", "report_error_location");
        None
    });
    let procedure = known("procedure", &choices.procedures).unwrap_or_else(|_| {
        problem("procedure", "report_error_procedure");
        None
    });
    let channel = cx.param("channel");
    if channel
        .as_deref()
        .is_some_and(|c| Channel::parse(c).is_none())
    {
        problem("channel", "report_error_channel");
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ReportFilter {
        from: span.0,
        to: span.1,
        by,
        location,
        procedure,
        channel,
        location_ids: cx.account.location_ids.clone(),
    })
}

/// The report for `filter`, its bookings and places counted at once on two connections; on
/// one, one after the other, when the pool has none to spare.
pub(super) fn run_report(
    conn: &mut PgConnection,
    pool: &crate::db::PgPool,
    cx: &StaffCx,
    filter: &ReportFilter,
) -> Result<crate::domain::reports::Report, AppError> {
    use crate::domain::reports::{report, report_side_by_side};
    let Some(mut second) = pool.try_get() else {
        return Ok(report(conn, &cx.clock, &cx.tenant, filter)?);
    };
    crate::db::act_for_tenant(&mut second, Some(cx.tenant.id))?;
    let result = report_side_by_side(conn, &mut second, &cx.clock, &cx.tenant, filter);
    crate::db::act_for_tenant(&mut second, None)?;
    Ok(result?)
}

/// The filter for an export: its first problem as the error page's message.
pub(super) fn export_filter(cx: &StaffCx, choices: &Choices) -> Result<ReportFilter, AppError> {
    filter_of(cx, choices).map_err(|problems| {
        let first = &problems[0];
        AppError::invalid_with(
            &first.field,
            "invalid_filter_unreadable",
            &[("problem", &first.message)],
        )
    })
}

/// The report's filter as the stable export address's query (`from`, `to`, `by` and the
/// chosen filters).
pub(super) fn export_query(filter: &ReportFilter) -> String {
    let mut query = format!(
        "from={}&to={}&by={}",
        filter.from,
        filter.to,
        filter.by.as_str()
    );
    for (key, value) in [
        ("location", &filter.location),
        ("procedure", &filter.procedure),
        ("channel", &filter.channel),
    ] {
        if let Some(value) = value {
            query.push_str(&format!(
                "&{key}={}",
                crate::http::extract::url_encode(value)
            ));
        }
    }
    query
}

/// The filter form of the reports page.
pub(super) fn filter_inputs(
    conn: &mut PgConnection,
    cx: &StaffCx,
    choices: &Choices,
    problems: &[FieldError],
) -> Result<Vec<Input>, AppError> {
    let select = |id: &str, options: Vec<(String, String)>| {
        Input::Select {
            id: id.into(),
            label: cx.text(&format!("report_filter_{id}")),
            options,
            chosen: cx.param(id).unwrap_or_default(),
        }
        .with_error_from(problems)
    };
    let all = || vec![(String::new(), cx.text("staff_filter_all"))];
    let text = |id: &str| {
        Input::text(
            id,
            cx.text(&format!("report_filter_{id}")),
            cx.param(id).unwrap_or_default(),
        )
        .with_error_from(problems)
    };
    let mut years = vec![(String::new(), cx.text("report_fy_none"))];
    years.extend(
        fiscal_years(conn, cx)?
            .into_iter()
            .map(|year| (year.to_string(), fiscal_year_name(year))),
    );
    let mut locations = all();
    locations.extend(choices.locations.iter().cloned());
    let mut procedures = all();
    procedures.extend(choices.procedures.iter().cloned());
    let mut channels = all();
    channels.extend(
        [Channel::Web, Channel::Phone, Channel::Counter]
            .iter()
            .map(|c| {
                (
                    c.as_str().to_string(),
                    cx.text(&format!("channel_{}", c.as_str())),
                )
            }),
    );
    let groupings = Grouping::ALL
        .iter()
        .map(|g| {
            (
                g.as_str().to_string(),
                cx.text(&format!("report_by_{}", g.as_str())),
            )
        })
        .collect();
    let mut by = select("by", groupings);
    if let Input::Select { chosen, .. } = &mut by {
        if chosen.is_empty() {
            *chosen = Grouping::Month.as_str().into();
        }
    }
    Ok(vec![
        Input::hidden("lang", cx.lang.code()),
        select("fy", years),
        text("month"),
        text("from"),
        text("to"),
        by,
        select("location", locations),
        select("procedure", procedures),
        select("channel", channels),
    ])
}

/// Links between the three reports.
pub(super) fn report_links(cx: &StaffCx) -> Vec<(String, String)> {
    [
        ("reports", "reports_title"),
        ("reports/cards", "report_cards_title"),
        ("reports/calls", "report_calls_title"),
        ("reports/availability", "uptime_title"),
    ]
    .iter()
    .map(|(page, key)| (cx.console_url(page), cx.text(key)))
    .collect()
}

/// The span in words: `2025年4月1日〜2026年3月31日`.
pub(super) fn span_words(cx: &StaffCx, from: NaiveDate, to: NaiveDate) -> String {
    madoguchi_frontend::i18n::tf(
        cx.lang,
        "report_span",
        &[("from", &day_words(cx, from)), ("to", &day_words(cx, to))],
    )
}

/// A day without its weekday: 2025年4月1日, or 1 April 2025.
pub(super) fn day_words(cx: &StaffCx, day: NaiveDate) -> String {
    match cx.lang {
        madoguchi_frontend::i18n::Lang::Ja => day.format("%Y年%-m月%-d日").to_string(),
        _ => day.format("%-d %B %Y").to_string(),
    }
}
