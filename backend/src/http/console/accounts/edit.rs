//! One staff account for an administrator: role, counters, expiry, a new password,
//! disabling, unlocking and logging out everywhere.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};
use serde_json::json;

use super::list::{
    chosen_locations, location_select, notice_of, page, role_select, status_text, text_input,
    AccountForm,
};
use crate::db::staff::StaffAccount;
use crate::domain::input::parse_date;
use crate::domain::staff::{PasswordPolicy, Permission, Role};
use crate::domain::staff_accounts::{
    self as accounts, end_sessions, unlock, AccountFields, PasswordRefusal,
};
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::extract::NoFields;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

type LoginPath = web::Path<(String, String)>;

fn account_of(
    conn: &mut PgConnection,
    cx: &StaffCx,
    login: &str,
) -> Result<StaffAccount, AppError> {
    StaffAccount::by_login(conn, cx.tenant.id, login)?.ok_or(AppError::NotFound(Resource::Page))
}

fn account_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    account: &StaffAccount,
    status: StatusCode,
    notice: Option<(bool, String)>,
    password_error: Option<String>,
) -> Result<Outcome, AppError> {
    let base = format!("accounts/{}", account.login);
    let csrf = Some(cx.session.csrf_token.clone());
    let expiry = account
        .password_expires_at
        .map(|at| cx.clock.local_date(at).to_string())
        .unwrap_or_default();
    let edit = Form {
        action: cx.console_url(&base),
        post: true,
        csrf: csrf.clone(),
        inputs: vec![
            text_input(
                cx,
                "display_name",
                "account_name",
                account.display_name.clone(),
                "text",
                None,
            ),
            role_select(cx, &account.role),
            location_select(conn, cx, &account.location_ids)?,
            Input::Text {
                id: "expires_on".into(),
                label: cx.text("account_expires_on"),
                value: expiry,
                kind: "text",
                required: false,
                hint: Some(cx.text("account_expires_hint")),
                error: None,
                autocomplete: None,
            },
            Input::Check {
                id: "must_change".into(),
                label: cx.text("account_must_change_check"),
                checked: account.must_change_password,
            },
            Input::Check {
                id: "active".into(),
                label: cx.text("account_active_check"),
                checked: account.active,
            },
            text_input(
                cx,
                "password",
                "account_new_password",
                String::new(),
                "password",
                password_error,
            ),
        ],
        submit: cx.text("account_save"),
        inline: false,
    };
    let button = |page: &str, key: &str| {
        Block::Form(Form {
            action: cx.console_url(&format!("{base}/{page}")),
            post: true,
            csrf: csrf.clone(),
            inputs: Vec::new(),
            submit: cx.text(key),
            inline: true,
        })
    };
    let facts = vec![
        (cx.text("staff_login_id"), account.login.clone()),
        (cx.text("staff_status"), status_text(cx, account)),
    ];
    let blocks = vec![
        Block::Facts(facts),
        Block::Form(edit),
        Block::Heading(cx.text("account_access")),
        button("unlock", "account_unlock"),
        button("end-sessions", "account_end_sessions"),
        Block::Links(vec![(
            cx.console_url(&format!("log?actor=staff:{}", account.login)),
            cx.text("account_log"),
        )]),
    ];
    page(cx, status, notice, blocks)
}

pub async fn show(request: PageRequest, path: LoginPath) -> HttpResponse {
    let (_, login) = path.into_inner();
    request
        .staff_step(Permission::ManageStaff, move |conn, cx| {
            let account = account_of(conn, cx, &login)?;
            let notice = notice_of(cx);
            account_page(conn, cx, &account, StatusCode::OK, notice, None)
        })
        .await
}

