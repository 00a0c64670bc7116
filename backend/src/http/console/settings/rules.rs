//! The city's booking rules and contact fields, changed by an administrator: the form,
//! then a preview listing every change it makes, then the save, checked against the
//! version the administrator previewed.

use actix_web::HttpResponse;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::Input;
use madoguchi_frontend::view_models::FieldError;

use super::flow::{field_errors, form_page, preview_or_save, Decision, Shown};
use crate::db::kinds::{ContactRule, PickupNumberKind, PickupProofKind, TextEnum};
use crate::domain::settings::{self, RulesInput};
use crate::domain::staff::{address_in, Permission};
use crate::error::AppError;
use crate::http::console::cx::StaffCx;
use crate::http::page::{Outcome, PageRequest, Posted};

/// The rules form as sent: the fields, the version they were read at, and whether the
/// administrator asks to save (else to preview).
#[derive(serde::Deserialize, Default, Clone)]
pub struct RulesForm {
    #[serde(flatten)]
    input: RulesInput,
    #[serde(flatten)]
    decision: Decision,
}

/// The label of a field: its catalogue key is `settings_field_<field>`.
fn label(cx: &StaffCx, field: &str) -> String {
    cx.text(&format!("settings_field_{field}"))
}

fn options<T: TextEnum>(cx: &StaffCx, prefix: &str) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| {
            let word = v.as_str().to_string();
            (word.clone(), cx.text(&format!("{prefix}{word}")))
        })
        .collect()
}

/// The form's inputs, showing `input` and each problem at its field.
fn inputs(cx: &StaffCx, input: &RulesInput, errors: &[FieldError]) -> Vec<Input> {
    let number = |field: &str, value: &str| {
        let (_, min, max) = settings::RANGES
            .iter()
            .copied()
            .find(|(name, _, _)| *name == field)
            .unwrap_or((field, 0, 0));
        let mut input =
            Input::text(field, label(cx, field), value.to_string()).with_error_from(errors);
        if let Input::Text { kind, hint, .. } = &mut input {
            *kind = "number";
            *hint = Some(tf(
                cx.lang,
                "settings_range_hint",
                &[("min", &min.to_string()), ("max", &max.to_string())],
            ));
        }
        input
    };
    let time = |field: &str, value: &str| {
        Input::text(field, label(cx, field), value.to_string()).with_error_from(errors)
    };
    let check = |field: &str, value: &Option<String>| Input::Check {
        id: field.into(),
        label: label(cx, field),
        checked: value.is_some(),
    };
    let select = |field: &str, options: Vec<(String, String)>, chosen: &str| Input::Select {
        id: field.into(),
        label: label(cx, field),
        options,
        chosen: chosen.to_string(),
    };
    vec![
        number("booking_opens_days", &input.booking_opens_days),
        number("cutoff_days_before", &input.cutoff_days_before),
        time("cutoff_at", &input.cutoff_at),
        number("change_days_before", &input.change_days_before),
        time("change_at", &input.change_at),
        check(
            "deadlines_skip_closed_days",
            &input.deadlines_skip_closed_days,
        ),
        number("hold_minutes", &input.hold_minutes),
        number("max_party_size", &input.max_party_size),
        select(
            "pickup_number",
            options::<PickupNumberKind>(cx, "settings_pickup_number_"),
            &input.pickup_number,
        ),
        select(
            "pickup_proof",
            options::<PickupProofKind>(cx, "settings_pickup_proof_"),
            &input.pickup_proof,
        ),
        check("allow_transfers", &input.allow_transfers),
        check(
            "closed_on_national_holidays",
            &input.closed_on_national_holidays,
        ),
        check("closed_over_new_year", &input.closed_over_new_year),
        number("reminder_hour", &input.reminder_hour),
        check("confirm_email", &input.confirm_email),
        time("inquiry_phone", &input.inquiry_phone),
        select(
            "contact_email",
            options::<ContactRule>(cx, "settings_contact_"),
            &input.contact_email,
        ),
        select(
            "contact_phone",
            options::<ContactRule>(cx, "settings_contact_"),
            &input.contact_phone,
        ),
        select(
            "contact_name",
            options::<ContactRule>(cx, "settings_contact_"),
            &input.contact_name,
        ),
        number("staff_idle_minutes", &input.staff_idle_minutes),
        number(
            "staff_password_min_length",
            &input.staff_password_min_length,
        ),
        check("staff_password_mixed", &input.staff_password_mixed),
        Input::area(
            "staff_networks",
            label(cx, "staff_networks_lines"),
            input.staff_networks.clone(),
        ),
    ]
}

/// The form, with the changes it makes when it is a preview.
fn page(
    cx: &StaffCx,
    shown: Shown,
    input: &RulesInput,
    errors: Vec<FieldError>,
) -> Result<Outcome, AppError> {
    let fields = inputs(cx, input, &errors);
    let title = "settings_rules_title";
    form_page(
        cx,
        title,
        "settings/rules",
        Vec::new(),
        shown,
        fields,
        errors,
    )
}

/// The form as typed, refused with `errors`.
fn refused(cx: &StaffCx, form: &RulesForm, errors: Vec<FieldError>) -> Result<Outcome, AppError> {
    page(
        cx,
        Shown::refused(&form.decision.version),
        &form.input,
        errors,
    )
}

pub async fn form(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx| {
            let (file, version) = settings::current(conn, &cx.tenant)?;
            let input = RulesInput::of(&file);
            page(cx, Shown::reading(&version), &input, Vec::new())
        })
        .await
}

pub async fn submit(request: Posted<RulesForm>) -> HttpResponse {
    request
        .staff_step(Permission::ManageSettings, |conn, cx, form| {
            let (file, now) = settings::current(conn, &cx.tenant)?;
            let client = cx.client_addr.as_deref().and_then(|a| a.parse().ok());
            let wanted = match form.input.clone().into_file(file) {
                // The administrator's own terminal stays inside the console's ranges:
                // a change that would lock them out is refused.
                Ok(wanted) if !address_in(&wanted.rules.staff_networks, client) => {
                    let errors = vec![FieldError {
                        field: "staff_networks".into(),
                        message: tf(
                            cx.lang,
                            "settings_error_network_excludes_you",
                            &[("address", cx.client_addr.as_deref().unwrap_or("-"))],
                        ),
                    }];
                    return refused(cx, &form, errors);
                }
                Ok(wanted) => wanted,
                Err(problems) => {
                    return refused(cx, &form, field_errors(cx, problems, "settings_field_"))
                }
            };
            let show = |cx: &StaffCx, shown: Shown| page(cx, shown, &form.input, Vec::new());
            preview_or_save(
                conn,
                cx,
                &form.decision,
                &now,
                &wanted,
                "settings.rules",
                show,
            )
        })
        .await
}
