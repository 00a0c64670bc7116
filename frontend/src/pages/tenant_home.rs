use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::{t, Msg};
use crate::view_models::TenantHomeVm;

/// A tenant's start page: its counters and the procedures residents can book.
#[component]
pub fn TenantHome(vm: TenantHomeVm) -> impl IntoView {
    let lang = vm.lang;
    let switch_href = format!("/{}/?lang={}", vm.tenant_code, lang.other().code());
    let no_locations = vm.locations.is_empty();
    view! {
        <Layout lang=lang title=vm.tenant_name.clone() switch_href=switch_href>
            <section aria-labelledby="procedures-heading">
                <h2 id="procedures-heading">{t(lang, Msg::Procedures)}</h2>
                <ul class="procedures">
                    {vm.procedures.into_iter().map(|p| view! {
                        <li data-code=p.code>
                            <strong>{p.name}</strong>
                            {(!p.notes.is_empty()).then(|| view! { <p>{p.notes}</p> })}
                            {p.needs_card.then(|| view! { <p class="hint">{t(lang, Msg::NeedsCard)}</p> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
            <section aria-labelledby="locations-heading">
                <h2 id="locations-heading">{t(lang, Msg::Locations)}</h2>
                {no_locations.then(|| view! { <p>{t(lang, Msg::NoLocations)}</p> })}
                <ul class="locations">
                    {vm.locations.into_iter().map(|l| view! {
                        <li data-code=l.code>
                            <strong>{l.name}</strong>
                            <p>{l.address}</p>
                            {l.issues_cards.then(|| view! { <p class="hint">{t(lang, Msg::IssuesCards)}</p> })}
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
