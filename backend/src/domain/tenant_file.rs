//! A tenant's whole configuration as one TOML file: `madoguchi tenant apply FILE`.
//! Applying is idempotent; a dry run applies inside a transaction that is rolled back,
//! so the diff it prints is exactly what a real run would do.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;
use diesel::PgConnection;
use serde::{Deserialize, Serialize};

use crate::db::lane::{Lane, NewLaneProcedure};
use crate::db::location::{Location, LocationFields};
use crate::db::procedure::{Procedure, ProcedureFields};
use crate::db::schema::{
    closures, lane_procedures, lanes, locations, procedures, tenants, timetable_periods, timetables,
};
use crate::db::tenant::{Tenant, TenantSettings};
use crate::db::timetable::{Closure, Period, Timetable};

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub rules: RulesFile,
    #[serde(default)]
    pub contact: ContactFile,
    #[serde(default)]
    pub texts: TextsFile,
    pub procedures: Vec<ProcedureFile>,
    pub locations: Vec<LocationFile>,
    #[serde(default)]
    pub closures: Vec<ClosureFile>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct RulesFile {
    pub hold_minutes: i32,
    pub booking_opens_days: i32,
    pub cutoff: DeadlineFile,
    pub change_deadline: DeadlineFile,
    pub deadlines_skip_closed_days: bool,
    pub max_party_size: i32,
    pub pickup_number: String,
    pub pickup_proof: String,
    pub allow_transfers: bool,
    pub closed_on_national_holidays: bool,
    pub closed_over_new_year: bool,
    pub slot_horizon_days: i32,
    pub inquiry_phone: String,
    /// Staff console sessions end after this many idle minutes.
    pub staff_idle_minutes: i32,
}