pub async fn save(request: Posted<AccountForm>, path: LoginPath) -> HttpResponse {
    let (_, login) = path.into_inner();
    request
        .staff_step(Permission::ManageStaff, move |conn, cx, form| {
            let account = account_of(conn, cx, &login)?;
            let expiry_text = form.expires_on.trim().to_string();
            let expires_on: Option<NaiveDate> = parse_date(&expiry_text);
            if !expiry_text.is_empty() && expires_on.is_none() {
                let text = format!(
                    "{}: {}",
                    cx.text("account_expires_on"),
                    cx.text("identify_birth_date_hint")
                );
                return account_page(
                    conn,
                    cx,
                    &account,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((false, text)),
                    None,
                );
            }
            let role = Role::parse(form.role.trim()).unwrap_or(Role::Counter);
            let active = form.active.is_some();
            if account.id == cx.account.id && (role != Role::Admin || !active) {
                let text = cx.text("account_keep_own_admin");
                return account_page(
                    conn,
                    cx,
                    &account,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((false, text)),
                    None,
                );
            }
            let fields = AccountFields {
                display_name: form.display_name.trim().to_string(),
                role,
                location_ids: chosen_locations(&form),
                active,
                password_expires_at: expires_on.map(|day| cx.clock.start_of(day)),
                must_change_password: form.must_change.is_some(),
            };
            let password = form.password.trim().to_string();
            if !password.is_empty() {
                if let Err(PasswordRefusal::Policy(problems)) =
                    accounts::reset_password(conn, &cx.clock, &cx.tenant, account.id, &password)?
                {
                    let text = PasswordPolicy::of(&cx.tenant).explain(cx.lang, &problems);
                    let notice = Some((false, cx.text("phone_fix_fields")));
                    return account_page(
                        conn,
                        cx,
                        &account,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        notice,
                        Some(text),
                    );
                }
                cx.audit(conn, "staff.password_set", &account.login, json!({}))?;
            }
            accounts::update(conn, account.id, &fields, cx.clock.now)?;
            let details = json!({
                "role": fields.role.as_str(),
                "active": fields.active,
                "locations": fields.location_ids,
                "expires_on": expires_on,
                "must_change_password": fields.must_change_password || !password.is_empty(),
            });
            cx.audit(conn, "staff.account_changed", &account.login, details)?;
            Ok(cx.back_with(&format!("accounts/{}", account.login), Notice::AccountSaved))
        })
        .await
}

/// What a one-button action on an account did: the operation-log action, its details,
/// and the notice for the page.
type ActionDone = (&'static str, serde_json::Value, Notice);

/// Runs an administrator's one-button action on the account in the path, logs it and
/// goes back to the account's page.
async fn account_action(
    request: Posted<NoFields>,
    path: LoginPath,
    act: fn(&mut PgConnection, &StaffCx, &StaffAccount) -> Result<ActionDone, AppError>,
) -> HttpResponse {
    let (_, login) = path.into_inner();
    request
        .staff_step(Permission::ManageStaff, move |conn, cx, _| {
            let account = account_of(conn, cx, &login)?;
            let (action, details, notice) = act(conn, cx, &account)?;
            cx.audit(conn, action, &account.login, details)?;
            Ok(cx.back_with(&format!("accounts/{}", account.login), notice))
        })
        .await
}

pub async fn unlock_submit(request: Posted<NoFields>, path: LoginPath) -> HttpResponse {
    account_action(request, path, |conn, _, account| {
        unlock(conn, account.id)?;
        Ok(("staff.unlocked", json!({}), Notice::AccountUnlocked))
    })
    .await
}

pub async fn end_sessions_submit(request: Posted<NoFields>, path: LoginPath) -> HttpResponse {
    account_action(request, path, |conn, cx, account| {
        // An administrator logging themself out elsewhere keeps this terminal.
        let keep = (account.id == cx.account.id).then_some(cx.session.token.as_str());
        let ended = end_sessions(conn, account.id, cx.clock.now, keep)?;
        Ok((
            "staff.sessions_ended",
            json!({ "sessions": ended }),
            Notice::AccountSessionsEnded,
        ))
    })
    .await
}
