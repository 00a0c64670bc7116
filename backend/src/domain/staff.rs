//! Staff accounts: roles, the password policy, and logging in without telling whether an
//! account exists.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::Duration;
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::json;

use super::input::new_client_token;
use super::Clock;
use crate::db::audit::NewAuditEntry;
use crate::db::schema::staff_accounts;
use crate::db::staff::{NewStaffAccount, StaffAccount, StaffSession};
use crate::db::tenant::Tenant;

pub const LOCK_AFTER_FAILURES: i32 = 5;
pub const LOCK_MINUTES: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Supervisor,
    Counter,
    Operator,
    Auditor,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "admin" => Role::Admin,
            "supervisor" => Role::Supervisor,
            "counter" => Role::Counter,
            "operator" => Role::Operator,
            "auditor" => Role::Auditor,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Counter => "counter",
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        }
    }
}

/// What a role may do in the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Anything a logged-in account may do (log out, change its own password).
    Any,
    /// See the day's bookings and check visitors in.
    CounterDesk,
    /// Manage staff accounts.
    ManageStaff,
    /// Find, read and export bookings (every role, auditors read-only).
    ViewBookings,
    /// Book, move, cancel and annotate bookings on a caller's behalf.
    ProxyBooking,
    /// Read and export the operation log.
    ViewOperationLog,
}

impl Role {
    pub fn may(self, permission: Permission) -> bool {
        match permission {
            Permission::Any => true,
            Permission::CounterDesk => {
                matches!(self, Role::Admin | Role::Supervisor | Role::Counter)
            }
            Permission::ManageStaff => self == Role::Admin,
            Permission::ViewBookings => true,
            Permission::ProxyBooking => {
                matches!(self, Role::Admin | Role::Supervisor | Role::Operator)
            }
            Permission::ViewOperationLog => matches!(self, Role::Admin | Role::Auditor),
        }
    }
}

/// The default policy: at least 8 characters with upper and lower case, a digit and a symbol.
pub fn policy_problems(password: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if password.chars().count() < 8 {
        problems.push("at least 8 characters");
    }
    if !password.chars().any(|c| c.is_ascii_uppercase()) {
        problems.push("an upper-case letter");
    }
    if !password.chars().any(|c| c.is_ascii_lowercase()) {
        problems.push("a lower-case letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push("a digit");
    }
    if !password.chars().any(|c| c.is_ascii_punctuation()) {
        problems.push("a symbol");
    }
    problems
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Verified against when the login does not exist, so that the time taken is the same.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&new_client_token(&mut rand::thread_rng())).unwrap_or_default());

fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn create_account(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    login: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<StaffAccount> {
    let problems = policy_problems(password);
    if !problems.is_empty() {
        anyhow::bail!("the password needs {}", problems.join(", "));
    }
    let hash = hash_password(password)?;
    let account = diesel::insert_into(staff_accounts::table)
        .values(NewStaffAccount {
            tenant_id: tenant.id,
            login,
            display_name: login,
            password_hash: &hash,
            role: role.as_str(),
            location_ids: Vec::new(),
            must_change_password: false,
            created_at: clock.now,
        })
        .returning(StaffAccount::as_returning())
        .get_result(conn)?;
    Ok(account)
}

#[derive(Debug)]
pub enum LoginOutcome {
    LoggedIn {
        session: StaffSession,
    },
    /// Wrong login or password, or a locked or inactive account: one answer for all.
    Refused,
}

/// Checks a login. Every attempt is in the audit log; five failures in a row lock the
/// account for 30 minutes.
pub fn log_in(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    login: &str,
    password: &str,
    client_addr: Option<&str>,
) -> anyhow::Result<LoginOutcome> {
    let account = StaffAccount::by_login(conn, tenant.id, login)?;
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.as_str())
        .unwrap_or(DUMMY_HASH.as_str());
    let password_ok = verify(hash, password);
    let audit = |conn: &mut PgConnection, action: &str| {
        NewAuditEntry {
            tenant_id: Some(tenant.id),
            actor: &format!("staff:{login}"),
            action,
            target: login,
            client_addr,
            details: json!({}),
            created_at: clock.now,
        }
        .insert(conn)
    };
    let Some(account) = account else {
        audit(conn, "staff.login_failed")?;
        return Ok(LoginOutcome::Refused);
    };
    let locked = account.locked_until.is_some_and(|until| until > clock.now);
    if locked || !account.active || !password_ok {
        if !locked && account.active {
            StaffAccount::record_failure(
                conn,
                account.id,
                LOCK_AFTER_FAILURES,
                clock.now + Duration::minutes(LOCK_MINUTES),
            )?;
        }
        audit(
            conn,
            if locked {
                "staff.login_locked"
            } else {
                "staff.login_failed"
            },
        )?;
        return Ok(LoginOutcome::Refused);
    }
    StaffAccount::clear_failures(conn, account.id)?;
    let mut rng = rand::thread_rng();
    let session = StaffSession {
        token: format!(
            "{}{}",
            new_client_token(&mut rng),
            new_client_token(&mut rng)
        ),
        tenant_id: tenant.id,
        staff_id: account.id,
        csrf_token: new_client_token(&mut rng),
        client_addr: client_addr.map(str::to_string),
        created_at: clock.now,
        last_seen_at: clock.now,
        revoked_at: None,
    };
    diesel::insert_into(crate::db::schema::staff_sessions::table)
        .values(&session)
        .execute(conn)?;
    audit(conn, "staff.login")?;
    Ok(LoginOutcome::LoggedIn { session })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_names_what_is_missing() {
        assert_eq!(policy_problems("Madoguchi#2026"), Vec::<&str>::new());
        assert_eq!(
            policy_problems("short1!"),
            vec!["at least 8 characters", "an upper-case letter"]
        );
        assert_eq!(
            policy_problems("ALLUPPER123"),
            vec!["a lower-case letter", "a symbol"]
        );
    }

    #[test]
    fn a_hash_verifies_only_its_password() {
        let hash = hash_password("Madoguchi#2026").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify(&hash, "Madoguchi#2026"));
        assert!(!verify(&hash, "madoguchi#2026"));
    }
}
