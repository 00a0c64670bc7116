//! Applying a checked tenant file in one transaction, one change line per difference.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveTime;
use diesel::prelude::*;
use diesel::PgConnection;
use serde::Serialize;

use super::file::{ApplyReport, TenantFile};
use super::plan::{plan, LanePlan, Plan, TimetablePlan};
use crate::db::lane::{Lane, NewLaneProcedure};
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::schema::{
    lane_procedures, lanes, locations, procedures, tenants, timetable_periods, timetables,
};
use crate::db::tenant::Tenant;
use crate::db::timetable::{Period, Timetable};

pub(super) enum Stop {
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

    super::closures::apply(conn, tenant_id, &plan.closures, &location_ids, &mut changes)?;
    super::card_columns::apply(conn, tenant_id, &plan.card_columns, &mut changes)?;
    super::mail_settings::apply(conn, tenant_id, &plan.mail, &mut changes)?;
    super::translations::apply(
        conn,
        tenant_id,
        &plan.translations,
        &procedure_ids,
        &location_ids,
        &mut changes,
    )?;
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
