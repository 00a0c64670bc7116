//! The city's settings: read by administrators and supervisors, changed by
//! administrators with a preview of what each change does before it takes effect.

mod flow;
mod maintenance;
mod overview;
mod procedures;
mod rules;
mod texts;

use actix_web::web;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/settings", web::get().to(overview::show));
    cfg.route(
        "/{tenant}/staff/settings/tenant.toml",
        web::get().to(overview::export),
    );
    cfg.route("/{tenant}/staff/settings/rules", web::get().to(rules::form));
    cfg.route(
        "/{tenant}/staff/settings/rules",
        web::post().to(rules::submit),
    );
    cfg.route("/{tenant}/staff/settings/texts", web::get().to(texts::show));
    cfg.route(
        "/{tenant}/staff/settings/texts",
        web::post().to(texts::submit),
    );
    cfg.route(
        "/{tenant}/staff/settings/procedures",
        web::get().to(procedures::list),
    );
    cfg.route(
        "/{tenant}/staff/settings/procedures/{code}",
        web::get().to(procedures::show),
    );
    cfg.route(
        "/{tenant}/staff/settings/procedures/{code}",
        web::post().to(procedures::submit),
    );
    cfg.route(
        "/{tenant}/staff/settings/maintenance",
        web::get().to(maintenance::show),
    );
    cfg.route(
        "/{tenant}/staff/settings/maintenance",
        web::post().to(maintenance::add),
    );
    cfg.route(
        "/{tenant}/staff/settings/maintenance/{id}/remove",
        web::post().to(maintenance::remove),
    );
}