impl Default for RulesFile {
    fn default() -> Self {
        RulesFile {
            hold_minutes: 10,
            booking_opens_days: 60,
            cutoff: DeadlineFile::default(),
            change_deadline: DeadlineFile::default(),
            deadlines_skip_closed_days: false,
            max_party_size: 4,
            pickup_number: "reservation_number".into(),
            pickup_proof: "birth_date".into(),
            allow_transfers: false,
            closed_on_national_holidays: true,
            closed_over_new_year: true,
            slot_horizon_days: 120,
            inquiry_phone: String::new(),
            staff_idle_minutes: 20,
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlineFile {
    pub days_before: i32,
    pub at: String,
}

impl Default for DeadlineFile {
    fn default() -> Self {
        DeadlineFile {
            days_before: 1,
            at: "17:00".into(),
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct ContactFile {
    pub email: String,
    pub phone: String,
    pub name: String,
}

impl Default for ContactFile {
    fn default() -> Self {
        ContactFile {
            email: "required".into(),
            phone: "optional".into(),
            name: "off".into(),
        }
    }
}

/// Texts of the start page; empty means none.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TextsFile {
    pub notice_ja: String,
    pub notice_en: String,
    pub maintenance_ja: String,
    pub maintenance_en: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProcedureFile {
    pub code: String,
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub needs_card: bool,
    #[serde(default)]
    pub notes_ja: String,
    #[serde(default)]
    pub notes_en: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct LocationFile {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub address: String,
    #[serde(default = "yes")]
    pub issues_cards: bool,
    #[serde(default)]
    pub lanes: Vec<LaneFile>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct LaneFile {
    pub code: String,
    #[serde(default)]
    pub name: String,
    pub procedures: Vec<String>,
    pub timetables: Vec<TimetableFile>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TimetableFile {
    pub effective_from: DateText,
    pub slot_minutes: i32,
    pub capacity: i32,
    pub web_capacity: Option<i32>,
    /// mon … sun, or `weekdays` for Monday to Friday: a list of "HH:MM-HH:MM" periods.
    pub hours: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ClosureFile {
    pub date: DateText,
    pub location: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// A date written as a TOML date (2026-04-01) or a string ("2026-04-01").
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum DateText {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateText {
    fn parse(&self) -> Option<NaiveDate> {
        let text = match self {
            DateText::Toml(datetime) => datetime.to_string(),
            DateText::Text(text) => text.clone(),
        };
        super::input::parse_date(&text)
    }
}

/// What applying a file did (or, on a dry run, would do): one line per change.
#[derive(Debug, Default)]
pub struct ApplyReport {
    pub tenant_id: i64,
    pub changes: Vec<String>,
}

/// The file checked and turned into rows-to-be, before touching the database.
struct Plan {
    settings: TenantSettings,
    procedures: Vec<ProcedureFields>,
    locations: Vec<(LocationFields, Vec<LanePlan>)>,
    closures: Vec<(Option<String>, NaiveDate, String)>,
}

struct LanePlan {
    code: String,
    name: String,
    procedures: Vec<String>,
    timetables: Vec<TimetablePlan>,
}

#[derive(PartialEq, Debug)]
struct TimetablePlan {
    effective_from: NaiveDate,
    slot_minutes: i32,
    capacity: i32,
    web_capacity: i32,
    /// (weekday, opens, closes), sorted
    periods: Vec<(i16, NaiveTime, NaiveTime)>,
}

pub fn parse(text: &str) -> anyhow::Result<TenantFile> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))
}

fn plan(file: &TenantFile) -> Result<Plan, Vec<String>> {
    let mut errors = Vec::new();
    let rules = &file.rules;
    let time = |path: &str, text: &str, errors: &mut Vec<String>| {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap_or_else(|_| {
            errors.push(format!(
                "{path}: \"{text}\" is not a time of day such as 17:00"
            ));
            NaiveTime::MIN
        })
    };
    let cutoff_time = time("rules.cutoff.at", &rules.cutoff.at, &mut errors);
    let change_time = time(
        "rules.change_deadline.at",
        &rules.change_deadline.at,
        &mut errors,
    );
    for (path, value, allowed) in [
        (
            "rules.pickup_number",
            &rules.pickup_number,
            &["reservation_number", "manufacture_number"][..],
        ),
        (
            "rules.pickup_proof",
            &rules.pickup_proof,
            &["birth_date", "password"][..],
        ),
        (
            "contact.email",
            &file.contact.email,
            &["required", "optional", "off"][..],
        ),
        (
            "contact.phone",
            &file.contact.phone,
            &["required", "optional", "off"][..],
        ),
        (
            "contact.name",
            &file.contact.name,
            &["required", "optional", "off"][..],
        ),
    ] {
        if !allowed.contains(&value.as_str()) {
            errors.push(format!(
                "{path}: \"{value}\" is not one of {}",
                allowed.join(", ")
            ));
        }
    }
    let settings = TenantSettings {
        code: file.code.clone(),
        name: file.name.clone(),
        name_en: file.name_en.clone(),
        hold_minutes: rules.hold_minutes,
        booking_opens_days: rules.booking_opens_days,
        cutoff_days_before: rules.cutoff.days_before,
        cutoff_time,
        change_deadline_days_before: rules.change_deadline.days_before,
        change_deadline_time: change_time,
        deadlines_skip_closed_days: rules.deadlines_skip_closed_days,
        max_party_size: rules.max_party_size,
        pickup_number_kind: rules.pickup_number.clone(),
        pickup_proof_kind: rules.pickup_proof.clone(),
        allow_transfers: rules.allow_transfers,
        closed_on_national_holidays: rules.closed_on_national_holidays,
        closed_over_new_year: rules.closed_over_new_year,
        slot_horizon_days: rules.slot_horizon_days,
        contact_email: file.contact.email.clone(),
        contact_phone: file.contact.phone.clone(),
        contact_name: file.contact.name.clone(),
        inquiry_phone: rules.inquiry_phone.clone(),
        notice_ja: file.texts.notice_ja.clone(),
        notice_en: file.texts.notice_en.clone(),
        maintenance_ja: file.texts.maintenance_ja.clone(),
        maintenance_en: file.texts.maintenance_en.clone(),
        staff_idle_minutes: rules.staff_idle_minutes,
    };
    let procedure_codes: BTreeSet<&str> = file.procedures.iter().map(|p| p.code.as_str()).collect();
    if procedure_codes.len() != file.procedures.len() {
        errors.push("procedures: a procedure code appears twice".into());
    }
    let procedures = file
        .procedures
        .iter()
        .enumerate()
        .map(|(i, p)| ProcedureFields {
            code: p.code.clone(),
            name_ja: p.name_ja.clone(),
            name_en: p.name_en.clone(),
            needs_card: p.needs_card,
            notes_ja: p.notes_ja.clone(),
            notes_en: p.notes_en.clone(),
            sort_order: i as i32,
            active: true,
        })
        .collect();
    let mut locations = Vec::new();
    for (li, location) in file.locations.iter().enumerate() {
        let mut lanes = Vec::new();
        for (ni, lane) in location.lanes.iter().enumerate() {
            let path = format!("locations[{li}].lanes[{ni}]");
            for code in &lane.procedures {
                if !procedure_codes.contains(code.as_str()) {
                    errors.push(format!("{path}.procedures: unknown procedure \"{code}\""));
                }
            }
            let mut timetables = Vec::new();
            for (ti, timetable) in lane.timetables.iter().enumerate() {
                let path = format!("{path}.timetables[{ti}]");
                if let Some(plan) = plan_timetable(&path, timetable, &mut errors) {
                    timetables.push(plan);
                }
            }
            timetables.sort_by_key(|t| t.effective_from);
            lanes.push(LanePlan {
                code: lane.code.clone(),
                name: lane.name.clone(),
                procedures: lane.procedures.clone(),
                timetables,
            });
        }
        locations.push((
            LocationFields {
                code: location.code.clone(),
                name: location.name.clone(),
                name_en: location.name_en.clone(),
                address: location.address.clone(),
                issues_cards: location.issues_cards,
                active: true,
            },
            lanes,
        ));
    }
    let location_codes: BTreeSet<&str> = file.locations.iter().map(|l| l.code.as_str()).collect();
    let mut closures = Vec::new();
    for (ci, closure) in file.closures.iter().enumerate() {
        let Some(day) = closure.date.parse() else {
            errors.push(format!("closures[{ci}].date: not a real date"));
            continue;
        };
        if let Some(code) = &closure.location {
            if !location_codes.contains(code.as_str()) {
                errors.push(format!(
                    "closures[{ci}].location: unknown location \"{code}\""
                ));
            }
        }
        closures.push((closure.location.clone(), day, closure.reason.clone()));
    }
    if errors.is_empty() {
        Ok(Plan {
            settings,
            procedures,
            locations,
            closures,
        })
    } else {
        Err(errors)
    }
}

fn plan_timetable(
    path: &str,
    file: &TimetableFile,
    errors: &mut Vec<String>,
) -> Option<TimetablePlan> {
    let effective_from = file.effective_from.parse();
    if effective_from.is_none() {
        errors.push(format!("{path}.effective_from: not a real date"));
    }
    if ![10, 15, 20, 30, 60].contains(&file.slot_minutes) {
        errors.push(format!(
            "{path}.slot_minutes: must be 10, 15, 20, 30 or 60, not {}",
            file.slot_minutes
        ));
    }
    let web_capacity = file.web_capacity.unwrap_or(file.capacity);
    if file.capacity < 1 || web_capacity < 0 || web_capacity > file.capacity {
        errors.push(format!(
            "{path}: capacity must be at least 1 and web_capacity between 0 and capacity"
        ));
    }
    let mut periods = Vec::new();
    for (key, ranges) in &file.hours {
        let days: Vec<i16> = match key.as_str() {
            "mon" => vec![1],
            "tue" => vec![2],
            "wed" => vec![3],
            "thu" => vec![4],
            "fri" => vec![5],
            "sat" => vec![6],
            "sun" => vec![7],
            "weekdays" => vec![1, 2, 3, 4, 5],
            other => {
                errors.push(format!(
                    "{path}.hours: \"{other}\" is not mon … sun or weekdays"
                ));
                continue;
            }
        };
        for (ri, range) in ranges.iter().enumerate() {
            let parsed = range.split_once('-').and_then(|(a, b)| {
                let opens = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
                let closes = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
                (opens < closes).then_some((opens, closes))
            });
            match parsed {
                Some((opens, closes)) => {
                    for day in &days {
                        periods.push((*day, opens, closes));
                    }
                }
                None => errors.push(format!(
                    "{path}.hours.{key}[{ri}]: \"{range}\" is not a period such as 09:00-12:00"
                )),
            }
        }
    }
    periods.sort();
    for pair in periods.windows(2) {
        if pair[0].0 == pair[1].0 && pair[1].1 < pair[0].2 {
            errors.push(format!(
                "{path}.hours: periods overlap on weekday {}",
                pair[0].0
            ));
        }
    }
    Some(TimetablePlan {
        effective_from: effective_from?,
        slot_minutes: file.slot_minutes,
        capacity: file.capacity,
        web_capacity,
        periods,
    })
}

enum Stop {
    DryRun(ApplyReport),
    Failed(anyhow::Error),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Failed(e.into())
    }
}

/// Applies the file; on a dry run nothing is kept. Returns the changes.
pub fn apply(
    conn: &mut PgConnection,
    file: &TenantFile,
    dry_run: bool,
) -> anyhow::Result<ApplyReport> {
    let plan = plan(file).map_err(|errors| {
        anyhow::anyhow!("the tenant file has errors:\n  {}", errors.join("\n  "))
    })?;
    let outcome = conn.transaction(|conn| {
        let report = apply_plan(conn, &plan)?;
        if dry_run {
            Err(Stop::DryRun(report))
        } else {
            Ok(report)
        }
    });
    match outcome {
        Ok(report) | Err(Stop::DryRun(report)) => Ok(report),
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// One line per field that differs between two versions of a row.
fn diff_fields<T: Serialize>(label: &str, old: &T, new: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(old)), Ok(serde_json::Value::Object(new))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    new.iter()
        .filter(|(key, value)| old.get(*key) != Some(value))
        .map(|(key, value)| {
            let before = old.get(key).map(|v| v.to_string()).unwrap_or_default();
            format!("~ {label}: {key} {before} → {value}")
        })
        .collect()
}

fn apply_plan(conn: &mut PgConnection, plan: &Plan) -> Result<ApplyReport, Stop> {
    let mut changes = Vec::new();
    let tenant_id = match Tenant::by_code(conn, &plan.settings.code)? {
        Some(existing) => {
            let diff = diff_fields(
                &format!("tenant {}", existing.code),
                &existing.settings,
                &plan.settings,
            );
            if !diff.is_empty() {
                diesel::update(tenants::table.find(existing.id))
                    .set((&plan.settings, tenants::updated_at.eq(diesel::dsl::now)))
                    .execute(conn)?;
                changes.extend(diff);
            }
            existing.id
        }
        None => {
            changes.push(format!(
                "+ tenant {} ({})",
                plan.settings.code, plan.settings.name
            ));
            diesel::insert_into(tenants::table)
                .values(&plan.settings)
                .returning(tenants::id)
                .get_result(conn)?
        }
    };

    let existing: HashMap<String, Procedure> = Procedure::for_tenant(conn, tenant_id)?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let mut procedure_ids = HashMap::new();
    for fields in &plan.procedures {
        let id = match existing.get(&fields.code) {
            Some(old) => {
                let diff = diff_fields(&format!("procedure {}", old.code), &old.fields(), fields);
                if !diff.is_empty() {
                    diesel::update(procedures::table.find(old.id))
                        .set(fields)
                        .execute(conn)?;
                    changes.extend(diff);
                }
                old.id
            }
            None => {
                changes.push(format!("+ procedure {} ({})", fields.code, fields.name_ja));
                diesel::insert_into(procedures::table)
                    .values((fields, procedures::tenant_id.eq(tenant_id)))
                    .returning(procedures::id)
                    .get_result(conn)?
            }
        };
        procedure_ids.insert(fields.code.clone(), id);
    }
    for old in existing
        .values()
        .filter(|p| p.active && !procedure_ids.contains_key(&p.code))
    {
        changes.push(format!("- procedure {} (no longer offered)", old.code));
        diesel::update(procedures::table.find(old.id))
            .set(procedures::active.eq(false))
            .execute(conn)?;
    }

    let existing: HashMap<String, Location> = Location::for_tenant(conn, tenant_id)?
        .into_iter()
        .map(|l| (l.code.clone(), l))
        .collect();
    let mut location_ids = HashMap::new();
    for (fields, lanes) in &plan.locations {
        let id = match existing.get(&fields.code) {
            Some(old) => {
                let diff = diff_fields(&format!("location {}", old.code), &old.fields(), fields);
                if !diff.is_empty() {
                    diesel::update(locations::table.find(old.id))
                        .set(fields)
                        .execute(conn)?;
                    changes.extend(diff);
                }
                old.id
            }
            None => {
                changes.push(format!("+ location {} ({})", fields.code, fields.name));
                diesel::insert_into(locations::table)
                    .values((fields, locations::tenant_id.eq(tenant_id)))
                    .returning(locations::id)
                    .get_result(conn)?
            }
        };
        location_ids.insert(fields.code.clone(), id);
        apply_lanes(
            conn,
            tenant_id,
            id,
            &fields.code,
            lanes,
            &procedure_ids,
            &mut changes,
        )?;
    }
    for old in existing
        .values()
        .filter(|l| l.active && !location_ids.contains_key(&l.code))
    {
        changes.push(format!("- location {} (closed for bookings)", old.code));
        diesel::update(locations::table.find(old.id))
            .set(locations::active.eq(false))
            .execute(conn)?;
        diesel::update(lanes::table.filter(lanes::location_id.eq(old.id)))
            .set(lanes::active.eq(false))
            .execute(conn)?;
    }

    apply_closures(conn, tenant_id, &plan.closures, &location_ids, &mut changes)?;
    Ok(ApplyReport { tenant_id, changes })
}

fn apply_lanes(
    conn: &mut PgConnection,
    tenant_id: i64,
    location_id: i64,
    location_code: &str,
    plans: &[LanePlan],
    procedure_ids: &HashMap<String, i64>,
    changes: &mut Vec<String>,
) -> Result<(), Stop> {
    let existing: HashMap<String, Lane> = Lane::for_tenant(conn, tenant_id)?
        .into_iter()
        .filter(|l| l.location_id == location_id)
        .map(|l| (l.code.clone(), l))
        .collect();
    for lane in plans {
        let label = format!("lane {location_code}/{}", lane.code);
        let lane_id = match existing.get(&lane.code) {
            Some(old) => {
                if old.name != lane.name || !old.active {
                    changes.push(format!("~ {label}: name or state"));
                    diesel::update(lanes::table.find(old.id))
                        .set((lanes::name.eq(&lane.name), lanes::active.eq(true)))
                        .execute(conn)?;
                }
                old.id
            }
            None => {
                changes.push(format!("+ {label}"));
                diesel::insert_into(lanes::table)
                    .values((
                        lanes::tenant_id.eq(tenant_id),
                        lanes::location_id.eq(location_id),
                        lanes::code.eq(&lane.code),
                        lanes::name.eq(&lane.name),
                    ))
                    .returning(lanes::id)
                    .get_result(conn)?
            }
        };
        let mut wanted: Vec<i64> = lane
            .procedures
            .iter()
            .filter_map(|c| procedure_ids.get(c).copied())
            .collect();
        wanted.sort();
        if Lane::procedure_ids(conn, lane_id)? != wanted {
            changes.push(format!(
                "~ {label}: procedures {}",
                lane.procedures.join(", ")
            ));
            diesel::delete(lane_procedures::table.filter(lane_procedures::lane_id.eq(lane_id)))
                .execute(conn)?;
            let rows: Vec<NewLaneProcedure> = wanted
                .iter()
                .map(|procedure_id| NewLaneProcedure {
                    lane_id,
                    location_id,
                    procedure_id: *procedure_id,
                    tenant_id,
                })
                .collect();
            diesel::insert_into(lane_procedures::table)
                .values(&rows)
                .execute(conn)?;
        }
        apply_timetables(conn, tenant_id, lane_id, &label, &lane.timetables, changes)?;
    }
    let planned: BTreeSet<&str> = plans.iter().map(|l| l.code.as_str()).collect();
    for old in existing
        .values()
        .filter(|l| l.active && !planned.contains(l.code.as_str()))
    {
        changes.push(format!("- lane {location_code}/{} (closed)", old.code));
        diesel::update(lanes::table.find(old.id))
            .set(lanes::active.eq(false))
            .execute(conn)?;
    }
    Ok(())
}

fn apply_timetables(
    conn: &mut PgConnection,
    tenant_id: i64,
    lane_id: i64,
    label: &str,
    plans: &[TimetablePlan],
    changes: &mut Vec<String>,
) -> Result<(), Stop> {
    let existing: Vec<Timetable> = Timetable::for_tenant(conn, tenant_id)?
        .into_iter()
        .filter(|t| t.lane_id == lane_id)
        .collect();
    let ids: Vec<i64> = existing.iter().map(|t| t.id).collect();
    let periods = Timetable::periods_of(conn, &ids)?;
    let current: Vec<(i64, TimetablePlan)> = existing
        .iter()
        .map(|t| {
            let mut own: Vec<(i16, NaiveTime, NaiveTime)> = periods
                .iter()
                .filter(|p| p.timetable_id == t.id)
                .map(|p| (p.weekday, p.opens, p.closes))
                .collect();
            own.sort();
            (
                t.id,
                TimetablePlan {
                    effective_from: t.effective_from,
                    slot_minutes: t.slot_minutes,
                    capacity: t.capacity,
                    web_capacity: t.web_capacity,
                    periods: own,
                },
            )
        })
        .collect();
    for plan in plans {
        let same_day = current
            .iter()
            .find(|(_, c)| c.effective_from == plan.effective_from);
        if let Some((_, old)) = same_day {
            if old == plan {
                continue;
            }
        }
        if let Some((id, _)) = same_day {
            diesel::delete(timetables::table.find(id)).execute(conn)?;
            changes.push(format!("~ {label}: timetable from {}", plan.effective_from));
        } else {
            changes.push(format!("+ {label}: timetable from {}", plan.effective_from));
        }
        let id: i64 = diesel::insert_into(timetables::table)
            .values((
                timetables::tenant_id.eq(tenant_id),
                timetables::lane_id.eq(lane_id),
                timetables::effective_from.eq(plan.effective_from),
                timetables::slot_minutes.eq(plan.slot_minutes),
                timetables::capacity.eq(plan.capacity),
                timetables::web_capacity.eq(plan.web_capacity),
            ))
            .returning(timetables::id)
            .get_result(conn)?;
        let rows: Vec<Period> = plan
            .periods
            .iter()
            .map(|(weekday, opens, closes)| Period {
                timetable_id: id,
                weekday: *weekday,
                opens: *opens,
                closes: *closes,
            })
            .collect();
        diesel::insert_into(timetable_periods::table)
            .values(&rows)
            .execute(conn)?;
    }
    for (id, old) in &current {
        if !plans.iter().any(|p| p.effective_from == old.effective_from) {
            changes.push(format!("- {label}: timetable from {}", old.effective_from));
            diesel::delete(timetables::table.find(id)).execute(conn)?;
        }
    }
    Ok(())
}

fn apply_closures(
    conn: &mut PgConnection,
    tenant_id: i64,
    plans: &[(Option<String>, NaiveDate, String)],
    location_ids: &HashMap<String, i64>,
    changes: &mut Vec<String>,
) -> Result<(), Stop> {
    let existing = Closure::for_tenant(conn, tenant_id)?;
    let mut kept = BTreeSet::new();
    for (location_code, day, reason) in plans {
        let location_id = location_code
            .as_ref()
            .and_then(|c| location_ids.get(c).copied());
        let label = format!(
            "closure {day} {}",
            location_code.as_deref().unwrap_or("(all locations)")
        );
        match existing
            .iter()
            .find(|c| c.location_id == location_id && c.day == *day)
        {
            Some(old) => {
                kept.insert(old.id);
                if &old.reason != reason {
                    changes.push(format!("~ {label}: reason"));
                    diesel::update(closures::table.find(old.id))
                        .set(closures::reason.eq(reason))
                        .execute(conn)?;
                }
            }
            None => {
                changes.push(format!("+ {label}"));
                diesel::insert_into(closures::table)
                    .values((
                        closures::tenant_id.eq(tenant_id),
                        closures::location_id.eq(location_id),
                        closures::day.eq(day),
                        closures::reason.eq(reason),
                    ))
                    .execute(conn)?;
            }
        }
    }
    for old in existing.iter().filter(|c| !kept.contains(&c.id)) {
        changes.push(format!("- closure {}", old.day));
        diesel::delete(closures::table.find(old.id)).execute(conn)?;
    }
    Ok(())
}
