//! Server-side sessions of residents: the cookie holds a random token; the answers given
//! so far and the CSRF token live in `web_sessions`.

use actix_web::cookie::{Cookie, SameSite};
use chrono::{Duration, NaiveDate};
use diesel::PgConnection;
use serde::{Deserialize, Serialize};

use crate::db::tenant::Tenant;
use crate::db::web_session::WebSession;
use crate::domain::input::new_client_token;
use crate::domain::Clock;
use crate::error::AppError;

pub const COOKIE: &str = "madoguchi_session";
/// The name of the key form tokens of sessions without a row are derived with.
const FORM_KEY: &str = "session-forms";

fn new_session_token() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{}{}",
        new_client_token(&mut rng),
        new_client_token(&mut rng)
    )
}
/// A session lives this long after its last use.
const IDLE: Duration = Duration::minutes(60);

/// The answers of one booking in progress. Every field has a default, so a session saved
/// by an older version still reads.
#[derive(Serialize, Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct Flow {
    pub procedure: Option<String>,
    pub card_ids: Vec<i64>,
    pub location: Option<String>,
    pub date: Option<NaiveDate>,
    pub slot_id: Option<i64>,
    pub email: String,
    pub phone: String,
    pub name: String,
    pub contact_given: bool,
    /// The one-time code sent to confirm `email`, while it waits to be entered.
    pub email_code: Option<crate::domain::mail::address_codes::PendingCode>,
    /// The address the resident proved to read, when the tenant asks for that.
    pub email_confirmed: String,
    /// A message key to show on the next page (e.g. the chosen time filled up).
    pub notice: Option<String>,
    /// People the booking covers, when changing a booking without cards (0: one person).
    pub party_size: i32,
    /// Set when the flow picks a new time for this existing booking.
    pub changing: Option<String>,
}

impl Flow {
    /// The places a time must have: one per card, or the party being moved, at least one.
    pub fn places(&self) -> i32 {
        (self.card_ids.len() as i32).max(self.party_size).max(1)
    }

    /// The step to go back to for choosing a time: the chosen day's times, else the calendar.
    pub fn times_step(&self) -> String {
        match self.date {
            Some(day) => format!("time?date={day}"),
            None => "date".into(),
        }
    }
}

#[derive(Serialize, Deserialize, Default, Debug, Clone)]
pub struct State {
    #[serde(default)]
    pub flow: Flow,
    /// Codes of the bookings made in this session: their confirmation pages may be shown.
    #[serde(default)]
    pub booked: Vec<String>,
    /// The procedure and booking code of the last flow that ended in a booking: its
    /// later steps, reached again with Back, show that booking instead of a dead end.
    #[serde(default)]
    pub finished: Option<(String, String)>,
    /// Codes of bookings this session has proven to own on the lookup page.
    #[serde(default)]
    pub managing: Vec<String>,
    /// A message key for the next page of "manage my booking".
    #[serde(default)]
    pub notice: Option<String>,
}

impl State {
    pub fn owns(&self, code: &str) -> bool {
        self.booked.iter().chain(&self.managing).any(|c| c == code)
    }
}

pub struct Session {
    pub token: String,
    pub csrf: String,
    pub state: State,
    pub is_new: bool,
    /// Whether a row stands behind it. A browser's first pages are served without one (its
    /// form token is derived from the cookie); the row is made when a form comes back
    /// valid, so pages fetched without a cookie never fill the table.
    persisted: bool,
    /// Given a new token during this request: the browser gets the new cookie.
    renewed: bool,
    /// The state and expiry as stored, so that a page that changes nothing writes nothing.
    stored: Option<(serde_json::Value, chrono::DateTime<chrono::Utc>)>,
}

/// A session used again within this long of its last save is not written just to move its
/// expiry: browsing the calendar is then read-only.
const REFRESH_AFTER: Duration = Duration::minutes(1);

