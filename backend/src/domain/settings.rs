//! Changing a city's rules from the console. A change is made to the city's tenant file
//! (`tenant_file::export`) and applied as `tenant apply` would apply it: the console and the
//! file are one model, a preview is the same dry run, and the version an administrator
//! saw is the file's hash, so a change made meanwhile (on screen or by the operator) is
//! never overwritten silently.

use chrono::NaiveTime;
use diesel::PgConnection;
use sha2::{Digest, Sha256};

use crate::db::kinds::{ContactRule, PickupNumberKind, PickupProofKind};
use crate::db::tenant::Tenant;
use crate::domain::tenant_file::{self, DeadlineFile, TenantFile};
use std::collections::HashSet;

use diesel::Connection;

use crate::domain::displaced::{self, Decided, Displaced, Unsettled};
use crate::domain::slots::{self, GenerationReport};
use crate::domain::Clock;
use crate::error::AppError;

/// The rules as typed into the console's form, each field as text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RulesInput {
    #[serde(default)]
    pub hold_minutes: String,
    #[serde(default)]
    pub booking_opens_days: String,
    #[serde(default)]
    pub cutoff_days_before: String,
    #[serde(default)]
    pub cutoff_at: String,
    #[serde(default)]
    pub change_days_before: String,
    #[serde(default)]
    pub change_at: String,
    #[serde(default)]
    pub deadlines_skip_closed_days: Option<String>,
    #[serde(default)]
    pub max_party_size: String,
    #[serde(default)]
    pub pickup_number: String,
    #[serde(default)]
    pub pickup_proof: String,
    #[serde(default)]
    pub allow_transfers: Option<String>,
    #[serde(default)]
    pub closed_on_national_holidays: Option<String>,
    #[serde(default)]
    pub closed_over_new_year: Option<String>,
    #[serde(default)]
    pub reminder_hour: String,
    #[serde(default)]
    pub confirm_email: Option<String>,
    #[serde(default)]
    pub inquiry_phone: String,
    #[serde(default)]
    pub staff_idle_minutes: String,
    #[serde(default)]
    pub staff_password_min_length: String,
    #[serde(default)]
    pub staff_password_mixed: Option<String>,
    /// One address range per line.
    #[serde(default)]
    pub staff_networks: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_name: String,
}

/// A field that cannot be taken as typed: its name, the catalogue message and the
/// message's values.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub field: String,
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
}

/// The numeric fields and the ranges they may take.
pub const RANGES: [(&str, i32, i32); 8] = [
    ("hold_minutes", 1, 60),
    ("booking_opens_days", 1, 365),
    ("cutoff_days_before", 0, 30),
    ("change_days_before", 0, 30),
    ("max_party_size", 1, 10),
    ("reminder_hour", 0, 23),
    ("staff_idle_minutes", 5, 120),
    ("staff_password_min_length", 8, 128),
];

impl RulesInput {
    /// The form as the city's rules stand.
    pub fn of(file: &TenantFile) -> RulesInput {
        let r = &file.rules;
        let flag = |on: bool| on.then(|| "1".to_string());
        RulesInput {
            hold_minutes: r.hold_minutes.to_string(),
            booking_opens_days: r.booking_opens_days.to_string(),
            cutoff_days_before: r.cutoff.days_before.to_string(),
            cutoff_at: r.cutoff.at.clone(),
            change_days_before: r.change_deadline.days_before.to_string(),
            change_at: r.change_deadline.at.clone(),
            deadlines_skip_closed_days: flag(r.deadlines_skip_closed_days),
            max_party_size: r.max_party_size.to_string(),
            pickup_number: r.pickup_number.clone(),
            pickup_proof: r.pickup_proof.clone(),
            allow_transfers: flag(r.allow_transfers),
            closed_on_national_holidays: flag(r.closed_on_national_holidays),
            closed_over_new_year: flag(r.closed_over_new_year),
            reminder_hour: r.reminder_hour.to_string(),
            confirm_email: flag(r.confirm_email),
            inquiry_phone: r.inquiry_phone.clone(),
            staff_idle_minutes: r.staff_idle_minutes.to_string(),
            staff_password_min_length: r.staff_password_min_length.to_string(),
            staff_password_mixed: flag(r.staff_password_mixed),
            staff_networks: r.staff_networks.join("\n"),
            contact_email: file.contact.email.clone(),
            contact_phone: file.contact.phone.clone(),
            contact_name: file.contact.name.clone(),
        }
    }

