//! Staff accounts, for administrators: the list with who is locked out or logged in, and
//! creating an account (one account's page is in `edit`). Every change goes into the
//! operation log.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::Duration;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Input};
use serde_json::json;

use crate::http::console::cx::StaffCx;
use crate::http::console::list::{table, Column, RowView};
use crate::http::console::notice::Notice;
use crate::http::console::password::policy_hint;
use crate::http::page::{PageRequest, Posted};

use crate::db::location::Location;
use crate::db::staff::StaffAccount;
use crate::domain::staff::{PasswordPolicy, Permission, Role};
use crate::domain::staff_accounts::{
    self as accounts, live_sessions, valid_login, AccountFields, PasswordRefusal,
};
use crate::error::AppError;
use crate::http::page::Outcome;

const ROLES: [Role; 5] = [
    Role::Admin,
    Role::Supervisor,
    Role::Counter,
    Role::Operator,
    Role::Auditor,
];

pub(super) fn page(
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
    blocks: Vec<Block>,
) -> Result<Outcome, AppError> {
    cx.page(status, "staff_accounts_title", notice, blocks)
}

pub(super) fn notice_of(cx: &StaffCx) -> Option<(bool, String)> {
    cx.notice_among(&[
        Notice::AccountCreated,
        Notice::AccountSaved,
        Notice::AccountUnlocked,
        Notice::AccountSessionsEnded,
    ])
}

pub(super) fn role_select(cx: &StaffCx, chosen: &str) -> Input {
    Input::Select {
        id: "role".into(),
        label: cx.text("staff_role"),
        options: ROLES
            .iter()
            .map(|r| {
                (
                    r.as_str().to_string(),
                    cx.text(&format!("role_{}", r.as_str())),
                )
            })
            .collect(),
        chosen: chosen.to_string(),
    }
}

pub(super) fn location_select(
    conn: &mut PgConnection,
    cx: &StaffCx,
    chosen: &[i64],
) -> Result<Input, AppError> {
    let mut options = vec![(String::new(), cx.text("account_every_location"))];
    options.extend(
        Location::for_tenant(conn, cx.tenant.id)?
            .into_iter()
            .map(|l| (l.id.to_string(), cx.pick(&l.name, &l.name_en))),
    );
    Ok(Input::Select {
        id: "location".into(),
        label: cx.text("staff_location"),
        options,
        chosen: chosen.first().map(|id| id.to_string()).unwrap_or_default(),
    })
}

pub(super) fn text_input(
    cx: &StaffCx,
    id: &str,
    key: &str,
    value: String,
    kind: &'static str,
    error: Option<String>,
) -> Input {
    Input::Text {
        id: id.into(),
        label: cx.text(key),
        value,
        kind,
        required: false,
        hint: (kind == "password").then(|| policy_hint(cx)),
        error,
        autocomplete: (kind == "password").then_some("new-password"),
    }
}

pub(super) fn status_text(cx: &StaffCx, account: &StaffAccount) -> String {
    let now = cx.clock.now;
    let key = if !account.active {
        "account_inactive"
    } else if account.locked_until.is_some_and(|u| u > now) {
        "staff_locked"
    } else if crate::domain::staff::must_change_password(account, &cx.clock) {
        "account_must_change"
    } else {
        "staff_active"
    };
    cx.text(key)
}

/// What an administrator typed into the new-account form, kept when it is refused.
#[derive(Default)]
struct Draft {
    login: String,
    name: String,
    role: String,
    locations: Vec<i64>,
    password_error: Option<String>,
}

/// An account as its line in the list shows it.
struct AccountLine {
    login: String,
    name: String,
    role: String,
    places: String,
    status: String,
    sessions: i64,
}

const COLUMNS: [Column<AccountLine, ()>; 6] = [
    Column {
        header: "staff_login_id",
        sort: None,
        cell: |view, line| {
            Cell::Link(
                view.console_url(&format!("accounts/{}", line.login)),
                line.login.clone(),
            )
        },
    },
    Column {
        header: "account_name",
        sort: None,
        cell: |_, line| Cell::Text(line.name.clone()),
    },
    Column {
        header: "staff_role",
        sort: None,
        cell: |_, line| Cell::Text(line.role.clone()),
    },
    Column {
        header: "staff_location",
        sort: None,
        cell: |_, line| Cell::Text(line.places.clone()),
    },
    Column {
        header: "staff_status",
        sort: None,
        cell: |_, line| Cell::Text(line.status.clone()),
    },
    Column {
        header: "account_sessions",
        sort: None,
        cell: |_, line| Cell::Text(line.sessions.to_string()),
    },
];