impl Session {
    /// The live session named by the cookie, or a new one.
    pub fn open(
        conn: &mut PgConnection,
        clock: &Clock,
        tenant: &Tenant,
        cookie: Option<&str>,
        lock: bool,
    ) -> Result<Session, AppError> {
        if let Some(found) = cookie
            .map(|token| WebSession::find_live(conn, tenant.id, token, clock.now, lock))
            .transpose()?
            .flatten()
        {
            return Ok(Session {
                token: found.token,
                csrf: found.csrf_token,
                state: serde_json::from_value(found.state.clone()).unwrap_or_default(),
                is_new: false,
                persisted: true,
                renewed: false,
                stored: Some((found.state, found.expires_at)),
            });
        }
        // No session yet: the browser's own cookie (when it has one of the right shape)
        // names it until a form comes back; the form token is derived from it.
        let kept = cookie
            .filter(|token| token.len() == 64 && token.chars().all(|c| c.is_ascii_alphanumeric()));
        let token = kept.map(str::to_string).unwrap_or_else(new_session_token);
        let key = crate::domain::signed_links::named_key(conn, FORM_KEY)?;
        Ok(Session {
            csrf: crate::domain::signed_links::form_token(&key, tenant.id, &token),
            token,
            state: State::default(),
            is_new: kept.is_none(),
            persisted: false,
            renewed: false,
            stored: None,
        })
    }

    /// Whether nothing was stored for this session before this request (it has no row,
    /// or got it just now).
    pub fn is_fresh(&self) -> bool {
        self.stored.is_none()
    }

    /// Stores a session that had no row yet, under a fresh token (never the one the
    /// browser brought, which someone else could have planted). The form token stays, so
    /// that a form of an earlier page (Back) still goes through.
    pub fn persist(
        &mut self,
        conn: &mut PgConnection,
        clock: &Clock,
        tenant_id: i64,
    ) -> Result<(), AppError> {
        if self.persisted {
            return Ok(());
        }
        self.token = new_session_token();
        WebSession {
            token: self.token.clone(),
            tenant_id,
            csrf_token: self.csrf.clone(),
            state: serde_json::json!({}),
            created_at: clock.now,
            expires_at: clock.now + IDLE,
        }
        .insert(conn)?;
        self.persisted = true;
        self.renewed = true;
        Ok(())
    }

    /// A new token for this session once the resident has proven who they are, so that a
    /// token seen before (a shared computer, a fixed cookie) does not carry the proof. The
    /// session's hold moves with it; the form token changes too.
    pub fn renew(&mut self, conn: &mut PgConnection, tenant_id: i64) -> Result<(), AppError> {
        if !self.persisted {
            return Ok(());
        }
        let token = new_session_token();
        let csrf = new_client_token(&mut rand::thread_rng());
        WebSession::rename(conn, &self.token, &token, &csrf)?;
        crate::db::hold::Hold::rename_client(conn, tenant_id, &self.token, &token)?;
        self.token = token;
        self.csrf = csrf;
        self.renewed = true;
        Ok(())
    }

    pub fn save(
        &mut self,
        conn: &mut PgConnection,
        clock: &Clock,
        tenant_id: i64,
    ) -> Result<(), AppError> {
        if !self.persisted {
            // Pages read without a form change nothing worth a row, except a booking the
            // browser has just proven to own (a signed link from an e-mail).
            if self.state.managing.is_empty() && self.state.booked.is_empty() {
                return Ok(());
            }
            self.persist(conn, clock, tenant_id)?;
        }
        let state = serde_json::to_value(&self.state).map_err(|e| AppError::Internal(e.into()))?;
        if let Some((stored_state, expires_at)) = &self.stored {
            if *stored_state == state && *expires_at - clock.now > IDLE - REFRESH_AFTER {
                return Ok(());
            }
        }
        WebSession::save_state(conn, &self.token, &state, clock.now + IDLE)?;
        Ok(())
    }

    /// Whether a submitted form carries this session's CSRF token.
    pub fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        !self.is_new
            && submitted.is_some_and(|token| {
                crate::domain::secret::same(token.as_bytes(), self.csrf.as_bytes())
            })
    }

    /// The cookie to send when the session is new or has a new token.
    pub fn cookie(&self, secure: bool) -> Option<Cookie<'static>> {
        (self.is_new || self.renewed).then(|| {
            Cookie::build(
                crate::http::extract::cookie_name(COOKIE, secure),
                self.token.clone(),
            )
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .finish()
        })
    }
}
