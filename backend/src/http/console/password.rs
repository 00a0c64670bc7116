//! Changing one's own password; the page every other page sends to while the password has
//! expired or an administrator has set a new one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use madoguchi_frontend::pages::console::kit::{Block, Form, Input};
use serde_json::json;

use crate::domain::staff::{must_change_password, PasswordPolicy, Permission};
use crate::domain::staff_accounts::{change_own_password, PasswordRefusal};
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::console::notice::Notice;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/password", web::get().to(form));
    cfg.route("/{tenant}/staff/password", web::post().to(submit));
}

/// Every rule of the tenant's policy, as a hint under the new password.
pub fn policy_hint(cx: &StaffCx) -> String {
    let policy = PasswordPolicy::of(&cx.tenant);
    let mut rules = vec!["password_rule_length"];
    if policy.mixed {
        rules.extend([
            "password_rule_upper",
            "password_rule_lower",
            "password_rule_digit",
            "password_rule_symbol",
        ]);
    }
    policy.explain(cx.lang, &rules)
}

fn password_input(cx: &StaffCx, id: &str, key: &str, error: Option<String>) -> Input {
    Input::Text {
        id: id.into(),
        label: cx.text(key),
        value: String::new(),
        kind: "password",
        required: true,
        hint: (id == "new_password").then(|| policy_hint(cx)),
        error,
        autocomplete: Some(if id == "current_password" {
            "current-password"
        } else {
            "new-password"
        }),
    }
}

fn page(
    cx: &StaffCx,
    status: StatusCode,
    notice: Option<(bool, String)>,
    errors: [Option<String>; 3],
) -> Result<Outcome, AppError> {
    let [current, new, repeated] = errors;
    let form = Form {
        action: cx.console_url("password"),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![
            password_input(cx, "current_password", "password_current", current),
            password_input(cx, "new_password", "password_new", new),
            password_input(cx, "repeat_password", "password_repeat", repeated),
        ],
        submit: cx.text("password_change"),
        inline: false,
    };
    cx.page(
        status,
        "staff_password_title",
        notice,
        vec![Block::Form(form)],
    )
}

pub async fn form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::Any, |_, cx| {
            let notice = if let Some(done) = cx.notice_among(&[Notice::PasswordChanged]) {
                Some(done)
            } else if must_change_password(&cx.account, &cx.clock) {
                Some((false, cx.text("password_must_change")))
            } else {
                None
            };
            page(cx, StatusCode::OK, notice, [None, None, None])
        })
        .await
}

/// A password change: the present password and the new one twice.
#[derive(serde::Deserialize, Default, Clone)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn submit(request: Posted<PasswordForm>) -> HttpResponse {
    request
        .staff_step(Permission::Any, |conn, cx, form| {
            let outcome = change_own_password(
                conn,
                &cx.clock,
                &cx.tenant,
                &cx.account,
                &form.current_password,
                (&form.new_password, &form.repeat_password),
                &cx.session.token,
            )?;
            let errors = match outcome {
                Ok(()) => {
                    cx.audit(conn, "staff.password_changed", &cx.account.login, json!({}))?;
                    return Ok(cx.back_with("password", Notice::PasswordChanged));
                }
                Err(PasswordRefusal::WrongCurrent) => {
                    cx.audit(
                        conn,
                        "staff.password_change_failed",
                        &cx.account.login,
                        json!({}),
                    )?;
                    [Some(cx.text("password_current_wrong")), None, None]
                }
                Err(PasswordRefusal::Mismatch) => [None, None, Some(cx.text("password_mismatch"))],
                Err(PasswordRefusal::Unchanged) => {
                    [None, Some(cx.text("password_unchanged")), None]
                }
                Err(PasswordRefusal::Policy(problems)) => {
                    let text = PasswordPolicy::of(&cx.tenant).explain(cx.lang, &problems);
                    [None, Some(text), None]
                }
            };
            let notice = Some((false, cx.text("phone_fix_fields")));
            page(cx, StatusCode::UNPROCESSABLE_ENTITY, notice, errors)
        })
        .await
}
