use leptos::prelude::*;

use crate::i18n::{t, Lang};

/// The hidden token every form carries against cross-site request forgery.
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=token/> }
}

/// A labelled text input with its hint and, after a failed submit, its error message.
#[component]
pub fn TextField(
    lang: Lang,
    id: &'static str,
    label: String,
    #[prop(optional)] hint: Option<String>,
    value: String,
    required: bool,
    error: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The keyboard a phone shows, e.g. `numeric` for codes.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// A marker other than 必須 / 任意 (e.g. "one of the two is needed").
    #[prop(optional)]
    marker: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = [
        hint.as_ref().map(|_| hint_id.clone()),
        error.as_ref().map(|_| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let marker = marker.unwrap_or_else(|| {
        if required {
            t(lang, "required")
        } else {
            t(lang, "optional")
        }
    });
    let has_error = error.is_some();
    view! {
        <div class=if has_error { "field field-error" } else { "field" }>
            <label for=id>
                {label}
                <span class=if required { "marker required" } else { "marker" }>{marker}</span>
            </label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {error.map(|error| view! { <p class="error" id=error_id.clone()>{error}</p> })}
            <input
                type=input_type
                id=id
                name=id
                value=value
                required=required
                aria-invalid=if has_error { "true" } else { "false" }
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
                autocomplete=autocomplete
                inputmode=inputmode
            />
        </div>
    }
}
