//! Logging in and out. One message for every refusal; the login form carries a token from
//! a cookie of its own (there is no session yet to hold it).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use madoguchi_frontend::i18n::t;
use madoguchi_frontend::pages::console::login;
use madoguchi_frontend::view_models::{FormVm, PageFrame, StaffLoginVm};
use serde_json::json;

use super::step::safe_next;
use super::step::session_cookie;
use super::step::COOKIE;
use crate::db::audit::NewAuditEntry;
use crate::db::staff::StaffSession;
use crate::domain::input::new_client_token;
use crate::domain::staff::{
    address_allowed, begin_log_in, finish_log_in, LoginOutcome, Permission,
};
use crate::error::AppError;
use crate::http::error_pages::error_page;
use crate::http::extract::{
    client_addr, cookie_name, https_site, load_tenant, read_cookie, NoFields, Submitted,
};
use crate::http::page::Posted;
use crate::http::page::{lang_of, query_of, Outcome};
use crate::http::state::AppState;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/login", web::get().to(form));
    cfg.route("/{tenant}/staff/login", web::post().to(submit));
    cfg.route("/{tenant}/staff/logout", web::post().to(logout));
}

const LOGIN_TOKEN_COOKIE: &str = "madoguchi_login";

fn page(
    req: &HttpRequest,
    tenant: &str,
    token: &str,
    login_value: &str,
    error: Option<String>,
    training: bool,
) -> String {
    let lang = lang_of(req);
    let mut query = query_of(req);
    query.remove("lang");
    let next = query.get("next").cloned().unwrap_or_default();
    let keep = if next.is_empty() {
        String::new()
    } else {
        format!("&next={}", crate::http::extract::url_encode(&next))
    };
    login::render(StaffLoginVm {
        frame: PageFrame {
            lang,
            title: t(lang, "staff_login_title"),
            here: format!("/{tenant}/staff/login{}", keep.replacen('&', "?", 1)),
            back_href: None,
            errors: Vec::new(),
            nav: Vec::new(),
            staff: None,
            banner: None,
            training,
            footer_base: None,
        },
        form: FormVm {
            action: format!("/{tenant}/staff/login?lang={}{keep}", lang.code()),
            csrf: token.to_string(),
        },
        login: login_value.to_string(),
        error,
    })
}

/// Whether the city is in training, for the 研修用 banner (an unknown city: no banner).
async fn in_training(state: &AppState, code: &str) -> bool {
    let code = code.to_string();
    crate::db::run(&state.pool, move |conn| load_tenant(conn, &code))
        .await
        .is_ok_and(|tenant| tenant.training)
}

pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let token = new_client_token(&mut rand::thread_rng());
    let tenant = path.into_inner();
    let training = in_training(&state, &tenant).await;
    let html = page(&req, &tenant, &token, "", None, training);
    let mut response = crate::http::page::html(StatusCode::OK, html);
    let secure = https_site(&req);
    let cookie = Cookie::build(cookie_name(LOGIN_TOKEN_COOKIE, secure), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    let _ = response.add_cookie(&cookie);
    response
}

/// A login: the account's name and its password (the CSRF token comes with every form).
#[derive(serde::Deserialize, Default, Clone)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<Submitted<LoginForm>>,
) -> HttpResponse {
    let tenant_code = path.into_inner();
    let lang = lang_of(&req);
    let Submitted { csrf, fields: form } = form.into_inner();
    let expected = read_cookie(&req, LOGIN_TOKEN_COOKIE);
    let login_value = form.login.trim().to_string();
    let sent = csrf.as_str();
    if !expected
        .as_deref()
        .is_some_and(|expected| crate::domain::secret::same(sent.as_bytes(), expected.as_bytes()))
    {
        return error_page(&req, lang, &AppError::Forbidden);
    }
    let password = form.password;
    let clock = state.clock();
    let addr = client_addr(&req);
    // Before any hashing or database work: a flood from one network or at one city is
    // answered 429 at once.
    if let Err(throttled) = state.check_login_rate(addr.as_deref(), &tenant_code) {
        return error_page(&req, lang, &throttled);
    }
    let code = tenant_code.clone();
    let login_for_check = login_value.clone();
    let ip = crate::http::extract::client_ip(&req);
    let audit_addr = addr.clone();
    let begun = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &code)?;
        if !address_allowed(&tenant, ip) {
            NewAuditEntry {
                tenant_id: Some(tenant.id),
                actor: &format!("staff:{login_for_check}"),
                action: "staff.login_outside_office",
                target: &login_for_check,
                client_addr: audit_addr.as_deref(),
                details: json!({}),
                created_at: clock.now,
            }
            .insert(conn)?;
            return Err(AppError::AddressNotAllowed);
        }
        let attempt = begin_log_in(conn, &clock, &tenant, &login_for_check)?;
        Ok((tenant, attempt))
    })
    .await;
    let result = async {
        let (tenant, attempt) = begun?;
        let (attempt, matched) = web::block(move || {
            let matched = attempt.password_matches(&password);
            (attempt, matched)
        })
        .await?;
        let clock = state.clock();
        crate::db::run(&state.pool, move |conn| {
            crate::db::act_for_tenant(conn, Some(tenant.id))?;
            Ok(finish_log_in(
                conn,
                &clock,
                &tenant,
                &attempt,
                matched,
                addr.as_deref(),
            )?)
        })
        .await
    }
    .await;
    let secure = https_site(&req);
    match result {
        Ok(LoginOutcome::LoggedIn { session, .. }) => {
            let next = safe_next(
                query_of(&req).get("next"),
                &tenant_code,
                format!("/{tenant_code}/staff/?lang={}", lang.code()),
            );
            let mut response = HttpResponse::SeeOther()
                .insert_header(("Location", next))
                .finish();
            let _ = response.add_cookie(&session_cookie(session.token, secure));
            response
        }
        Ok(LoginOutcome::Refused) => {
            let token = expected.unwrap_or_default();
            let html = page(
                &req,
                &tenant_code,
                &token,
                &login_value,
                Some(t(lang, "staff_login_failed")),
                in_training(&state, &tenant_code).await,
            );
            crate::http::page::html(StatusCode::UNAUTHORIZED, html)
        }
        Err(error) => error_page(&req, lang, &error),
    }
}

pub async fn logout(request: Posted<NoFields>, path: web::Path<String>) -> HttpResponse {
    let _tenant = path.into_inner();
    let secure = https_site(&request.req);
    let mut response = request
        .staff_step(Permission::Any, |conn, cx, _| {
            StaffSession::revoke(conn, &cx.session.token, cx.clock.now)?;
            cx.audit(conn, "staff.logout", &cx.account.login, json!({}))?;
            Ok(Outcome::Redirect(format!(
                "/{}/staff/login?lang={}",
                cx.tenant.code,
                cx.lang.code()
            )))
        })
        .await;
    let mut gone = Cookie::build(cookie_name(COOKIE, secure), "")
        .path("/")
        .secure(secure)
        .finish();
    gone.make_removal();
    let _ = response.add_cookie(&gone);
    response
}
