use leptos::prelude::*;

use crate::components::form::CsrfField;
use crate::components::layout::Layout;
use crate::pages::booking::check::Summary;
use crate::view_models::ConfirmVm;

#[component]
pub fn Confirm(vm: ConfirmVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
            {vm.held_until.map(|text| view! { <p class="notice">{text}</p> })}
            <p>{vm.lead}</p>
            <Summary lang=lang rows=vm.rows/>
            <form method="post" action=vm.form.action>
                <CsrfField token=vm.form.csrf/>
                <button type="submit">{vm.button_label}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: ConfirmVm) -> String {
    crate::render_document(move || view! { <Confirm vm=vm/> })
}
