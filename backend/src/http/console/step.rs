//! How a console step runs: the tenant, the office's address ranges, a live session, the
//! permission, a submitted form's CSRF token and a password that must be changed are
//! checked in that order, then the step decides inside one transaction.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpResponse;
use chrono::Duration;
use diesel::PgConnection;

use super::cx::StaffCx;
use crate::db::staff::StaffSession;
use crate::domain::staff::{address_allowed, must_change_password, Permission, Role};
use crate::error::AppError;
use crate::http::extract::{load_tenant, Submitted};
use crate::http::page::{query_of, Arrival, Outcome, PageRequest, Posted};

pub const COOKIE: &str = "madoguchi_staff";
/// A console session ends this long after its login, however busy: a terminal left logged
/// in overnight is logged out.
pub const SESSION_MAX_HOURS: i64 = 12;

/// What a console request brings besides the page's: the session cookie, and where the
/// login page sends the browser back to.
#[derive(Clone)]
struct Visit {
    arrival: Arrival,
    token: Option<String>,
    back_here: String,
}

impl Visit {
    fn of(request: &PageRequest) -> Visit {
        let req = &request.req;
        Visit {
            arrival: request.arrival(),
            token: request.cookie(COOKIE),
            back_here: if req.method() == actix_web::http::Method::GET {
                format!("{}?{}", req.path(), req.query_string())
            } else {
                format!("/{}/staff/", request.tenant_code)
            },
        }
    }
}

/// The checks every console request passes, in this order: the tenant, the office's
/// address ranges, a live session (else the login page), the permission, the CSRF token
/// of a submission (`csrf`), a password that must be changed first. Either the context
/// the step works in, or where the browser must go instead.
fn open_console(
    conn: &mut PgConnection,
    tenant_code: &str,
    visit: Visit,
    permission: Permission,
    csrf: Option<&str>,
) -> Result<Result<StaffCx, Outcome>, AppError> {
    let Visit {
        arrival,
        token,
        back_here,
    } = visit;
    let (lang, clock) = (arrival.lang, arrival.clock);
    let tenant = load_tenant(conn, tenant_code)?;
    if !address_allowed(&tenant, arrival.client_ip) {
        return Err(AppError::AddressNotAllowed);
    }
    let idle_since = clock.now - Duration::minutes(tenant.staff_idle_minutes.into());
    let started_since = clock.now - Duration::hours(SESSION_MAX_HOURS);
    let found = match &token {
        Some(token) => StaffSession::find_live(conn, tenant.id, token, idle_since, started_since)?,
        None => None,
    };
    let Some((session, account)) = found else {
        let next = crate::http::extract::url_encode(&back_here);
        return Ok(Err(Outcome::Redirect(format!(
            "/{}/staff/login?lang={}&next={next}",
            tenant.code,
            lang.code()
        ))));
    };
    let role = Role::parse(&account.role).ok_or(AppError::Forbidden)?;
    if !role.may(permission) {
        return Err(AppError::Forbidden);
    }
    if let Some(sent) = csrf {
        if !crate::domain::secret::same(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(AppError::Forbidden);
        }
    }
    let password_page = format!("/{}/staff/password", tenant.code);
    if must_change_password(&account, &clock)
        && arrival.path != password_page
        && !arrival.path.ends_with("/staff/logout")
    {
        return Ok(Err(Outcome::Redirect(format!(
            "{password_page}?lang={}",
            lang.code()
        ))));
    }
    StaffSession::touch(conn, &session.token, clock.now)?;
    let mut page = arrival.at(tenant);
    page.load_banner(conn)?;
    let notices =
        crate::db::staff_notice::StaffNotice::showing(conn, page.tenant.id, page.clock.now)?
            .into_iter()
            .map(|n| n.body)
            .collect();
    Ok(Ok(StaffCx {
        page,
        account,
        session,
        notices,
    }))
}

