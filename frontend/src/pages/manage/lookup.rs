use leptos::prelude::*;

use crate::components::form::{CsrfField, TextField};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::LookupVm;

#[component]
pub fn Lookup(vm: LookupVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let proof_class = if vm.proof_error.is_some() {
        "field field-error proof"
    } else {
        "field proof"
    };
    view! {
        <Layout frame=vm.frame>
            <form method="post" action=vm.form.action novalidate>
                <CsrfField token=vm.form.csrf/>
                <TextField lang=lang id="code" label=t(lang, "manage_code") hint=t(lang, "manage_code_hint")
                    value=vm.code required=true error=vm.code_error autocomplete="off"/>
                <fieldset class=proof_class id="proof" tabindex="-1">
                    <legend>{t(lang, "manage_proof_legend")}<span class="marker required">{t(lang, "required")}</span></legend>
                    <p class="hint">{t(lang, "manage_proof_intro")}</p>
                    {vm.proof_error.map(|e| view! { <p class="error">{e}</p> })}
                    <TextField lang=lang id="birth_date" label=t(lang, "manage_birth_date")
                        hint=t(lang, "identify_birth_date_hint") value=vm.birth_date required=false error=None
                        autocomplete="bday" marker=t(lang, "manage_one_of_two")/>
                    <TextField lang=lang id="contact" label=t(lang, "manage_contact")
                        value=vm.contact required=false error=None autocomplete="email"
                        marker=t(lang, "manage_one_of_two")/>
                </fieldset>
                <button type="submit">{t(lang, "manage_lookup_button")}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: LookupVm) -> String {
    crate::render_document(move || view! { <Lookup vm=vm/> })
}