    /// The city's file with these rules in place of its own; or every field that cannot
    /// be taken, each with why.
    pub fn into_file(self, mut file: TenantFile) -> Result<TenantFile, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut number = |field: &'static str, text: &str| -> i32 {
            let (_, min, max) = RANGES
                .iter()
                .copied()
                .find(|(name, _, _)| *name == field)
                .unwrap_or((field, i32::MIN, i32::MAX));
            match text.trim().parse::<i32>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    problems.push(Problem {
                        field: field.into(),
                        message: "settings_error_range",
                        args: vec![("min", min.to_string()), ("max", max.to_string())],
                    });
                    0
                }
            }
        };
        let r = &mut file.rules;
        r.hold_minutes = number("hold_minutes", &self.hold_minutes);
        r.booking_opens_days = number("booking_opens_days", &self.booking_opens_days);
        let cutoff_days = number("cutoff_days_before", &self.cutoff_days_before);
        let change_days = number("change_days_before", &self.change_days_before);
        r.max_party_size = number("max_party_size", &self.max_party_size);
        r.reminder_hour = number("reminder_hour", &self.reminder_hour);
        r.staff_idle_minutes = number("staff_idle_minutes", &self.staff_idle_minutes);
        r.staff_password_min_length =
            number("staff_password_min_length", &self.staff_password_min_length);
        for (field, text, days, target) in [
            ("cutoff_at", &self.cutoff_at, cutoff_days, &mut r.cutoff),
            (
                "change_at",
                &self.change_at,
                change_days,
                &mut r.change_deadline,
            ),
        ] {
            match NaiveTime::parse_from_str(text.trim(), "%H:%M") {
                Ok(at) => {
                    *target = DeadlineFile {
                        days_before: days,
                        at: at.format("%H:%M").to_string(),
                    }
                }
                Err(_) => problems.push(Problem {
                    field: field.into(),
                    message: "settings_error_time",
                    args: Vec::new(),
                }),
            }
        }
        let mut choice = |field: &'static str, text: &str, valid: bool| {
            if !valid {
                problems.push(Problem {
                    field: field.into(),
                    message: "settings_error_choice",
                    args: vec![("value", text.to_string())],
                });
            }
            text.trim().to_string()
        };
        r.pickup_number = choice(
            "pickup_number",
            &self.pickup_number,
            PickupNumberKind::parse(self.pickup_number.trim()).is_some(),
        );
        r.pickup_proof = choice(
            "pickup_proof",
            &self.pickup_proof,
            PickupProofKind::parse(self.pickup_proof.trim()).is_some(),
        );
        let contact = &mut file.contact;
        for (field, text, target) in [
            ("contact_email", &self.contact_email, &mut contact.email),
            ("contact_phone", &self.contact_phone, &mut contact.phone),
            ("contact_name", &self.contact_name, &mut contact.name),
        ] {
            *target = choice(field, text, ContactRule::parse(text.trim()).is_some());
        }
        let r = &mut file.rules;
        r.deadlines_skip_closed_days = self.deadlines_skip_closed_days.is_some();
        r.allow_transfers = self.allow_transfers.is_some();
        r.closed_on_national_holidays = self.closed_on_national_holidays.is_some();
        r.closed_over_new_year = self.closed_over_new_year.is_some();
        r.confirm_email = self.confirm_email.is_some();
        r.staff_password_mixed = self.staff_password_mixed.is_some();
        let phone = self.inquiry_phone.trim();
        if phone.chars().count() > 30 || phone.chars().any(char::is_control) {
            problems.push(Problem {
                field: "inquiry_phone".into(),
                message: "settings_error_phone",
                args: Vec::new(),
            });
        }
        r.inquiry_phone = phone.to_string();
        r.staff_networks = Vec::new();
        for line in self
            .staff_networks
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match line.parse::<ipnet::IpNet>() {
                Ok(net) => r.staff_networks.push(net.to_string()),
                Err(_) => problems.push(Problem {
                    field: "staff_networks".into(),
                    message: "settings_error_network",
                    args: vec![("value", line.to_string())],
                }),
            }
        }
        if problems.is_empty() {
            Ok(file)
        } else {
            Err(problems)
        }
    }
}

/// The version of a city's settings an administrator saw: the hash of its tenant file.
pub fn version(file: &TenantFile) -> Result<String, AppError> {
    let text = toml::to_string(file).map_err(|e| AppError::Internal(e.into()))?;
    Ok(crate::domain::secret::hex(&Sha256::digest(text.as_bytes())))
}

/// The city's tenant file as it stands, and its version.
pub fn current(conn: &mut PgConnection, tenant: &Tenant) -> Result<(TenantFile, String), AppError> {
    let file = tenant_file::export(conn, tenant).map_err(AppError::Internal)?;
    let version = version(&file)?;
    Ok((file, version))
}

