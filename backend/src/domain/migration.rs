//! Bringing the future bookings of a previous system across: a CSV of visits (date and time,
//! location code, procedure, party, card number or contact) booked through the same booking
//! service as every other booking, so no slot is overfilled. All rows or none: a dry run
//! lists every conflict (full slot, closed day, unknown card…) by line, and so does a commit
//! that meets one, booking nothing.

use madoguchi_frontend::i18n::Lang;
use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDateTime;
use csv::StringRecord;
use diesel::PgConnection;

use super::booking::{self, BookingRequest, Contact, Party, Placement};
use super::card_import::rows::Problem;
use super::card_import::source;
use super::input::{fold_width, parse_date, Email, PhoneNumber};
use super::{Actor, Channel, Clock};
use crate::db::card::CardRecord;
use crate::db::lane::Lane;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::error::AppError;

const COLUMNS: [&str; 9] = [
    "来庁日時",
    "窓口コード",
    "手続き",
    "人数",
    "カード番号",
    "メール",
    "電話",
    "氏名",
    "メモ",
];

#[derive(Debug, Default)]
pub struct MigrationReport {
    pub rows: usize,
    pub booked: usize,
    pub problems: Vec<Problem>,
    pub committed: bool,
}

enum Stop {
    Report(MigrationReport),
    Failed(AppError),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Stop {
        Stop::Failed(e.into())
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Stop {
        Stop::Failed(e)
    }
}

/// "2026/12/01 09:30", "2026-12-01 09:30", or a 和暦 date and a time.
fn parse_visit(text: &str) -> Option<NaiveDateTime> {
    let folded = fold_width(text);
    let (date, time) = folded.trim().rsplit_once([' ', 'T'])?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some(parse_date(date)?.and_time(time))
}

/// Books every row of `bytes` for `tenant`, or nothing; with `commit` false, only reports.
pub fn migrate(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    bytes: impl Read + 'static,
    commit: bool,
) -> Result<MigrationReport, AppError> {
    let mut report = MigrationReport::default();
    let mut source = match source::open(bytes, None) {
        Ok(source) => source,
        Err(problem) => {
            report.problems.push(problem);
            return Ok(report);
        }
    };
    let outcome = diesel::Connection::transaction(conn, |conn| {
        let report = book_rows(conn, clock, tenant, &mut source.text, report)?;
        if report.problems.is_empty() && commit {
            Ok(MigrationReport {
                committed: true,
                ..report
            })
        } else {
            Err(Stop::Report(report))
        }
    });
    match outcome {
        Ok(report) | Err(Stop::Report(report)) => Ok(report),
        Err(Stop::Failed(error)) => Err(error),
    }
}

fn book_rows(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    text: &mut dyn Read,
    mut report: MigrationReport,
) -> Result<MigrationReport, Stop> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut header = StringRecord::new();
    if !reader
        .read_record(&mut header)
        .map_err(|e| AppError::Internal(e.into()))?
    {
        report
            .problems
            .push(Problem::new(0, None, "card_problem_empty"));
        return Ok(report);
    }
    let position: HashMap<&str, usize> = COLUMNS
        .iter()
        .filter_map(|name| {
            header
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{FEFF}') == *name)
                .map(|i| (*name, i))
        })
        .collect();
    for required in ["来庁日時", "窓口コード", "手続き"] {
        if !position.contains_key(required) {
            report.problems.push(Problem::new(
                1,
                Some(required),
                "card_problem_header_missing",
            ));
        }
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let locations: HashMap<String, Location> = Location::for_tenant(conn, tenant.id)?
        .into_iter()
        .map(|l| (l.code.clone(), l))
        .collect();
    let procedures: HashMap<String, Procedure> = Procedure::for_tenant(conn, tenant.id)?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let actor = Actor {
        label: "migration".into(),
        channel: Channel::Migration,
        client_addr: None,
    };
    let mut record = StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| AppError::Internal(e.into()))?
    {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        let field = |name: &str| {
            position
                .get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let problem = |column: &str, key: &'static str, value: String| {
            Problem::new(line, Some(column), key).with("value", value)
        };
        let Some(visit) = parse_visit(&field("来庁日時")) else {
            report.problems.push(problem(
                "来庁日時",
                "migration_problem_when",
                field("来庁日時"),
            ));
            continue;
        };
        let Some(location) = locations.get(&field("窓口コード")) else {
            report.problems.push(problem(
                "窓口コード",
                "card_problem_location",
                field("窓口コード"),
            ));
            continue;
        };
        let Some(procedure) = procedures.get(&field("手続き")) else {
            report.problems.push(problem(
                "手続き",
                "migration_problem_procedure",
                field("手続き"),
            ));
            continue;
        };
        let slot = match Lane::serving(conn, location.id, procedure.id)? {
            Some(lane) => Slot::on_lane_at(conn, lane.id, clock.instant(visit))?,
            None => None,
        };
        let Some(slot) = slot.filter(|s| !s.closed) else {
            report.problems.push(problem(
                "来庁日時",
                "migration_problem_no_slot",
                field("来庁日時"),
            ));
            continue;
        };
        let number = field("カード番号");
        let party = if procedure.needs_card {
            let card = CardRecord::by_reservation_number(conn, tenant.id, &number)?
                .or(CardRecord::by_manufacture_number(conn, tenant.id, &number)?);
            match card {
                Some(card) => Party::IdentifiedCards(vec![card.id]),
                None => {
                    report
                        .problems
                        .push(problem("カード番号", "migration_problem_card", number));
                    continue;
                }
            }
        } else {
            Party::People(field("人数").parse().unwrap_or(1))
        };
        let request = BookingRequest {
            procedure_id: procedure.id,
            placement: Placement::Slot { slot_id: slot.id },
            party,
            contact: Contact {
                email: Email::parse(&field("メール")),
                phone: PhoneNumber::parse(&field("電話")),
                name: Some(field("氏名")).filter(|n| !n.is_empty()),
            },
            note: field("メモ"),
            lang: madoguchi_frontend::i18n::Lang::Ja,
        };
        match booking::book(conn, clock, tenant, &request, &actor) {
            Ok(_) => report.booked += 1,
            Err(refused)
                if !matches!(
                    refused,
                    AppError::Database(_)
                        | AppError::Internal(_)
                        | AppError::DatabaseUnavailable(_)
                ) =>
            {
                report.problems.push(
                    Problem::new(line, None, "migration_problem_refused")
                        .with_in("why", Lang::Ja, refused.message_in(Lang::Ja))
                        .with_in("why", Lang::En, refused.message_in(Lang::En)),
                );
            }
            Err(other) => return Err(Stop::Failed(other)),
        }
    }
    Ok(report)
}
