use leptos::prelude::*;

use crate::components::form::CsrfField;
use crate::components::layout::Layout;
use crate::i18n::t;
use crate::view_models::TimesVm;

/// The times of one day, as radio buttons; choosing one holds the place.
#[component]
pub fn Times(vm: TimesVm) -> impl IntoView {
    let lang = vm.frame.lang;
    let none_available = !vm.times.iter().any(|time| time.available);
    let has_error = vm.error.is_some();
    view! {
        <Layout frame=vm.frame>
            {if none_available {
                view! { <p>{t(lang, "time_none")}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=vm.form.action novalidate>
                        <CsrfField token=vm.form.csrf/>
                        <fieldset id="slot" class=if has_error { "field field-error" } else { "field" }>
                            <legend>{vm.date_label}</legend>
                            {vm.error.map(|e| view! { <p class="error" id="slot-error">{e}</p> })}
                            {vm.times.into_iter().map(|time| {
                                let id = format!("slot-{}", time.slot_id);
                                view! {
                                    <div class="radio">
                                        <input type="radio" name="slot" id=id.clone()
                                            value=time.slot_id.to_string() disabled=!time.available/>
                                        <label for=id>
                                            <span class="time">{time.label}</span>
                                            " "
                                            <span class="places">{time.places_text}</span>
                                        </label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                        <button type="submit">{t(lang, "time_choose")}</button>
                    </form>
                }.into_any()
            }}
        </Layout>
    }
}

pub fn render(vm: TimesVm) -> String {
    crate::render_document(move || view! { <Times vm=vm/> })
}
