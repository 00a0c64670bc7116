//! Proxy booking (代行入力): an operator books, moves and cancels for a caller on the phone.
//! The steps are the resident's (whose card, which counter and day, which time, contact) on
//! console pages. The operator is the actor, the channel is `phone`, and the whole slot, not
//! only its web share, is open to them. The answers so far travel in the page address, so
//! an operator can run two calls in two tabs.

mod details;
mod schedule;
mod start;

use actix_web::web;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/phone", web::get().to(start::start));
    cfg.route("/{tenant}/staff/phone", web::post().to(start::search));
    cfg.route(
        "/{tenant}/staff/phone/slots",
        web::get().to(schedule::slots),
    );
    cfg.route(
        "/{tenant}/staff/phone/times",
        web::get().to(schedule::times_form),
    );
    cfg.route(
        "/{tenant}/staff/phone/times",
        web::post().to(schedule::times_submit),
    );
    cfg.route(
        "/{tenant}/staff/phone/details",
        web::get().to(details::details_form),
    );
    cfg.route(
        "/{tenant}/staff/phone/details",
        web::post().to(details::details_submit),
    );
}
