use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::view_models::TenantListVm;

/// The root page: one link per municipality served by this deployment.
#[component]
pub fn TenantList(vm: TenantListVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
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
