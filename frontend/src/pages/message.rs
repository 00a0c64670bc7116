use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::view_models::MessageVm;

/// A page that only says something and offers one way on (expired form, unknown page…).
#[component]
pub fn Message(vm: MessageVm) -> impl IntoView {
    view! {
        <Layout frame=vm.frame>
            <p>{vm.text}</p>
            <p><a class="button" href=vm.link_href>{vm.link_text}</a></p>
            {(!vm.more_links.is_empty()).then(|| view! {
                <ul class="more-links">
                    {vm.more_links.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect_view()}
                </ul>
            })}
        </Layout>
    }
}

pub fn render(vm: MessageVm) -> String {
    crate::render_document(move || view! { <Message vm=vm/> })
}