fn list_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
    draft: Draft,
) -> Result<Outcome, AppError> {
    let rows = StaffAccount::all_of(conn, cx.tenant.id)?;
    let idle_since = cx.clock.now - Duration::minutes(cx.tenant.staff_idle_minutes.into());
    let sessions: HashMap<i64, i64> = live_sessions(conn, cx.tenant.id, idle_since)?
        .into_iter()
        .collect();
    let locations = Location::for_tenant(conn, cx.tenant.id)?;
    let shown: Vec<AccountLine> = rows
        .iter()
        .map(|account| AccountLine {
            login: account.login.clone(),
            name: account.display_name.clone(),
            role: cx.text(&format!("role_{}", account.role)),
            places: if account.location_ids.is_empty() {
                cx.text("account_every_location")
            } else {
                locations
                    .iter()
                    .filter(|l| account.location_ids.contains(&l.id))
                    .map(|l| cx.pick(&l.name, &l.name_en))
                    .collect::<Vec<_>>()
                    .join("、")
            },
            status: status_text(cx, account),
            sessions: sessions.get(&account.id).copied().unwrap_or(0),
        })
        .collect();
    let table = table(
        &RowView::of(cx),
        cx.text("staff_accounts_title"),
        &COLUMNS,
        &shown,
        None,
        String::new(),
    );
    let create = Form {
        action: cx.console_url("accounts"),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![
            text_input(cx, "login", "staff_login_id", draft.login, "text", None),
            text_input(cx, "display_name", "account_name", draft.name, "text", None),
            role_select(cx, &draft.role),
            location_select(conn, cx, &draft.locations)?,
            text_input(
                cx,
                "password",
                "account_first_password",
                String::new(),
                "password",
                draft.password_error,
            ),
        ],
        submit: cx.text("account_create"),
        inline: false,
    };
    page(
        cx,
        status,
        notice,
        vec![
            Block::Table(table),
            Block::Heading(cx.text("account_create")),
            Block::Text(cx.text("account_create_hint")),
            Block::Form(create),
        ],
    )
}

pub async fn list(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageStaff, |conn, cx| {
            let notice = notice_of(cx);
            let draft = Draft {
                role: Role::Counter.as_str().into(),
                ..Draft::default()
            };
            list_page(conn, cx, StatusCode::OK, notice, draft)
        })
        .await
}

/// An account as an administrator typed it (creating one, or changing one).
#[derive(serde::Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    pub(super) login: String,
    #[serde(default)]
    pub(super) display_name: String,
    #[serde(default)]
    pub(super) role: String,
    /// The one location the account is limited to (none: every location).
    #[serde(default)]
    pub(super) location: String,
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) expires_on: String,
    /// Checkboxes: present when ticked.
    pub(super) active: Option<String>,
    pub(super) must_change: Option<String>,
}

pub(super) fn chosen_locations(form: &AccountForm) -> Vec<i64> {
    form.location.trim().parse().ok().into_iter().collect()
}

pub async fn create(request: Posted<AccountForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageStaff, |conn, cx, form| {
            let login = form.login.trim().to_string();
            let name = form.display_name.trim().to_string();
            let refuse = |conn: &mut PgConnection,
                          cx: &StaffCx,
                          text: String,
                          password_error: Option<String>| {
                list_page(
                    conn,
                    cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some((false, text)),
                    Draft {
                        login: login.clone(),
                        name: name.clone(),
                        role: form.role.trim().to_string(),
                        locations: chosen_locations(&form),
                        password_error,
                    },
                )
            };
            if !valid_login(&login) {
                return refuse(conn, cx, cx.text("account_login_invalid"), None);
            }
            if StaffAccount::by_login(conn, cx.tenant.id, &login)?.is_some() {
                return refuse(conn, cx, cx.text("account_login_taken"), None);
            }
            let fields = AccountFields {
                display_name: if name.is_empty() {
                    login.clone()
                } else {
                    name.clone()
                },
                role: Role::parse(form.role.trim()).unwrap_or(Role::Counter),
                location_ids: chosen_locations(&form),
                active: true,
                password_expires_at: None,
                must_change_password: true,
            };
            match accounts::create(
                conn,
                &cx.clock,
                &cx.tenant,
                &login,
                &fields,
                form.password.trim(),
            )? {
                Ok(account) => {
                    cx.audit(
                        conn,
                        "staff.account_created",
                        &account.login,
                        json!({ "role": account.role }),
                    )?;
                    Ok(cx.back_with("accounts", Notice::AccountCreated))
                }
                Err(PasswordRefusal::Policy(problems)) => {
                    let text = PasswordPolicy::of(&cx.tenant).explain(cx.lang, &problems);
                    refuse(conn, cx, cx.text("phone_fix_fields"), Some(text))
                }
                Err(_) => refuse(conn, cx, cx.text("phone_fix_fields"), None),
            }
        })
        .await
}
