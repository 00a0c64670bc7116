//! The staff console: server-side sessions with an idle limit, a permission check on every
//! page and action, and a trace of every action in the audit log.

mod accounts;
mod booking_detail;
mod bookings;
mod cards;
mod csv_export;
mod cx;
mod displaced;
mod holidays;
mod list;
mod login;
mod mail;
mod mail_message;
mod mail_templates;
mod notice;
mod operation_log;
mod password;
mod phone;
mod reports;
mod settings;
mod step;
mod today;
mod transfers;
mod upload;
mod xlsx;

use actix_web::{web, HttpResponse};

use crate::domain::staff::Permission;
use crate::http::page::{Outcome, PageRequest};

pub use upload::sweep as sweep_uploads;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(login::routes)
        .configure(today::routes)
        .configure(bookings::routes)
        .configure(booking_detail::routes)
        .configure(cards::routes)
        .configure(holidays::routes)
        .configure(transfers::routes)
        .configure(mail::routes)
        .configure(mail_templates::routes)
        .configure(mail_message::routes)
        .configure(operation_log::routes)
        .configure(phone::routes)
        .configure(password::routes)
        .configure(accounts::routes)
        .configure(settings::routes)
        .configure(reports::routes);
    cfg.route("/{tenant}/staff/", web::get().to(home));
}

/// The console's front page: the first section the account's role may use.
async fn home(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::Any, |_, cx| {
            let page = [
                ("today", Permission::CounterDesk),
                ("phone", Permission::ProxyBooking),
            ]
            .iter()
            .find(|(_, permission)| cx.may(*permission))
            .map(|(page, _)| *page)
            .unwrap_or("bookings");
            Ok(Outcome::Redirect(cx.console_url(page)))
        })
        .await
}
