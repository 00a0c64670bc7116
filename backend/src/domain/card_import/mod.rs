//! Importing J-LIS card-production files: all rows or none. A preview runs the whole import
//! and rolls it back, so what it reports (new, changed, unchanged, problems) is exactly
//! what a commit would do. Importing the same file again changes nothing. Memory stays flat
//! however long the file: rows are read, checked and copied to the database in batches.

pub(crate) mod notices;
pub mod rows;
pub(crate) mod source;
mod stage;

use crate::db::kinds::PickupProofKind;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use csv::StringRecord;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::PgConnection;

pub use self::rows::Problem;
use self::rows::{map_columns, parse_row};
pub use self::source::MAX_FILE_BYTES;
use super::Clock;
use crate::db::location::Location;
use crate::db::schema::card_imports;
use crate::db::tenant::Tenant;
use crate::error::AppError;

const BATCH: usize = 2_000;
/// Problems kept for the report; the count goes on beyond.
const MAX_LISTED: usize = 1_000;

/// What an import found, and did when committed.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub file_name: String,
    pub encoding: &'static str,
    pub sha256: String,
    /// Data rows read (blank lines aside).
    pub rows: i64,
    pub new_cards: i64,
    pub changed_cards: i64,
    pub unchanged_cards: i64,
    /// The first problems in line order; nothing is imported while there is any.
    pub problems: Vec<Problem>,
    pub problem_count: usize,
    pub committed: bool,
    /// For cities in password mode: the notice printer's CSV for the new cards, with their
    /// initial passwords. It exists only here; whoever receives it must hand it on once.
    pub notices: Option<Vec<u8>>,
}

impl ImportReport {
    fn add(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for problem in problems {
            self.problem_count += 1;
            if self.problems.len() < MAX_LISTED {
                self.problems.push(problem);
            }
        }
    }
}

/// Why the transaction ends without a commit: a preview, problems, or a failure.
enum Stop {
    Report(Box<ImportReport>),
    Failed(AppError),
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Stop {
        Stop::Failed(e)
    }
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Stop {
        Stop::Failed(e.into())
    }
}

pub struct ImportRequest<'a> {
    pub file_name: &'a str,
    /// Who imports, for the history: `staff:login` or `cli`.
    pub actor: &'a str,
    /// False: a preview that changes nothing.
    pub commit: bool,
}

/// Reads `bytes` (of `size` bytes, when known) as a card file of `tenant` and imports it,
/// or only reports, as `request` says.
pub fn run(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    bytes: impl Read + 'static,
    size: Option<u64>,
    request: &ImportRequest,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport {
        file_name: request.file_name.to_string(),
        ..ImportReport::default()
    };
    let source = match source::open(bytes, size) {
        Ok(source) => source,
        Err(problem) => {
            report.add([problem]);
            return Ok(report);
        }
    };
    report.encoding = source.encoding;
    let outcome = conn.transaction(|conn| import(conn, clock, tenant, source, request, report));
    match outcome {
        Ok(report) => Ok(report),
        Err(Stop::Report(report)) => Ok(*report),
        Err(Stop::Failed(error)) => Err(error),
    }
}

