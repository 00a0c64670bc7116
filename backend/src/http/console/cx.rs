//! What every console step works with: the tenant, the account and its session, the
//! language and clock, and helpers for its pages, links and the operation log.

use std::ops::{Deref, DerefMut};

use chrono::NaiveDate;
use diesel::PgConnection;
use madoguchi_frontend::pages::console::kit::{render, Block, ConsolePageVm};
use madoguchi_frontend::view_models::{FieldError, FormVm, PageFrame};

use super::notice::Notice;
use crate::db::staff::{StaffAccount, StaffSession};
use crate::domain::input::{parse_date, read_date};
use crate::domain::staff::{Permission, Role};
use crate::error::AppError;
use crate::http::page::{Outcome, PageCx};

/// What a console step works with: the page's context, the account and its session.
pub struct StaffCx {
    pub page: PageCx,
    pub account: StaffAccount,
    pub session: StaffSession,
    /// The staff notices shown now, newest first.
    pub notices: Vec<String>,
}

impl Deref for StaffCx {
    type Target = PageCx;
    fn deref(&self) -> &PageCx {
        &self.page
    }
}

impl DerefMut for StaffCx {
    fn deref_mut(&mut self) -> &mut PageCx {
        &mut self.page
    }
}

impl StaffCx {
    /// The notice this page was sent with, when it is one of `expected`, as the page
    /// shows it: (done?, text).
    pub fn notice_among(&self, expected: &[Notice]) -> Option<(bool, String)> {
        Notice::read(&self.query)
            .filter(|notice| expected.contains(notice))
            .map(|notice| (notice.is_success(), self.text(notice.message_key())))
    }

    /// The console page `page` again, telling what was done (POST → redirect → GET).
    pub fn back_with(&self, page: &str, notice: Notice) -> Outcome {
        Outcome::Redirect(format!("{}&{}", self.console_url(page), notice.query()))
    }

    pub fn console_url(&self, page: &str) -> String {
        self.url(&format!("/{}/staff/{page}", self.tenant.code))
    }

    pub fn frame(&self, title: String) -> PageFrame {
        PageFrame {
            lang: self.lang,
            title,
            here: self.here(),
            banner: self.banner.clone(),
            training: self.tenant.training,
            footer_base: None,
            back_href: None,
            errors: Vec::new(),
            staff: Some(madoguchi_frontend::view_models::StaffBarVm {
                who: madoguchi_frontend::i18n::tf(
                    self.lang,
                    "staff_who",
                    &[
                        ("name", &self.account.display_name),
                        ("role", &self.text(&format!("role_{}", self.account.role))),
                    ],
                ),
                logout: self.form(self.console_url("logout")),
                notices: self.notices.clone(),
                // Open on the pages a working day starts from; folded elsewhere.
                notices_open: ["/staff/today", "/staff/phone", "/staff/bookings"]
                    .iter()
                    .any(|home| self.path.ends_with(home)),
            }),
            nav: [
                ("today", "staff_today_title", Permission::CounterDesk),
                ("phone", "phone_title", Permission::ProxyBooking),
                ("bookings", "staff_bookings_title", Permission::ViewBookings),
                ("cards", "cards_title", Permission::ViewBookings),
                ("transfers", "transfers_title", Permission::CounterDesk),
                ("mail", "mail_title", Permission::ManageMail),
                ("reports", "reports_title", Permission::ViewReports),
                ("log", "staff_log_title", Permission::ViewOperationLog),
                ("holidays", "holidays_title", Permission::ImportData),
                ("settings", "settings_title", Permission::ViewSettings),
                ("accounts", "staff_accounts_title", Permission::ManageStaff),
                ("password", "staff_password_title", Permission::Any),
            ]
            .iter()
            .filter(|(_, _, permission)| self.may(*permission))
            // Cities that keep each card where it is picked up have no transfers.
            .filter(|(page, _, _)| *page != "transfers" || self.tenant.allow_transfers)
            .map(|(page, key, _)| {
                (
                    self.console_url(page),
                    madoguchi_frontend::i18n::t(self.lang, key),
                )
            })
            .collect(),
        }
    }

