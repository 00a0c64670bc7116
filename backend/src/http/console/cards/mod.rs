//! Cards in the console: search by any of their numbers, name kana, birth date, status or
//! location; one card with its timeline (imports, changes, statuses, bookings); and the
//! import of J-LIS files (in `import`). Searching and opening a card are logged.

mod import;
mod search;
mod show;
mod status;

use actix_web::web;

pub(super) use status::card_of;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/cards", web::get().to(search::list));
    cfg.route("/{tenant}/staff/cards/import", web::get().to(import::form));
    cfg.route(
        "/{tenant}/staff/cards/import",
        web::post().to(import::upload),
    );
    cfg.route(
        "/{tenant}/staff/cards/import/commit",
        web::post().to(import::commit),
    );
    cfg.route(
        "/{tenant}/staff/cards/import/notices/{token}",
        web::get().to(import::notices),
    );
    cfg.route("/{tenant}/staff/cards/{id}", web::get().to(show::show));
    cfg.route(
        "/{tenant}/staff/cards/{id}/status",
        web::post().to(status::set_status),
    );
    cfg.route(
        "/{tenant}/staff/cards/{id}/unlock",
        web::post().to(status::unlock),
    );
}
