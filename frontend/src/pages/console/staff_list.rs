use leptos::prelude::*;

use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::StaffListVm;

#[component]
pub fn StaffList(vm: StaffListVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
            <table class="today">
                <thead><tr>
                    <th scope="col">{t(lang, "staff_login_id")}</th>
                    <th scope="col">{t(lang, "staff_role")}</th>
                    <th scope="col">{t(lang, "staff_status")}</th>
                </tr></thead>
                <tbody>
                    {vm.accounts.into_iter().map(|(login, role, locked)| view! {
                        <tr>
                            <td>{login}</td>
                            <td>{role}</td>
                            <td>{if locked { t(lang, "staff_locked") } else { t(lang, "staff_active") }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Layout>
    }
}

pub fn render(vm: StaffListVm) -> String {
    crate::render_document(move || view! { <StaffList vm=vm/> })
}
