use leptos::prelude::*;

use crate::components::form::{CsrfField, TextField};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::IdentifyVm;

/// A pickup starts with the number on the issuance notice and the date of birth (or the
/// password), as the tenant chooses.
#[component]
pub fn Identify(vm: IdentifyVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let (number_label, number_hint) = if vm.number_kind == "manufacture_number" {
        (
            t(lang, "identify_manufacture_number"),
            t(lang, "identify_manufacture_number_hint"),
        )
    } else {
        (
            t(lang, "identify_reservation_number"),
            t(lang, "identify_reservation_number_hint"),
        )
    };
    let password = vm.proof_kind == "password";
    view! {
        <Layout frame=vm.frame>
            <form method="post" action=vm.form.action novalidate>
                <CsrfField token=vm.form.csrf/>
                <TextField lang=lang id="number" label=number_label hint=number_hint
                    value=vm.number required=true error=vm.number_error autocomplete="off"/>
                {if password {
                    view! {
                        <TextField lang=lang id="password" label=t(lang, "identify_password")
                            value=String::new() required=true error=vm.proof_error
                            input_type="password" autocomplete="off"/>
                    }.into_any()
                } else {
                    view! {
                        <TextField lang=lang id="birth_date" label=t(lang, "identify_birth_date")
                            hint=t(lang, "identify_birth_date_hint") value=vm.birth_date required=true
                            error=vm.proof_error autocomplete="bday"/>
                    }.into_any()
                }}
                <button type="submit">{t(lang, "continue")}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: IdentifyVm) -> String {
    crate::render_document(move || view! { <Identify vm=vm/> })
}
