//! A request names a slot by id, or by location and start time.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::PgConnection;

use crate::db::lane::Lane;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::db::slot::Slot;
use crate::db::tenant::Tenant;
use crate::domain::Clock;
use crate::error::{AppError, Resource};

/// Request bodies embed these three fields (`#[serde(flatten)]` would lose the path of a
/// field in error, so each body lists them and calls `slot_ref()`).
#[derive(Debug, Default)]
pub struct SlotRef {
    pub slot_id: Option<i64>,
    pub location: Option<String>,
    /// RFC 3339 (`2026-12-03T10:15:00+09:00`) or local time (`2026-12-03T10:15`).
    pub start: Option<String>,
}

impl SlotRef {
    pub fn is_empty(&self) -> bool {
        self.slot_id.is_none() && self.location.is_none() && self.start.is_none()
    }

    pub fn resolve(
        &self,
        conn: &mut PgConnection,
        clock: &Clock,
        tenant: &Tenant,
        procedure: &Procedure,
    ) -> Result<i64, AppError> {
        if let Some(id) = self.slot_id {
            return Slot::find(conn, tenant.id, id)?
                .map(|slot| slot.id)
                .ok_or(AppError::NotFound(Resource::Slot));
        }
        let (Some(location), Some(start)) = (&self.location, &self.start) else {
            return Err(AppError::invalid("slot_id", "invalid_slot_missing"));
        };
        let location = Location::active_by_code(conn, tenant.id, location)?
            .ok_or(AppError::NotFound(Resource::Location))?;
        let lane =
            Lane::serving(conn, location.id, procedure.id)?.ok_or(AppError::ProcedureNotOffered)?;
        let starts_at = parse_instant(clock, start)?;
        Slot::on_lane_at(conn, lane.id, starts_at)?
            .map(|slot| slot.id)
            .ok_or_else(|| AppError::invalid("start", "invalid_no_slot_at_start"))
    }
}

pub fn parse_instant(clock: &Clock, text: &str) -> Result<DateTime<Utc>, AppError> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|local| clock.instant(local))
        .ok_or_else(|| AppError::invalid("start", "invalid_start_format"))
}

pub fn load_procedure(
    conn: &mut PgConnection,
    tenant: &Tenant,
    code: &str,
) -> Result<Procedure, AppError> {
    Procedure::online_by_code(conn, tenant.id, code)?.ok_or(AppError::NotFound(Resource::Procedure))
}
