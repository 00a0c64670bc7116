use leptos::prelude::*;

use crate::components::form::CsrfField;
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::{CheckVm, SummaryRow};

/// The answers as a list, each with a way back to change it.
#[component]
pub fn Summary(lang: crate::i18n::Lang, rows: Vec<SummaryRow>) -> impl IntoView {
    view! {
        <dl class="summary">
            {rows.into_iter().map(|row| view! {
                <div class="summary-row">
                    <dt>{row.label.clone()}</dt>
                    <dd>{row.value}</dd>
                    {row.change_href.map(|href| view! {
                        <dd class="change">
                            <a href=href>{t(lang, "check_change")}<span class="visually-hidden">{format!(" {}", row.label)}</span></a>
                        </dd>
                    })}
                </div>
            }).collect_view()}
        </dl>
    }
}

#[component]
pub fn Check(vm: CheckVm) -> impl IntoView {
    let lang = vm.frame.lang;
    view! {
        <Layout frame=vm.frame>
            {vm.held_until.map(|text| view! { <p class="notice">{text}</p> })}
            <Summary lang=lang rows=vm.rows/>
            <form method="post" action=vm.form.action>
                <CsrfField token=vm.form.csrf/>
                <button type="submit">{t(lang, "check_confirm")}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: CheckVm) -> String {
    crate::render_document(move || view! { <Check vm=vm/> })
}
