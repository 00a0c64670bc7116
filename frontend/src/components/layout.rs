use leptos::prelude::*;

use crate::i18n::{t, Lang, Msg};

/// The frame of every page: language, title, skip link, language switch.
/// `switch_href` is the same page in the other language, so the reader keeps their place.
#[component]
pub fn Layout(lang: Lang, title: String, switch_href: String, children: Children) -> impl IntoView {
    let other = lang.other();
    view! {
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title.clone()}</title>
                <link rel="stylesheet" href="/static/site.css"/>
            </head>
            <body>
                <header class="site-header">
                    <p class="site-name">{t(lang, Msg::SiteName)}</p>
                    <a class="lang-switch" href=switch_href hreflang=other.code() lang=other.code()>
                        {t(lang, Msg::SwitchLanguage)}
                    </a>
                </header>
                <main id="main">
                    <h1>{title}</h1>
                    {children()}
                </main>
            </body>
        </html>
    }
}
