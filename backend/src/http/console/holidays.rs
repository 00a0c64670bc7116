//! Closed days, for a city's administrators: the national holidays as the operator keeps
//! them (read only: they are every city's, imported with `madoguchi holidays import`), and
//! the city's own closed days (one day or a span, everywhere or at one counter), which it
//! adds and removes here. A change touches this city's slots only; the bookings standing on
//! the days to close are listed, and the administrator keeps them or cancels each with a
//! message to its resident. Every change is written to the operation log with what was
//! there before.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use madoguchi_frontend::view_models::FieldError;
use serde_json::json;

use crate::db::location::Location;
use crate::db::timetable::Closure;
use crate::domain::closures;
use crate::domain::displaced::{Displaced, Displacement};
use crate::domain::input::read_date;
use crate::domain::staff::Permission;
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::displaced::{self, Choice};
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/holidays", web::get().to(show));
    cfg.route("/{tenant}/staff/holidays", web::post().to(submit));
    cfg.route("/{tenant}/staff/holidays/reopen", web::post().to(reopen));
}

/// What an administrator typed into the form to close a day.
#[derive(Default)]
struct Answers {
    day: String,
    until: String,
    location: String,
    reason: String,
    /// The bookings standing on the days to close, and the choice made for them.
    standing: Vec<Displaced>,
    choice: Choice,
}

fn page(
    conn: &mut diesel::PgConnection,
    cx: &StaffCx,
    answers: &Answers,
    errors: Vec<FieldError>,
    notice: Option<(bool, String)>,
) -> Result<Outcome, AppError> {
    let today = cx.clock.today();
    let locations = Location::for_tenant(conn, cx.tenant.id)?;
    let location_name = |id: Option<i64>| match id {
        None => cx.text("closures_all_locations"),
        Some(id) => locations
            .iter()
            .find(|l| l.id == id)
            .map(|l| cx.pick(&l.name, &l.name_en))
            .unwrap_or_default(),
    };
    let own: Vec<Closure> = Closure::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .filter(|c| c.day >= today)
        .collect();
    let own_rows = own
        .into_iter()
        .map(|c| {
            vec![
                Cell::Text(crate::domain::calendar::date_label(cx.lang, c.day)),
                Cell::Text(location_name(c.location_id)),
                Cell::Text(c.reason.clone()),
                Cell::Button(Form {
                    action: cx.console_url("holidays/reopen"),
                    post: true,
                    csrf: Some(cx.session.csrf_token.clone()),
                    inputs: vec![Input::hidden("closure", c.id.to_string())],
                    submit: cx.text("closures_reopen"),
                    inline: true,
                }),
            ]
        })
        .collect();
    let mut location_options = vec![(String::new(), cx.text("closures_all_locations"))];
    location_options.extend(
        locations
            .iter()
            .filter(|l| l.active)
            .map(|l| (l.code.clone(), cx.pick(&l.name, &l.name_en))),
    );
    let form = Form {
        action: cx.console_url("holidays"),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![
            Input::Text {
                id: "day".into(),
                label: cx.text("closures_day"),
                value: answers.day.clone(),
                kind: "text",
                required: true,
                hint: Some(cx.text("closures_day_hint")),
                error: None,
                autocomplete: None,
            }
            .with_error_from(&errors),
            Input::Text {
                id: "until".into(),
                label: cx.text("closures_until"),
                value: answers.until.clone(),
                kind: "text",
                required: false,
                hint: Some(cx.text("closures_until_hint")),
                error: None,
                autocomplete: None,
            }
            .with_error_from(&errors),
            Input::Select {
                id: "location".into(),
                label: cx.text("staff_location"),
                options: location_options,
                chosen: answers.location.clone(),
            },
            Input::Text {
                id: "reason".into(),
                label: cx.text("closures_reason"),
                value: answers.reason.clone(),
                kind: "text",
                required: true,
                hint: Some(cx.text("closures_reason_hint")),
                error: None,
                autocomplete: None,
            }
            .with_error_from(&errors),
        ]
        .into_iter()
        .chain(displaced::inputs(
            cx,
            &answers.standing,
            &answers.choice,
            &errors,
        ))
        .collect(),
        submit: cx.text("closures_close"),
        inline: false,
    };
    let national = crate::db::national_holiday::upcoming(conn, today, 30)?;
    let national_table = Table {
        caption: cx.text("holidays_upcoming"),
        headers: ["phone_day", "holidays_name"]
            .iter()
            .map(|k| Header::plain(cx.text(k)))
            .collect(),
        rows: national
            .into_iter()
            .map(|(day, name)| {
                vec![
                    Cell::Text(crate::domain::calendar::date_label(cx.lang, day)),
                    Cell::Text(name),
                ]
            })
            .collect(),
        empty_text: cx.text("holidays_none"),
    };
    let mut blocks = displaced::table(cx, &answers.standing);
    blocks.extend([
        Block::Heading(cx.text("closures_own")),
        Block::Table(Table {
            caption: cx.text("closures_own"),
            headers: [
                "phone_day",
                "staff_location",
                "closures_reason",
                "staff_actions",
            ]
            .iter()
            .map(|k| Header::plain(cx.text(k)))
            .collect(),
            rows: own_rows,
            empty_text: cx.text("closures_none"),
        }),
        Block::Heading(cx.text("closures_add")),
        Block::Form(form),
        Block::Heading(cx.text("holidays_upcoming")),
        Block::Text(cx.text("holidays_by_operator")),
        Block::Table(national_table),
    ]);
    if errors.is_empty() {
        cx.page(StatusCode::OK, "holidays_title", notice, blocks)
    } else {
        cx.page_with_errors("holidays_title", errors, blocks)
    }
}