fn import(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    mut source: source::Source,
    request: &ImportRequest,
    mut report: ImportReport,
) -> Result<ImportReport, Stop> {
    // One import per tenant at a time: a second waits, then sees the first one's cards.
    diesel::sql_query("SELECT pg_advisory_xact_lock(72, $1::integer)")
        .bind::<BigInt, _>(tenant.id)
        .execute(conn)?;
    // The file's keys are sorted and hashed whole (repeats, clashes, the merge): in memory
    // rather than on disk, for this transaction only.
    diesel::sql_query("SET LOCAL work_mem = '64MB'").execute(conn)?;
    stage::create_table(conn)?;
    let aliases = crate::db::tenant::card_column_names(conn, tenant.id)?;
    let locations: HashMap<String, i64> = Location::for_tenant(conn, tenant.id)?
        .into_iter()
        .map(|l| (l.code, l.id))
        .collect();
    let mut batch = Vec::with_capacity(BATCH);
    let file_problems = read_rows(&mut source.text, &aliases, &locations, |row| {
        report.rows += 1;
        match row {
            Ok(row) => batch.push(row),
            Err(problems) => report.add(problems),
        }
        if batch.len() == BATCH {
            stage::copy_rows(conn, &batch)?;
            batch.clear();
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    report.add(file_problems);
    stage::copy_rows(conn, &batch)?;
    if report.rows == 0 && report.problem_count == 0 {
        report.add([Problem::new(0, None, "card_problem_header_only")]);
        return Err(Stop::Report(Box::new(report)));
    }
    let clashes = stage::clashes(conn, tenant.id)?;
    report.add(clashes);
    if report.problem_count > 0 {
        report.problems.sort_by_key(|p| p.line);
        return Err(Stop::Report(Box::new(report)));
    }
    let (new_cards, changed_cards) = stage::compare(conn, tenant.id)?;
    report.new_cards = new_cards;
    report.changed_cards = changed_cards;
    report.unchanged_cards = report.rows - new_cards - changed_cards;
    report.sha256 = source.sha256();
    if !request.commit {
        return Err(Stop::Report(Box::new(report)));
    }
    let import_id: i64 = diesel::insert_into(card_imports::table)
        .values((
            card_imports::tenant_id.eq(tenant.id),
            card_imports::actor.eq(request.actor),
            card_imports::file_name.eq(request.file_name),
            card_imports::sha256.eq(&report.sha256),
            card_imports::encoding.eq(report.encoding),
            card_imports::rows_read.eq(report.rows as i32),
            card_imports::new_cards.eq(new_cards as i32),
            card_imports::changed_cards.eq(changed_cards as i32),
            card_imports::unchanged_cards.eq(report.unchanged_cards as i32),
            card_imports::created_at.eq(clock.now),
        ))
        .returning(card_imports::id)
        .get_result(conn)?;
    stage::apply(
        conn,
        tenant.id,
        request.actor,
        clock.now,
        import_id,
        (new_cards, changed_cards),
    )?;
    if tenant.pickup_proof_kind == PickupProofKind::Password && new_cards > 0 {
        report.notices = Some(notices::issue(conn, tenant.id, import_id)?);
    }
    report.committed = true;
    Ok(report)
}

/// A row the CSV reader could not read, or a file that grew past the limit while read.
fn read_problem(error: &csv::Error) -> Problem {
    let line = error.position().map_or(0, |p| p.line());
    match error.kind() {
        csv::ErrorKind::Io(io) if io.to_string().contains("too large") => {
            Problem::new(0, None, "card_problem_too_large")
                .with("max", (MAX_FILE_BYTES / 1024 / 1024).to_string())
        }
        _ => Problem::new(line, None, "card_problem_unreadable"),
    }
}

/// Reads a whole file as the import does, without a database: every problem of the file
/// against the given location codes. Used by the fuzz target and for quick checks.
pub fn check_file(bytes: &[u8], locations: &HashMap<String, i64>) -> Vec<Problem> {
    let mut source = match source::open(
        std::io::Cursor::new(bytes.to_vec()),
        Some(bytes.len() as u64),
    ) {
        Ok(source) => source,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    let file_problems = read_rows(&mut source.text, &BTreeMap::new(), locations, |row| {
        if let Err(found) = row {
            problems.extend(found);
        }
        Ok::<_, std::convert::Infallible>(())
    });
    problems.extend(file_problems.unwrap_or_default());
    problems
}

/// Reads the header and then each data row of `text` that is not blank, handing each checked
/// row to `visit`. Returns the problems of the file itself: an empty file, a header that
/// cannot be used (then no row is read), or a row the CSV reader cannot read (which ends the
/// reading).
fn read_rows<E>(
    text: &mut dyn Read,
    aliases: &BTreeMap<String, String>,
    locations: &HashMap<String, i64>,
    mut visit: impl FnMut(Result<rows::CardRow, Vec<Problem>>) -> Result<(), E>,
) -> Result<Vec<Problem>, E> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut record = StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Ok(vec![Problem::new(0, None, "card_problem_empty")]),
        Err(e) => return Ok(vec![read_problem(&e)]),
    }
    let map = match map_columns(&record, aliases) {
        Ok(map) => map,
        Err(problems) => return Ok(problems),
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(Vec::new()),
            Ok(true) => {}
            Err(e) => return Ok(vec![read_problem(&e)]),
        }
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        visit(parse_row(&map, line, &record, locations))?;
    }
}
