use leptos::prelude::*;

use crate::i18n::{t, Lang};
use crate::view_models::{FieldError, PageFrame};

/// The frame of every page: language, title, language switch (same page, every other
/// language by its own name),
/// a back link where there is one, and the error summary at the top of the content.
#[component]
pub fn Layout(frame: PageFrame, children: Children) -> impl IntoView {
    let lang = frame.lang;
    let others: Vec<(Lang, String)> = Lang::ALL
        .into_iter()
        .filter(|other| *other != lang)
        .map(|other| (other, crate::view_models::in_language(&frame.here, other)))
        .collect();
    let has_errors = !frame.errors.is_empty();
    // Console pages are used on office screens and hold wide tables.
    let body_class = if frame.nav.is_empty() { "" } else { "console" };
    let title = if has_errors {
        format!("{}: {}", t(lang, "error_summary_title"), frame.title)
    } else {
        frame.title.clone()
    };
    view! {
        <html lang=lang.html_lang()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                <link rel="stylesheet" href="/static/site.css"/>
            </head>
            <body class=body_class>
                <header class="site-header">
                    <p class="site-name">{t(lang, "site_name")}</p>
                    <nav class="lang-switch-list" aria-label=t(lang, "language_choice")>
                        {others.into_iter().map(|(other, href)| view! {
                            <a class="lang-switch" href=href hreflang=other.html_lang() lang=other.html_lang()>
                                {other.own_name()}
                            </a>
                        }).collect_view()}
                    </nav>
                </header>
                {frame.training.then(|| view! {
                    <div class="banner training" role="note"><strong>{t(lang, "training_mark")}</strong>" "{t(lang, "training_banner")}</div>
                })}
                {frame.banner.map(|text| view! {
                    <div class="banner" role="status"><strong>{t(lang, "maintenance")}</strong>" "{text}</div>
                })}
                {frame.staff.map(|staff| {
                    let count = staff.notices.len();
                    let notices = staff.notices;
                    view! {
                        <div class="staff-bar">
                            <p>{t(lang, "staff_logged_in_as")}" "<strong>{staff.who}</strong></p>
                            <form method="post" action=staff.logout.action>
                                <input type="hidden" name="csrf" value=staff.logout.csrf/>
                                <button type="submit" class="secondary">{t(lang, "staff_log_out")}</button>
                            </form>
                        </div>
                        {(count > 0).then(|| view! {
                            <details class="staff-notices" open=staff.notices_open>
                                <summary>{crate::i18n::tf(lang, "staff_notices_summary", &[("n", &count.to_string())])}</summary>
                                <ul>
                                    {notices.into_iter().map(|body| view! { <li class="multiline">{body}</li> }).collect_view()}
                                </ul>
                            </details>
                        })}
                    }
                })}
                {(!frame.nav.is_empty()).then(|| view! {
                    <nav class="console-nav" aria-label=t(lang, "staff_menu")>
                        <ul>
                            {frame.nav.into_iter().map(|(href, label)| view! {
                                <li><a href=href>{label}</a></li>
                            }).collect_view()}
                        </ul>
                    </nav>
                })}
                <main id="main">
                    {frame.back_href.map(|href| view! { <a class="back" href=href>{t(lang, "back")}</a> })}
                    {has_errors.then(|| view! { <ErrorSummary lang=lang errors=frame.errors/> })}
                    <h1>{frame.title}</h1>
                    {children()}
                </main>
                {frame.footer_base.map(|base| {
                    let link = |page: &str| crate::view_models::in_language(&format!("{base}/{page}"), lang);
                    view! {
                        <footer class="site-footer">
                            <nav aria-label=t(lang, "footer_label")>
                                <a href=link("accessibility")>{t(lang, "footer_accessibility")}</a>
                                <a href=link("accessibility-policy")>{t(lang, "footer_policy")}</a>
                                <a href=link("privacy")>{t(lang, "footer_privacy")}</a>
                            </nav>
                        </footer>
                    }
                })}
            </body>
        </html>
    }
}

/// The list of problems at the top of a page, each linking to its field.
#[component]
fn ErrorSummary(lang: Lang, errors: Vec<FieldError>) -> impl IntoView {
    view! {
        // Focus lands here after a failed submit, without JavaScript (autofocus on an
        // element that takes focus through tabindex).
        <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
            <h2 id="error-summary-title">{t(lang, "error_summary_title")}</h2>
            <ul>
                {errors.into_iter().map(|e| view! {
                    <li><a href=format!("#{}", e.field)>{e.message}</a></li>
                }).collect_view()}
            </ul>
        </div>
    }
}