pub async fn show(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ImportData, |conn, cx| {
            let notice = cx.notice_among(&[Notice::DayClosed, Notice::DayReopened]);
            page(conn, cx, &Answers::default(), Vec::new(), notice)
        })
        .await
}

/// Days to close: the first (and last, for a span), the location (none: everywhere), the
/// reason, and the choice for the bookings standing then.
#[derive(serde::Deserialize, Default, Clone)]
pub struct CloseDayForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    reason: String,
    #[serde(flatten)]
    choice: Choice,
}

/// Closes a day or a span of days of this city (at one of its locations, or everywhere).
pub async fn submit(request: Posted<CloseDayForm>) -> HttpResponse {
    request
        .staff_step(Permission::ImportData, |conn, cx, form| {
            let mut answers = Answers {
                day: form.day.trim().to_string(),
                until: form.until.trim().to_string(),
                location: form.location.trim().to_string(),
                reason: form.reason.trim().to_string(),
                standing: Vec::new(),
                choice: form.choice.clone(),
            };
            let mut errors = Vec::new();
            let mut read = |id: &str, text: &str| match read_date(text) {
                Ok(day) if day < cx.clock.today() => {
                    errors.push(field(id, cx.text("closures_day_past")));
                    None
                }
                Ok(day) => Some(day),
                Err(problem) => {
                    let label = cx.text(&format!("closures_{id}"));
                    errors.push(field(id, problem.message(cx.lang, &label, text)));
                    None
                }
            };
            let day = read("day", &answers.day);
            let until = match answers.until.as_str() {
                "" => day,
                text => read("until", text),
            };
            if let (Some(from), Some(to)) = (day, until) {
                if to < from || (to - from).num_days() >= closures::MAX_SPAN_DAYS {
                    let n = closures::MAX_SPAN_DAYS.to_string();
                    errors.push(field(
                        "until",
                        tf(cx.lang, "closures_until_range", &[("n", &n)]),
                    ));
                }
            }
            let reason_ok = !answers.reason.is_empty()
                && answers.reason.chars().count() <= 100
                && !answers.reason.chars().any(char::is_control);
            if !reason_ok {
                errors.push(field("reason", cx.text("closures_reason_missing")));
            }
            let location = match answers.location.as_str() {
                "" => None,
                code => Some(
                    Location::active_by_code(conn, cx.tenant.id, code)?
                        .ok_or(AppError::NotFound(crate::error::Resource::Location))?,
                ),
            };
            let decided = match form.choice.decided(cx) {
                Ok(decided) => Some(decided),
                Err(problems) => {
                    errors.extend(problems);
                    None
                }
            };
            let (Some(from), Some(to), Some(decided), true) =
                (day, until, decided, errors.is_empty())
            else {
                if let (Some(from), Some(to)) = (day, until) {
                    let location_id = location.as_ref().map(|l| l.id);
                    answers.standing = crate::domain::displaced::in_days(
                        conn,
                        &cx.clock,
                        &cx.tenant,
                        location_id,
                        from,
                        to,
                    )?;
                }
                return page(conn, cx, &answers, errors, None);
            };
            let location_id = location.as_ref().map(|l| l.id);
            let closing = closures::close(
                conn,
                &cx.clock,
                &cx.tenant,
                location_id,
                from,
                to,
                &answers.reason,
                &decided,
            )?;
            match closing {
                Err(standing) => {
                    let error = tf(
                        cx.lang,
                        "closures_has_bookings",
                        &[("n", &standing.len().to_string())],
                    );
                    answers.standing = standing;
                    page(conn, cx, &answers, vec![field("displaced", error)], None)
                }
                Ok(closed) => {
                    cx.audit(
                        conn,
                        "closure.added",
                        &from.to_string(),
                        json!({
                            "before": null,
                            "after": {
                                "day": from,
                                "until": to,
                                "location": location.as_ref().map(|l| l.code.clone()),
                                "reason": answers.reason,
                            },
                            "cancelled_bookings": closed.settled.cancelled,
                            "kept_bookings": closed.settled.kept,
                            "message": match &decided.displacement {
                                Displacement::Cancel { message, .. } => Some(message.clone()),
                                _ => None,
                            },
                        }),
                    )?;
                    Ok(cx.back_with("holidays", Notice::DayClosed))
                }
            }
        })
        .await
}

/// The closed day to open again.
#[derive(serde::Deserialize, Default, Clone)]
pub struct ReopenForm {
    #[serde(default)]
    closure: String,
}

/// Opens one of this city's closed days again.
pub async fn reopen(request: Posted<ReopenForm>) -> HttpResponse {
    request.staff_step(Permission::ImportData,
        |conn, cx, form| {
            let id = form
                .closure
                .parse::<i64>()
                .ok()
                .unwrap_or_default();
            let removed = closures::reopen(conn, &cx.clock, &cx.tenant, id)?
                .ok_or(AppError::NotFound(crate::error::Resource::Page))?;
            cx.audit(
                conn,
                "closure.removed",
                &removed.day.to_string(),
                json!({
                    "before": { "day": removed.day, "location_id": removed.location_id, "reason": removed.reason },
                    "after": null,
                }),
            )?;
            Ok(cx.back_with("holidays", Notice::DayReopened))
        },
    )
    .await
}

fn field(id: &str, message: String) -> FieldError {
    FieldError {
        field: id.to_string(),
        message,
    }
}
