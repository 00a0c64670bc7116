use leptos::prelude::*;

use crate::components::form::CsrfField;
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::LocationChoiceVm;

/// Procedures without a card record may be booked at any counter that offers them.
#[component]
pub fn LocationChoice(vm: LocationChoiceVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let title = vm.frame.title.clone();
    let has_error = vm.error.is_some();
    view! {
        <Layout frame=vm.frame>
            <form method="post" action=vm.form.action novalidate>
                <CsrfField token=vm.form.csrf/>
                <fieldset id="location" class=if has_error { "field field-error" } else { "field" }>
                    <legend class="visually-hidden">{title}</legend>
                    {vm.error.map(|e| view! { <p class="error">{e}</p> })}
                    {vm.options.into_iter().map(|option| {
                        let id = format!("location-{}", option.code);
                        view! {
                            <div class="radio">
                                <input type="radio" name="location" id=id.clone() value=option.code checked=option.selected/>
                                <label for=id>
                                    <span class="option-name">{option.name}</span>
                                    <span class="hint">{option.address}</span>
                                    {(!option.access.is_empty()).then(|| view! { <span class="hint multiline">{option.access}</span> })}
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit">{t(lang, "continue")}</button>
            </form>
        </Layout>
    }
}

pub fn render(vm: LocationChoiceVm) -> String {
    crate::render_document(move || view! { <LocationChoice vm=vm/> })
}
