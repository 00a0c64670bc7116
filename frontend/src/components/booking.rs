use leptos::prelude::*;

use crate::i18n::{t, tf, Lang};
use crate::view_models::BookingLinks;

/// The booking code in large type with its QR code, as shown at the counter. Without
/// links (a cancelled booking) there is no QR code and the code is only a reference.
#[component]
pub fn BookingCode(
    lang: Lang,
    code: String,
    links: Option<BookingLinks>,
    status: Option<String>,
) -> impl IntoView {
    let alt = tf(lang, "qr_alt", &[("code", &code)]);
    let label = if links.is_some() {
        t(lang, "done_code")
    } else {
        t(lang, "manage_code")
    };
    view! {
        <div class="booking-code">
            <p>{label}</p>
            <p class="code" lang="en">{code}</p>
            {status.map(|s| view! { <p class="status">{s}</p> })}
            {links.map(|links| view! { <img class="qr" src=links.qr_src alt=alt width="160" height="160"/> })}
        </div>
    }
}

/// Calendar file and map for a booking.
#[component]
pub fn BookingLinksList(lang: Lang, links: BookingLinks) -> impl IntoView {
    view! {
        <ul class="booking-links">
            <li><a href=links.ics_href download="madoguchi.ics">{t(lang, "add_to_calendar")}</a></li>
            <li><a href=links.map_href rel="noopener noreferrer">{t(lang, "open_map")}</a></li>
        </ul>
    }
}
