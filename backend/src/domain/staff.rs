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

use madoguchi_frontend::i18n::{tf, Lang};

use super::input::new_client_token;
use super::Clock;
use crate::db::audit::NewAuditEntry;
use crate::db::staff::{StaffAccount, StaffSession};
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
    /// Import J-LIS card files and the national holiday list.
    ImportData,
    /// Move cards through their life by hand (notice sent, to return, returned, destroyed).
    ManageCards,
    /// See messages to residents and send failed ones again.
    ManageMail,
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
            Permission::ImportData => self == Role::Admin,
            Permission::ManageCards | Permission::ManageMail => {
                matches!(self, Role::Admin | Role::Supervisor)
            }
        }
    }
}

type CharTest = fn(&char) -> bool;

/// A tenant's rule for staff passwords: a minimum length and, by default, a mix of upper
/// and lower case, digits and symbols.
#[derive(Clone, Copy, Debug)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub mixed: bool,
}

impl PasswordPolicy {
    pub fn of(tenant: &Tenant) -> PasswordPolicy {
        PasswordPolicy {
            min_length: usize::try_from(tenant.staff_password_min_length).unwrap_or(8),
            mixed: tenant.staff_password_mixed,
        }
    }

    /// What `password` lacks, as message keys (`password_rule_*`); empty when it passes.
    pub fn problems(self, password: &str) -> Vec<&'static str> {
        let mut problems = Vec::new();
        if password.chars().count() < self.min_length {
            problems.push("password_rule_length");
        }
        if !self.mixed {
            return problems;
        }
        let checks: [(CharTest, &str); 4] = [
            (char::is_ascii_uppercase, "password_rule_upper"),
            (char::is_ascii_lowercase, "password_rule_lower"),
            (char::is_ascii_digit, "password_rule_digit"),
            (char::is_ascii_punctuation, "password_rule_symbol"),
        ];
        for (present, key) in checks {
            if !password.chars().any(|c| present(&c)) {
                problems.push(key);
            }
        }
        problems
    }

    /// The problems as one sentence in `lang`.
    pub fn explain(self, lang: Lang, problems: &[&str]) -> String {
        let n = self.min_length.to_string();
        let parts: Vec<String> = problems
            .iter()
            .map(|key| tf(lang, key, &[("n", &n)]))
            .collect();
        let separator = madoguchi_frontend::i18n::t(lang, "list_separator");
        tf(lang, "password_needs", &[("what", &parts.join(&separator))])
    }
}

/// Whether the console may be used from `client`: from anywhere when the tenant lists no
/// address ranges, else only from inside one of them.
pub fn address_allowed(tenant: &Tenant, client: Option<std::net::IpAddr>) -> bool {
    if tenant.staff_networks.is_empty() {
        return true;
    }
    let Some(ip) = client.map(|ip| ip.to_canonical()) else {
        return false;
    };
    tenant
        .staff_networks
        .iter()
        .filter_map(|range| range.parse::<ipnet::IpNet>().ok())
        .any(|range| range.contains(&ip))
}

/// Whether the account must choose a new password before doing anything else.
pub fn must_change_password(account: &StaffAccount, clock: &Clock) -> bool {
    account.must_change_password
        || account
            .password_expires_at
            .is_some_and(|expiry| expiry <= clock.now)
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

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Creates an account from the command line (the first administrator).
pub fn create_account(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    login: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<StaffAccount> {
    if !super::staff_accounts::valid_login(login) {
        anyhow::bail!("a login ID is 3 to 40 letters, digits, dots, hyphens or underscores");
    }
    let fields = super::staff_accounts::AccountFields {
        display_name: login.to_string(),
        role,
        location_ids: Vec::new(),
        active: true,
        password_expires_at: None,
        must_change_password: false,
    };
    match super::staff_accounts::create(conn, clock, tenant, login, &fields, password)? {
        Ok(account) => Ok(account),
        Err(super::staff_accounts::PasswordRefusal::Policy(problems)) => {
            anyhow::bail!(
                "{}",
                PasswordPolicy::of(tenant).explain(Lang::En, &problems)
            )
        }
        Err(other) => anyhow::bail!("the password was refused: {other:?}"),
    }
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
    // An ID that no account can have (control characters, markup, 200 characters) is
    // refused as any unknown ID is, after the same hashing, and never written as typed.
    let readable = crate::domain::staff_accounts::valid_login(login);
    let login = if readable { login } else { "(invalid)" };
    let account = if readable {
        StaffAccount::by_login(conn, tenant.id, login)?
    } else {
        None
    };
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.as_str())
        .unwrap_or(DUMMY_HASH.as_str());
    let password_ok = verify_password(hash, password);
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
        let policy = PasswordPolicy {
            min_length: 8,
            mixed: true,
        };
        assert_eq!(policy.problems("Madoguchi#2026"), Vec::<&str>::new());
        let short = policy.problems("short1!");
        assert_eq!(short, vec!["password_rule_length", "password_rule_upper"]);
        assert_eq!(
            policy.explain(Lang::En, &short),
            "The password needs at least 8 characters, an upper-case letter."
        );
        assert_eq!(
            policy.problems("ALLUPPER123"),
            vec!["password_rule_lower", "password_rule_symbol"]
        );
    }

    #[test]
    fn a_tenant_may_ask_for_length_alone() {
        let policy = PasswordPolicy {
            min_length: 12,
            mixed: false,
        };
        assert_eq!(policy.problems("correcthorsebattery"), Vec::<&str>::new());
        assert_eq!(policy.problems("short"), vec!["password_rule_length"]);
    }

    #[test]
    fn a_hash_verifies_only_its_password() {
        let hash = hash_password("Madoguchi#2026").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "Madoguchi#2026"));
        assert!(!verify_password(&hash, "madoguchi#2026"));
    }
}
