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
    /// Read the city's settings and export them as its tenant file.
    ViewSettings,
    /// Change the city's settings.
    ManageSettings,
    /// Download all of the city's data (the export for a change of contractor).
    ExportCityData,
    /// Read the statistics (counts only) and export them.
    ViewReports,
    /// See residents' names in lists and exports (auditors read counts and codes only).
    SeeNames,
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
            Permission::ImportData | Permission::ManageSettings | Permission::ExportCityData => {
                self == Role::Admin
            }
            Permission::ManageCards | Permission::ManageMail | Permission::ViewSettings => {
                matches!(self, Role::Admin | Role::Supervisor)
            }
            Permission::ViewReports => {
                matches!(self, Role::Admin | Role::Supervisor | Role::Auditor)
            }
            Permission::SeeNames => self != Role::Auditor,
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
    address_in(&tenant.staff_networks, client)
}

/// Whether `client` is inside one of the address ranges `networks` (any, when empty).
pub fn address_in(networks: &[String], client: Option<std::net::IpAddr>) -> bool {
    if networks.is_empty() {
        return true;
    }
    let Some(ip) = client.map(|ip| ip.to_canonical()) else {
        return false;
    };
    networks
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

#[derive(Debug)]
pub enum LoginOutcome {
    LoggedIn {
        session: StaffSession,
    },
    /// Wrong login or password, or a locked or inactive account: one answer for all.
    Refused,
}

/// Longer passwords are refused without hashing them: no policy asks for more, and
/// hashing megabytes is work an attacker could ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A login attempt between its two trips to the database: the first counted it against
/// the account (so that concurrent attempts cannot outrun the lock), the hash is checked
/// with no connection held, the second records the outcome.
#[derive(Debug)]
pub struct LoginAttempt {
    /// The ID as it may be logged: what was typed when it could be an ID, else "(invalid)".
    login: String,
    /// The account whose password is checked; `None` when the ID is unknown, the account
    /// inactive or locked: then a dummy hash is checked, so every refusal takes as long.
    account_id: Option<i64>,
    hash: String,
    locked: bool,
}

impl LoginAttempt {
    /// Whether `password` matches. Run it off the pooled connection: argon2 is slow on
    /// purpose, and a burst of logins must not hold the connections others need.
    pub fn password_matches(&self, password: &str) -> bool {
        password.len() <= MAX_PASSWORD_BYTES
            && verify_password(&self.hash, password)
            && self.account_id.is_some()
    }
}

/// First half of a login: finds the account and counts the attempt as a failure before the
/// password is checked, taking the account row's lock; the fifth failure in a row locks it
/// for 30 minutes, so no more than five guesses are ever checked, however many arrive at once.
pub fn begin_log_in(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    login: &str,
) -> anyhow::Result<LoginAttempt> {
    // An ID that no account can have (control characters, markup, 200 characters) is
    // refused as any unknown ID is, after the same hashing, and never written as typed.
    let readable = valid_login(login);
    let login = if readable { login } else { "(invalid)" };
    let account = if readable {
        StaffAccount::by_login(conn, tenant.id, login)?
    } else {
        None
    };
    let reserved = match &account {
        Some(account) if account.active => StaffAccount::count_attempt(
            conn,
            account.id,
            LOCK_AFTER_FAILURES,
            clock.now,
            clock.now + Duration::minutes(LOCK_MINUTES),
        )?,
        _ => None,
    };
    let locked = account.as_ref().is_some_and(|a| a.active) && reserved.is_none();
    Ok(LoginAttempt {
        login: login.to_string(),
        account_id: reserved.as_ref().map(|a| a.id),
        hash: reserved
            .map(|a| a.password_hash)
            .unwrap_or_else(|| DUMMY_HASH.clone()),
        locked,
    })
}

/// Second half of a login: a session when the password matched (the counted failure is
/// taken back), otherwise the refusal in the audit log.
pub fn finish_log_in(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    attempt: &LoginAttempt,
    password_matched: bool,
    client_addr: Option<&str>,
) -> anyhow::Result<LoginOutcome> {
    let login = attempt.login.as_str();
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
    let account_id = match attempt.account_id {
        Some(id) if password_matched => id,
        _ => {
            audit(
                conn,
                if attempt.locked {
                    "staff.login_locked"
                } else {
                    "staff.login_failed"
                },
            )?;
            return Ok(LoginOutcome::Refused);
        }
    };
    StaffAccount::clear_failures(conn, account_id)?;
    let mut rng = rand::thread_rng();
    let session = StaffSession {
        token: format!(
            "{}{}",
            new_client_token(&mut rng),
            new_client_token(&mut rng)
        ),
        tenant_id: tenant.id,
        staff_id: account_id,
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

/// Login IDs are 3 to 40 letters, digits, dots, hyphens or underscores.
pub fn valid_login(login: &str) -> bool {
    (3..=40).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
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
