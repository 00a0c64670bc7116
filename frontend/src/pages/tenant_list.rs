use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::{t, Msg};
use crate::view_models::TenantListVm;

/// The root page: one link per municipality served by this deployment.
#[component]
pub fn TenantList(vm: TenantListVm) -> impl IntoView {
    let lang = vm.lang;
    let switch_href = format!("/?lang={}", lang.other().code());
    view! {
        <Layout lang=lang title=t(lang, Msg::Tenants).to_string() switch_href=switch_href>
            <ul class="tenants">
                {vm.tenants.into_iter().map(|tenant| view! {
                    <li><a href=format!("/{}/?lang={}", tenant.code, lang.code())>{tenant.name}</a></li>
                }).collect_view()}
            </ul>
        </Layout>
    }
}

pub fn render(vm: TenantListVm) -> String {
    crate::render_document(move || view! { <TenantList vm=vm/> })
}
