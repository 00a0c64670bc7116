//! Statistics for administrators, supervisors and auditors: counts of visits per period,
//! counter and procedure with charts and exports, the card pipeline per counter, and the
//! call center's day. Reports hold counts only; the card lists behind them are the one
//! place with names, shown to the roles that may see them.

mod calls;
mod cards;
mod chart;
mod exports;
mod filter;
mod page;
mod uptime;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/reports", web::get().to(page::show))
        .route("/{tenant}/staff/reports.csv", web::get().to(exports::csv))
        .route("/{tenant}/staff/reports.xlsx", web::get().to(exports::xlsx))
        .route("/{tenant}/staff/reports/cards", web::get().to(cards::show))
        .route(
            "/{tenant}/staff/reports/cards/list",
            web::get().to(cards::list),
        )
        .route(
            "/{tenant}/staff/reports/cards/list.csv",
            web::get().to(cards::list_csv),
        )
        .route("/{tenant}/staff/reports/calls", web::get().to(calls::show))
        .route(
            "/{tenant}/staff/reports/availability",
            web::get().to(uptime::show),
        )
        .route(
            "/{tenant}/staff/reports/calls.csv",
            web::get().to(calls::csv),
        );
}