/// What a change would do: the tenant file's change lines, the slots it creates, closes
/// or resizes, and the bookings it leaves without a place.
#[derive(Debug)]
pub struct Preview {
    pub changes: Vec<String>,
    pub slots: GenerationReport,
    pub displaced: Vec<Displaced>,
}

/// Applies `file` and brings the slots in line, inside the caller's transaction. The
/// bookings already without a place before the change (kept by an earlier decision) are
/// not counted again.
fn apply_and_find(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    file: &TenantFile,
) -> Result<Preview, AppError> {
    let earlier = slots::generate_horizon(conn, clock, tenant)?;
    let earlier: HashSet<i64> = displaced::on_slots(conn, tenant, &earlier.needing_attention)?
        .into_iter()
        .map(|d| d.booking_id)
        .collect();
    let changes = tenant_file::apply(conn, file, false)
        .map_err(AppError::Internal)?
        .changes;
    let tenant = Tenant::by_id(conn, tenant.id)?;
    let report = slots::generate_horizon(conn, clock, &tenant)?;
    let displaced = displaced::on_slots(conn, &tenant, &report.needing_attention)?
        .into_iter()
        .filter(|d| !earlier.contains(&d.booking_id))
        .collect();
    Ok(Preview {
        changes,
        slots: report,
        displaced,
    })
}

/// Undoes a savepoint's work while carrying a result out of it.
enum Undo<T> {
    With(T),
    Failed(AppError),
}

impl<T> From<diesel::result::Error> for Undo<T> {
    fn from(e: diesel::result::Error) -> Self {
        Undo::Failed(e.into())
    }
}

impl<T> From<AppError> for Undo<T> {
    fn from(e: AppError) -> Self {
        Undo::Failed(e)
    }
}

/// What applying `file` would do; nothing is kept.
pub fn preview(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    file: &TenantFile,
) -> Result<Preview, AppError> {
    let outcome: Result<(), Undo<Preview>> = conn.transaction(|conn| {
        let preview = apply_and_find(conn, clock, tenant, file)?;
        Err(Undo::With(preview))
    });
    match outcome {
        Err(Undo::With(preview)) => Ok(preview),
        Err(Undo::Failed(e)) => Err(e),
        Ok(()) => unreachable!("a preview is always undone"),
    }
}

/// Why a change was not saved.
#[derive(Debug)]
pub enum NotSaved {
    /// The settings changed since the administrator read them (version `seen`).
    ChangedMeanwhile,
    /// The change now displaces other bookings than those listed when it was decided.
    DisplacedChanged,
    /// It displaces bookings and no one chose to keep or cancel them.
    Undecided,
}

/// What a saved change did.
#[derive(Debug)]
pub struct Saved {
    pub changes: Vec<String>,
    /// Codes of the bookings cancelled with a message, and of those kept.
    pub cancelled: Vec<String>,
    pub kept: Vec<String>,
}

/// Applies `file` when the settings are still at the version `seen` and the bookings it
/// displaces are those the administrator decided on, and makes the slots the new rules
/// call for. Nothing is kept when it is not saved.
pub fn save(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    seen: &str,
    file: &TenantFile,
    decided: &Decided,
) -> Result<Result<Saved, NotSaved>, AppError> {
    // The tenant row is locked first, so that two saves cannot both pass the check.
    Tenant::lock(conn, tenant.id)?;
    let (_, now) = current(conn, tenant)?;
    if now != seen {
        return Ok(Err(NotSaved::ChangedMeanwhile));
    }
    let outcome: Result<Saved, Undo<NotSaved>> = conn.transaction(|conn| {
        let preview = apply_and_find(conn, clock, tenant, file)?;
        let settled = displaced::settle(conn, clock, tenant, &preview.displaced, decided)?;
        let settled = match settled {
            Ok(settled) => settled,
            Err(Unsettled::Changed) => return Err(Undo::With(NotSaved::DisplacedChanged)),
            Err(Unsettled::Undecided) => return Err(Undo::With(NotSaved::Undecided)),
        };
        if !settled.cancelled.is_empty() {
            // The places they held are gone with the new hours now.
            let tenant = Tenant::by_id(conn, tenant.id)?;
            slots::generate_horizon(conn, clock, &tenant)?;
        }
        let saved = Saved {
            changes: preview.changes,
            cancelled: settled.cancelled,
            kept: settled.kept,
        };
        Ok(saved)
    });
    match outcome {
        Ok(saved) => Ok(Ok(saved)),
        Err(Undo::With(why)) => Ok(Err(why)),
        Err(Undo::Failed(e)) => Err(e),
    }
}