    /// A console page built from blocks, titled by the message `title_key`.
    pub fn page(
        &self,
        status: actix_web::http::StatusCode,
        title_key: &str,
        notice: Option<(bool, String)>,
        blocks: Vec<Block>,
    ) -> Result<Outcome, AppError> {
        Ok(Outcome::Page(
            status,
            render(ConsolePageVm {
                frame: self.frame(self.text(title_key)),
                notice,
                blocks,
            }),
        ))
    }

    /// A console page whose form has problems: the error summary at the top links to
    /// each field, which shows its own message.
    pub fn page_with_errors(
        &self,
        title_key: &str,
        errors: Vec<FieldError>,
        blocks: Vec<Block>,
    ) -> Result<Outcome, AppError> {
        let mut frame = self.frame(self.text(title_key));
        frame.errors = errors;
        Ok(Outcome::Page(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(ConsolePageVm {
                frame,
                notice: None,
                blocks,
            }),
        ))
    }

    /// A date typed into a filter field, when it reads as one.
    pub fn date_param(&self, key: &str) -> Option<NaiveDate> {
        self.param(key).and_then(|d| parse_date(&d))
    }

    /// The filter fields among `keys` whose text is not a date, each with what is wrong,
    /// named by its label (`{label_prefix}{key}` in the catalogue).
    pub fn unreadable_dates(&self, keys: &[&str], label_prefix: &str) -> Vec<FieldError> {
        keys.iter()
            .filter_map(|key| {
                let typed = self.param(key)?;
                let problem = read_date(&typed).err()?;
                let label = self.text(&format!("{label_prefix}{key}"));
                Some(FieldError {
                    field: key.to_string(),
                    message: problem.message(self.lang, &label, &typed),
                })
            })
            .collect()
    }

    /// The given query values that are present, as query text (`a=1&b=x`), to carry a
    /// filter into page, sort and export links.
    pub fn query_text<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> String {
        keys.into_iter()
            .filter_map(|key| {
                self.param(key)
                    .map(|v| format!("{key}={}", crate::http::extract::url_encode(&v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The page number asked for (1 when absent or unreadable).
    pub fn page_number(&self) -> i64 {
        self.param("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// Links to the previous and next pages of a list: `lines` was read with one row more
    /// than a page, which tells whether there is a next page, and is cut back to a page.
    pub fn page_links<T>(
        &self,
        lines: &mut Vec<T>,
        page_size: i64,
        href: impl Fn(i64) -> String,
    ) -> Vec<(String, String)> {
        let page = self.page_number();
        let more = lines.len() as i64 > page_size;
        lines.truncate(page_size as usize);
        let mut links = Vec::new();
        if page > 1 {
            links.push((href(page - 1), self.text("staff_previous_page")));
        }
        if more {
            links.push((href(page + 1), self.text("staff_next_page")));
        }
        links
    }

    pub fn form(&self, action: String) -> FormVm {
        FormVm {
            action,
            csrf: self.session.csrf_token.clone(),
        }
    }

    /// The actor written to events and the audit log, for work at the counter.
    pub fn actor(&self) -> crate::domain::Actor {
        self.actor_via(crate::domain::Channel::Counter)
    }

    /// The actor for work that reached us through `channel` (a caller: phone).
    pub fn actor_via(&self, channel: crate::domain::Channel) -> crate::domain::Actor {
        crate::domain::Actor {
            label: format!("staff:{}", self.account.login),
            channel,
            client_addr: self.client_addr.clone(),
        }
    }

    /// Writes one line of the operation log for this account.
    pub fn audit(
        &self,
        conn: &mut PgConnection,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        crate::db::audit::NewAuditEntry {
            tenant_id: Some(self.tenant.id),
            actor: &format!("staff:{}", self.account.login),
            action,
            target,
            client_addr: self.client_addr.as_deref(),
            details,
            created_at: self.clock.now,
        }
        .insert(conn)?;
        Ok(())
    }

    /// Whether this account works at the location: accounts limited to some locations see
    /// and change only their bookings.
    pub fn works_at(&self, location_id: i64) -> bool {
        self.account.location_ids.is_empty() || self.account.location_ids.contains(&location_id)
    }

    pub fn may(&self, permission: Permission) -> bool {
        Role::parse(&self.account.role).is_some_and(|role| role.may(permission))
    }
}
