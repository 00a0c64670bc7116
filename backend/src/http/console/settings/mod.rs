//! The city's settings: read by administrators and supervisors, changed by
//! administrators with a preview of what each change does before it takes effect.

mod file_parts;
pub(super) mod flow;
mod lanes;
mod locations;
mod maintenance;
mod notices;
mod overview;
mod procedures;
mod rules;
mod texts;
mod timetable;
mod translations;

use actix_web::web;

/// The routes of this part of the console.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/staff/settings", web::get().to(overview::show));
    cfg.route(
        "/{tenant}/staff/settings/tenant.toml",
        web::get().to(overview::export),
    );
    cfg.route(
        "/{tenant}/staff/settings/data.zip",
        web::get().to(overview::export_all),
    );
    cfg.route("/{tenant}/staff/settings/rules", web::get().to(rules::form));
    cfg.route(
        "/{tenant}/staff/settings/rules",
        web::post().to(rules::submit),
    );
    cfg.route("/{tenant}/staff/settings/texts", web::get().to(texts::show));
    cfg.route(
        "/{tenant}/staff/settings/translations",
        web::get().to(translations::show),
    );
    cfg.route(
        "/{tenant}/staff/settings/translations",
        web::post().to(translations::submit),
    );
    cfg.route(
        "/{tenant}/staff/settings/texts",
        web::post().to(texts::submit),
    );
    cfg.route(
        "/{tenant}/staff/settings/procedures",
        web::get().to(procedures::list),
    );
    cfg.route(
        "/{tenant}/staff/settings/procedures/new",
        web::get().to(procedures::new_form),
    );
    cfg.route(
        "/{tenant}/staff/settings/procedures/new",
        web::post().to(procedures::create),
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
        "/{tenant}/staff/settings/locations",
        web::get().to(locations::list),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/new",
        web::get().to(locations::new_form),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/new",
        web::post().to(locations::create),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}",
        web::get().to(locations::show),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}",
        web::post().to(locations::update),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}/lanes/new",
        web::get().to(lanes::new_form),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}/lanes/new",
        web::post().to(lanes::create),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}/lanes/{lane}",
        web::get().to(lanes::show),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}/lanes/{lane}",
        web::post().to(lanes::update),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}/lanes/{lane}/timetable",
        web::get().to(timetable::form),
    );
    cfg.route(
        "/{tenant}/staff/settings/locations/{location}/lanes/{lane}/timetable",
        web::post().to(timetable::submit),
    );
    cfg.route(
        "/{tenant}/staff/settings/notices",
        web::get().to(notices::show),
    );
    cfg.route(
        "/{tenant}/staff/settings/notices",
        web::post().to(notices::add),
    );
    cfg.route(
        "/{tenant}/staff/settings/notices/{id}/remove",
        web::post().to(notices::remove),
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
