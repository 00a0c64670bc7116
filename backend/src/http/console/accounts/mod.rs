//! Staff accounts, for administrators: the list with who is locked out or logged in, and
//! creating an account (one account's page is in `edit`). Every change goes into the
//! operation log.

mod edit;
mod list;

use actix_web::web;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/accounts", web::get().to(list::list));
    cfg.route("/{tenant}/staff/accounts", web::post().to(list::create));
    cfg.route(
        "/{tenant}/staff/accounts/{login}",
        web::get().to(edit::show),
    );
    cfg.route(
        "/{tenant}/staff/accounts/{login}",
        web::post().to(edit::save),
    );
    cfg.route(
        "/{tenant}/staff/accounts/{login}/unlock",
        web::post().to(edit::unlock_submit),
    );
    cfg.route(
        "/{tenant}/staff/accounts/{login}/end-sessions",
        web::post().to(edit::end_sessions_submit),
    );
}