/// Runs a console step for a logged-in account that has `permission`, in one transaction
/// that starts again from the checks on a deadlock or serialization failure. Without a
/// live session (none, expired by idling, revoked) the browser goes to the login page and
/// comes back here afterwards; without the permission it gets a plain 403 page. Submitted
/// forms must carry the session's CSRF token.
async fn run<F: Clone + Send + 'static>(
    request: &PageRequest,
    permission: Permission,
    form: Option<Submitted<F>>,
    work: impl Fn(&mut PgConnection, &mut StaffCx, Option<F>) -> Result<Outcome, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    let visit = Visit::of(request);
    let tenant_code = request.tenant_code.clone();
    let state = request.state.clone();
    let result = crate::db::run(&request.state.pool, move |conn| {
        crate::db::transaction(conn, |conn| {
            let csrf = form.as_ref().map(|form| form.csrf.as_str());
            match open_console(conn, &tenant_code, visit.clone(), permission, csrf)? {
                Ok(mut cx) => {
                    // A form is counted once its session and token are known good, so
                    // another site cannot spend an office's share through its browsers.
                    if form.is_some() {
                        state
                            .check_staff_write_rate(cx.client_addr.as_deref(), &cx.session.token)?;
                    }
                    work(conn, &mut cx, form.clone().map(|form| form.fields))
                }
                Err(elsewhere) => Ok(elsewhere),
            }
        })
    })
    .await;
    request.respond(result)
}

impl PageRequest {
    /// A console page that only shows something.
    pub async fn staff_step(
        &self,
        permission: Permission,
        work: impl Fn(&mut PgConnection, &mut StaffCx) -> Result<Outcome, AppError> + Send + 'static,
    ) -> HttpResponse {
        let view = crate::http::extract::VIEW;
        run(self, permission, view, move |conn, cx, _| work(conn, cx)).await
    }

    /// A console form whose fields were read some other way (an upload's, whose token
    /// comes in the address).
    pub async fn staff_submit<F: Clone + Send + 'static>(
        &self,
        permission: Permission,
        form: Submitted<F>,
        work: impl Fn(&mut PgConnection, &mut StaffCx, F) -> Result<Outcome, AppError> + Send + 'static,
    ) -> HttpResponse {
        run(self, permission, Some(form), move |conn, cx, form| {
            work(conn, cx, form.expect("a submitted form"))
        })
        .await
    }

    /// The checks of a console step for a request whose body must not be read before them
    /// (an upload): the CSRF token then comes in the address (`?csrf=`). `Ok` with the
    /// tenant's id to go on; otherwise the answer to give at once, the body unread.
    pub async fn staff_gate(&self, permission: Permission) -> Result<i64, HttpResponse> {
        let visit = Visit::of(self);
        let csrf = query_of(&self.req).get("csrf").cloned().unwrap_or_default();
        let code = self.tenant_code.clone();
        let result = crate::db::run(&self.state.pool, move |conn| {
            crate::db::transaction(conn, |conn| {
                Ok(
                    open_console(conn, &code, visit.clone(), permission, Some(&csrf))?
                        .map(|cx| cx.tenant.id),
                )
            })
        })
        .await;
        match result {
            Ok(Ok(tenant_id)) => Ok(tenant_id),
            Ok(Err(elsewhere)) => Err(elsewhere.into_response()),
            Err(error) => Err(self.error_page(&error)),
        }
    }
}

impl<F: Clone + Send + 'static> Posted<F> {
    /// A console form, submitted by an account that has `permission`.
    pub async fn staff_step(
        self,
        permission: Permission,
        work: impl Fn(&mut PgConnection, &mut StaffCx, F) -> Result<Outcome, AppError> + Send + 'static,
    ) -> HttpResponse {
        self.page.staff_submit(permission, self.form, work).await
    }
}

pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(crate::http::extract::cookie_name(COOKIE, secure), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// Keeps only a path of this tenant's console written in plain characters, so that `next`
/// can never send anyone to another site (`//evil`, `/\evil`, `/%09/evil`, whose tab
/// browsers drop) nor carry anything but a path and a query.
pub fn safe_next(next: Option<&String>, tenant: &str, fallback: String) -> String {
    let plain = |path: &str| {
        path.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.?=&%".contains(&b))
    };
    match next {
        Some(path)
            if path.starts_with(&format!("/{tenant}/staff/"))
                && !path.contains("//")
                && !path.contains("..")
                && plain(path) =>
        {
            path.clone()
        }
        _ => fallback,
    }
}
