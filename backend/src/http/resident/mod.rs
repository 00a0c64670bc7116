//! The resident's booking pages: server-rendered, plain forms, POST → redirect → GET.
//! Every step reads and writes the answers in the server-side session.

mod address_code;
mod booking_files;
mod finish;
mod manage;
mod owned;
mod schedule;
mod session;
mod step;
mod steps;
mod summary;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tenant}/booking", web::get().to(manage::lookup_form))
        .route("/{tenant}/booking", web::post().to(manage::lookup_submit))
        .route("/{tenant}/booking/{code}", web::get().to(manage::show))
        .route(
            "/{tenant}/booking/{code}/change",
            web::get().to(manage::change),
        )
        .route(
            "/{tenant}/booking/{code}/qr.svg",
            web::get().to(booking_files::qr_code),
        )
        .route(
            "/{tenant}/booking/{code}/calendar.ics",
            web::get().to(booking_files::calendar_file),
        )
        .route(
            "/{tenant}/booking/{code}/move",
            web::get().to(manage::move_form),
        )
        .route(
            "/{tenant}/booking/{code}/move",
            web::post().to(manage::move_submit),
        )
        .route(
            "/{tenant}/booking/{code}/cancel",
            web::get().to(manage::cancel_form),
        )
        .route(
            "/{tenant}/booking/{code}/cancel",
            web::post().to(manage::cancel_submit),
        );
    cfg.service(
        web::scope("/{tenant}/book")
            .route("/done/{code}", web::get().to(finish::done))
            .route("/{procedure}/", web::get().to(steps::start))
            .route("/{procedure}", web::get().to(super::pages::add_slash))
            .route("/{procedure}/identify", web::get().to(steps::identify_form))
            .route(
                "/{procedure}/identify",
                web::post().to(steps::identify_submit),
            )
            .route("/{procedure}/location", web::get().to(steps::location_form))
            .route(
                "/{procedure}/location",
                web::post().to(steps::location_submit),
            )
            .route("/{procedure}/date", web::get().to(schedule::calendar))
            .route("/{procedure}/time", web::get().to(schedule::times_form))
            .route("/{procedure}/time", web::post().to(schedule::times_submit))
            .route("/{procedure}/contact", web::get().to(finish::contact_form))
            .route(
                "/{procedure}/contact",
                web::post().to(finish::contact_submit),
            )
            .route(
                "/{procedure}/email-code",
                web::get().to(address_code::code_form),
            )
            .route(
                "/{procedure}/email-code",
                web::post().to(address_code::code_submit),
            )
            .route("/{procedure}/check", web::get().to(finish::check_form))
            .route("/{procedure}/check", web::post().to(finish::check_submit)),
    );
}
