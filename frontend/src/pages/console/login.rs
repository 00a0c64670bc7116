use leptos::prelude::*;

use crate::components::form::{CsrfField, TextField};
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::StaffLoginVm;

#[component]
pub fn StaffLogin(vm: StaffLoginVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
            <form method="post" action=vm.form.action novalidate>
                <CsrfField token=vm.form.csrf/>
                {vm.error.map(|e| view! { <p class="error" id="login-error">{e}</p> })}
                <TextField lang=lang id="login" label=t(lang, "staff_login_id") value=vm.login
                    required=true error=None autocomplete="username"/>
                <TextField lang=lang id="password" label=t(lang, "staff_password") value=String::new()
                    required=true error=None input_type="password" autocomplete="current-password"/>
                <button type="submit">{t(lang, "staff_log_in")}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: StaffLoginVm) -> String {
    crate::render_document(move || view! { <StaffLogin vm=vm/> })
}
