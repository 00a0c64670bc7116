//! Transfer lists for cities that keep cards centrally: which cards go to which counter for
//! the bookings of some days, as a page that prints and as CSV; sending a list, and
//! receiving each card at its counter with a scan.

mod actions;
mod list;

use actix_web::web;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/transfers", web::get().to(list::show));
    cfg.route(
        "/{tenant}/staff/transfers.csv",
        web::get().to(list::export_csv),
    );
    cfg.route(
        "/{tenant}/staff/transfers/send",
        web::post().to(actions::send),
    );
    cfg.route(
        "/{tenant}/staff/transfers/receive",
        web::post().to(actions::receive),
    );
}
