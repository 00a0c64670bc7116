use leptos::prelude::*;

use crate::components::form::{CsrfField, TextField};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::{ContactVm, FieldVm};

/// The contact fields the tenant asks for, each marked required or optional.
#[component]
pub fn Contact(vm: ContactVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let field = move |id: &'static str,
                      label: &str,
                      field: FieldVm,
                      input_type: &'static str,
                      autocomplete: &'static str| {
        (field.mode != "off").then(move || {
            view! {
                <TextField lang=lang id=id label=t(lang, label) value=field.value
                    required=field.mode == "required" error=field.error
                    input_type=input_type autocomplete=autocomplete/>
            }
        })
    };
    view! {
        <Layout frame=vm.frame>
            {vm.held_until.map(|text| view! { <p class="notice">{text}</p> })}
            <form method="post" action=vm.form.action novalidate>
                <CsrfField token=vm.form.csrf/>
                {field("email", "contact_email", vm.email, "email", "email")}
                {field("phone", "contact_phone", vm.phone, "tel", "tel")}
                {field("name", "contact_name", vm.name, "text", "name")}
                <button type="submit">{t(lang, "continue")}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: ContactVm) -> String {
    crate::render_document(move || view! { <Contact vm=vm/> })
}
