//! Looking after staff accounts: creating and changing them, unlocking, ending their
//! sessions, and changing one's own password. The HTTP layer writes the operation log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::PgConnection;

use super::staff::{hash_password, verify_password, PasswordPolicy, Role};
use super::Clock;
use crate::db::schema::{staff_accounts, staff_sessions};
use crate::db::staff::{NewStaffAccount, StaffAccount};
use crate::db::tenant::Tenant;
use crate::error::AppError;

/// Why a password was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordRefusal {
    /// The current password given was wrong.
    WrongCurrent,
    /// The new password breaks the tenant's policy: message keys of what it lacks.
    Policy(Vec<&'static str>),
    /// The new password is the one in use.
    Unchanged,
    Mismatch,
}

pub struct AccountFields {
    pub display_name: String,
    pub role: Role,
    /// Empty: every location.
    pub location_ids: Vec<i64>,
    pub active: bool,
    pub password_expires_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
}

pub use super::staff::valid_login;

pub fn create(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    login: &str,
    fields: &AccountFields,
    password: &str,
) -> Result<Result<StaffAccount, PasswordRefusal>, AppError> {
    let problems = PasswordPolicy::of(tenant).problems(password);
    if !problems.is_empty() {
        return Ok(Err(PasswordRefusal::Policy(problems)));
    }
    let hash = hash_password(password)?;
    let account = diesel::insert_into(staff_accounts::table)
        .values(NewStaffAccount {
            tenant_id: tenant.id,
            login,
            display_name: &fields.display_name,
            password_hash: &hash,
            role: fields.role.as_str(),
            location_ids: fields.location_ids.clone(),
            must_change_password: fields.must_change_password,
            created_at: clock.now,
        })
        .returning(StaffAccount::as_returning())
        .get_result(conn)?;
    Ok(Ok(account))
}

pub fn update(
    conn: &mut PgConnection,
    account_id: i64,
    fields: &AccountFields,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(staff_accounts::table.find(account_id))
        .set((
            staff_accounts::display_name.eq(&fields.display_name),
            staff_accounts::role.eq(fields.role.as_str()),
            staff_accounts::location_ids.eq(&fields.location_ids),
            staff_accounts::active.eq(fields.active),
            staff_accounts::password_expires_at.eq(fields.password_expires_at),
            staff_accounts::must_change_password.eq(fields.must_change_password),
        ))
        .execute(conn)?;
    if !fields.active {
        end_sessions(conn, account_id, now, None)?;
    }
    Ok(())
}

/// An administrator sets a new password; the holder must change it at the next login.
pub fn reset_password(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    account_id: i64,
    password: &str,
) -> Result<Result<(), PasswordRefusal>, AppError> {
    let problems = PasswordPolicy::of(tenant).problems(password);
    if !problems.is_empty() {
        return Ok(Err(PasswordRefusal::Policy(problems)));
    }
    let hash = hash_password(password)?;
    diesel::update(staff_accounts::table.find(account_id))
        .set((
            staff_accounts::password_hash.eq(hash),
            staff_accounts::must_change_password.eq(true),
        ))
        .execute(conn)?;
    end_sessions(conn, account_id, clock.now, None)?;
    Ok(Ok(()))
}

pub fn unlock(conn: &mut PgConnection, account_id: i64) -> Result<(), AppError> {
    StaffAccount::clear_failures(conn, account_id)?;
    Ok(())
}

/// Ends the account's live sessions, except `keep`; returns how many ended.
pub fn end_sessions(
    conn: &mut PgConnection,
    account_id: i64,
    now: DateTime<Utc>,
    keep: Option<&str>,
) -> Result<usize, AppError> {
    let live = staff_sessions::table
        .filter(staff_sessions::staff_id.eq(account_id))
        .filter(staff_sessions::revoked_at.is_null())
        .filter(staff_sessions::token.ne(keep.unwrap_or("")));
    Ok(diesel::update(live)
        .set(staff_sessions::revoked_at.eq(now))
        .execute(conn)?)
}

/// Changes one's own password: the current one proves it is the holder. Other sessions
/// of the account end; the expiry and the "must change" mark are cleared.
pub fn change_own_password(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    account: &StaffAccount,
    current: &str,
    new: (&str, &str),
    session_token: &str,
) -> Result<Result<(), PasswordRefusal>, AppError> {
    let (new, repeated) = new;
    if !verify_password(&account.password_hash, current) {
        return Ok(Err(PasswordRefusal::WrongCurrent));
    }
    if new != repeated {
        return Ok(Err(PasswordRefusal::Mismatch));
    }
    let problems = PasswordPolicy::of(tenant).problems(new);
    if !problems.is_empty() {
        return Ok(Err(PasswordRefusal::Policy(problems)));
    }
    if new == current {
        return Ok(Err(PasswordRefusal::Unchanged));
    }
    let hash = hash_password(new)?;
    diesel::update(staff_accounts::table.find(account.id))
        .set((
            staff_accounts::password_hash.eq(hash),
            staff_accounts::must_change_password.eq(false),
            staff_accounts::password_expires_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)?;
    end_sessions(conn, account.id, clock.now, Some(session_token))?;
    Ok(Ok(()))
}

/// Live sessions per account of a tenant.
pub fn live_sessions(
    conn: &mut PgConnection,
    tenant_id: i64,
    idle_since: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, AppError> {
    use diesel::dsl::count_star;
    Ok(staff_sessions::table
        .filter(staff_sessions::tenant_id.eq(tenant_id))
        .filter(staff_sessions::revoked_at.is_null())
        .filter(staff_sessions::last_seen_at.gt(idle_since))
        .group_by(staff_sessions::staff_id)
        .select((staff_sessions::staff_id, count_star()))
        .load(conn)?)
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
    if !valid_login(login) {
        anyhow::bail!("a login ID is 3 to 40 letters, digits, dots, hyphens or underscores");
    }
    let fields = AccountFields {
        display_name: login.to_string(),
        role,
        location_ids: Vec::new(),
        active: true,
        password_expires_at: None,
        must_change_password: false,
    };
    match create(conn, clock, tenant, login, &fields, password)? {
        Ok(account) => Ok(account),
        Err(PasswordRefusal::Policy(problems)) => {
            anyhow::bail!(
                "{}",
                PasswordPolicy::of(tenant).explain(madoguchi_frontend::i18n::Lang::En, &problems)
            )
        }
        Err(other) => anyhow::bail!("the password was refused: {other:?}"),
    }
}
