use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::TenantHomeVm;

/// A tenant's start page: the procedures residents can book, and its counters.
#[component]
pub fn TenantHome(vm: TenantHomeVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let no_locations = vm.locations.is_empty();
    view! {
        <Layout frame=vm.frame>
            {(!vm.maintenance.is_empty()).then(|| view! {
                <div class="banner" role="status"><strong>{t(lang, "maintenance")}</strong>" "{vm.maintenance}</div>
            })}
            {(!vm.notice.is_empty()).then(|| view! { <p class="notice">{vm.notice}</p> })}
            <section aria-labelledby="procedures-heading">
                <h2 id="procedures-heading">{t(lang, "procedures")}</h2>
                <ul class="procedures">
                    {vm.procedures.into_iter().map(|p| view! {
                        <li data-code=p.code>
                            <h3>{p.name.clone()}</h3>
                            {(!p.notes.is_empty()).then(|| view! { <p>{p.notes}</p> })}
                            {p.needs_card.then(|| view! { <p class="hint">{t(lang, "needs_card")}</p> })}
                            <a class="button" href=p.book_href>
                                {t(lang, "book_this")}
                                <span class="visually-hidden">{crate::i18n::tf(lang, "in_brackets", &[("text", &p.name)])}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
            <p><a href=vm.manage_href>{t(lang, "manage_title")}</a></p>
            <section aria-labelledby="locations-heading">
                <h2 id="locations-heading">{t(lang, "locations")}</h2>
                {no_locations.then(|| view! { <p>{t(lang, "no_locations")}</p> })}
                <ul class="locations">
                    {vm.locations.into_iter().map(|l| view! {
                        <li data-code=l.code>
                            <strong>{l.name}</strong>
                            <p>{l.address}</p>
                            {(!l.access.is_empty()).then(|| view! { <p class="multiline">{l.access}</p> })}
                            <p><a href=l.map_href rel="noopener">{t(lang, "open_map")}</a></p>
                            {l.issues_cards.then(|| view! { <p class="hint">{t(lang, "issues_cards")}</p> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Layout>
    }
}

pub fn render(vm: TenantHomeVm) -> String {
    crate::render_document(move || view! { <TenantHome vm=vm/> })
}
