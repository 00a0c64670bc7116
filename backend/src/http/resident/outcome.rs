//! What a page step decides, and how that becomes an HTTP response.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

/// What a page step decided: show a page, or send the browser elsewhere (303).
pub enum Outcome {
    Page(StatusCode, String),
    Redirect(String),
    /// A download or image belonging to a page (QR code, calendar file).
    File {
        content_type: &'static str,
        body: web::Bytes,
    },
    /// A download produced piece by piece (large exports), never whole in memory.
    Stream {
        content_type: &'static str,
        filename: String,
        chunks: tokio::sync::mpsc::Receiver<web::Bytes>,
    },
}

impl Outcome {
    pub fn into_response(self) -> HttpResponse {
        match self {
            Outcome::Page(status, html) => crate::http::pages::html(status, html),
            // Never cached: where a step sends the browser depends on the session, and a
            // remembered redirect would replay a finished flow on Back.
            Outcome::Redirect(to) => HttpResponse::SeeOther()
                .insert_header(("Location", to))
                .insert_header(("Cache-Control", "no-store"))
                .finish(),
            Outcome::File { content_type, body } => HttpResponse::Ok()
                .content_type(content_type)
                .insert_header(("Cache-Control", "private, no-store"))
                .body(body),
            Outcome::Stream {
                content_type,
                filename,
                chunks,
            } => HttpResponse::Ok()
                .content_type(content_type)
                .insert_header(("Cache-Control", "private, no-store"))
                .insert_header((
                    "Content-Disposition",
                    format!("attachment; filename=\"{filename}\""),
                ))
                .streaming(futures_util::stream::unfold(
                    chunks,
                    |mut chunks| async move {
                        chunks
                            .recv()
                            .await
                            .map(|chunk| (Ok::<_, actix_web::Error>(chunk), chunks))
                    },
                )),
        }
    }
}
