use leptos::prelude::*;

use crate::components::booking::{BookingCode, BookingLinksList};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::pages::booking::check::Summary;
use crate::view_models::ManageVm;

#[component]
pub fn ManageBooking(vm: ManageVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
            {vm.notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <BookingCode lang=lang code=vm.code_display links=vm.links.clone() status=Some(vm.status_text)/>
            <Summary lang=lang rows=vm.rows/>
            {vm.links.map(|links| view! { <BookingLinksList lang=lang links=links/> })}
            {(!vm.deadline_text.is_empty()).then(|| view! { <p>{vm.deadline_text}</p> })}
            {vm.change_href.map(|href| view! { <p><a class="button" href=href>{t(lang, "manage_change")}</a></p> })}
            {vm.cancel_href.map(|href| view! { <p><a href=href>{t(lang, "manage_cancel")}</a></p> })}
            <p><a href=vm.start_href>{t(lang, "manage_book_again")}</a></p>
        </Layout>
    }
}

pub fn render(vm: ManageVm) -> String {
    crate::render_document(move || view! { <ManageBooking vm=vm/> })
}
