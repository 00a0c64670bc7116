use leptos::prelude::*;

use super::check::Summary;
use crate::components::booking::{BookingCode, BookingLinksList};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::DoneVm;

/// The confirmation: the booking code in large type and what the visit needs.
#[component]
pub fn Done(vm: DoneVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
            <BookingCode lang=lang code=vm.code_display links=Some(vm.links.clone()) status=None/>
            <Summary lang=lang rows=vm.rows/>
            <p class="deadline">{vm.deadline_text}</p>
            <BookingLinksList lang=lang links=vm.links/>
            <h2>{t(lang, "done_bring")}</h2>
            <p>{vm.bring}</p>
            <p><a href=vm.manage_href>{t(lang, "done_manage")}</a></p>
        </Layout>
    }
}

pub fn render(vm: DoneVm) -> String {
    crate::render_document(move || view! { <Done vm=vm/> })
}
