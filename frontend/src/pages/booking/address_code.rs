use leptos::prelude::*;

use crate::components::form::{CsrfField, TextField};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::AddressCodeVm;

/// The code from the e-mail, with a way to have a new one sent or to correct the address.
#[component]
pub fn AddressCode(vm: AddressCodeVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let action = vm.form.action.clone();
    let csrf = vm.form.csrf.clone();
    view! {
        <Layout frame=vm.frame>
            {vm.held_until.map(|text| view! { <p class="notice">{text}</p> })}
            <p class="notice" role="status">{vm.notice}</p>
            <form method="post" action=vm.form.action novalidate>
                <CsrfField token=vm.form.csrf/>
                <TextField lang=lang id="code" label=t(lang, "email_code_label")
                    hint=t(lang, "email_code_hint") value=vm.code.value required=true
                    error=vm.code.error autocomplete="one-time-code" inputmode="numeric"/>
                <button type="submit">{t(lang, "continue")}</button>
            </form>
            <form method="post" action=action>
                <CsrfField token=csrf/>
                <input type="hidden" name="resend" value="1"/>
                <button type="submit" class="secondary">{t(lang, "email_code_resend")}</button>
            </form>
            <p><a href=vm.change_href>{t(lang, "email_code_change_address")}</a></p>
        </Layout>
    }
}

pub fn render(vm: AddressCodeVm) -> String {
    crate::render_document(move || view! { <AddressCode vm=vm/> })
}
