//! The list of bookings a change leaves without a place, and the administrator's choice
//! for them: keep them (staff call the residents) or cancel each with a message that goes
//! into its resident's cancellation mail. Used by every settings form and by closed days.

use madoguchi_frontend::pages::console::kit::{Block, Cell, Header, Input, Table};
use madoguchi_frontend::view_models::FieldError;

use crate::domain::displaced::Displaced;
use crate::domain::displaced::{Decided, Displacement};
use crate::http::console::cx::StaffCx;

/// Longest message to residents, in characters.
const MESSAGE_MAX_CHARS: usize = 500;

/// The choice as sent with a form: keep or cancel, the message, and the bookings listed
/// when it was made (ids, comma-separated), so that a booking arriving meanwhile is
/// never cancelled unseen.
#[derive(serde::Deserialize, Default, Clone, Debug)]
pub struct Choice {
    #[serde(default)]
    pub displaced: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub listed: String,
}

impl Choice {
    /// The decision as the domain takes it, or the problems at the choice's fields.
    pub fn decided(&self, cx: &StaffCx) -> Result<Decided, Vec<FieldError>> {
        let seen = self
            .listed
            .split(',')
            .filter_map(|id| id.trim().parse::<i64>().ok())
            .collect();
        let displacement = match self.displaced.as_str() {
            "keep" => Displacement::Keep,
            "cancel" => {
                let message = self.message.trim().replace("\r\n", "\n");
                let bad_char = message.chars().any(|c| c.is_control() && c != '\n');
                if message.is_empty() || message.chars().count() > MESSAGE_MAX_CHARS || bad_char {
                    let max = MESSAGE_MAX_CHARS.to_string();
                    let text = madoguchi_frontend::i18n::tf(
                        cx.lang,
                        "displaced_message_needed",
                        &[("n", &max)],
                    );
                    return Err(vec![crate::http::page::field_error("message", text)]);
                }
                Displacement::Cancel {
                    message,
                    actor: cx.actor(),
                }
            }
            _ => Displacement::Undecided,
        };
        Ok(Decided { seen, displacement })
    }
}

/// The displaced bookings as a table, for the page; nothing when there are none.
pub fn table(cx: &StaffCx, list: &[Displaced]) -> Vec<Block> {
    if list.is_empty() {
        return Vec::new();
    }
    let rows = list
        .iter()
        .map(|d| {
            let day =
                crate::domain::calendar::date_label(cx.lang, cx.clock.local_date(d.starts_at));
            let time = d.starts_at.with_timezone(&cx.clock.tz).format("%H:%M");
            vec![
                Cell::Text(format!("{day} {time}")),
                Cell::Text(d.location.clone()),
                Cell::Text(d.name.clone()),
                Cell::Code(d.code.clone()),
                Cell::Text(d.party_size.to_string()),
                Cell::Text(cx.text(if d.over_capacity {
                    "displaced_over_capacity"
                } else {
                    "displaced_outside_hours"
                })),
            ]
        })
        .collect();
    let caption = madoguchi_frontend::i18n::tf(
        cx.lang,
        "displaced_caption",
        &[("n", &list.len().to_string())],
    );
    vec![
        Block::Heading(caption.clone()),
        Block::Text(cx.text("displaced_lead")),
        Block::Table(Table {
            caption,
            headers: [
                "displaced_when",
                "staff_location",
                "displaced_name",
                "staff_column_code",
                "displaced_party",
                "displaced_why",
            ]
            .iter()
            .map(|k| Header::plain(cx.text(k)))
            .collect(),
            rows,
            empty_text: String::new(),
        }),
    ]
}

/// The choice's fields for a form that saves a change displacing `list`; nothing when it
/// displaces none.
pub fn inputs(
    cx: &StaffCx,
    list: &[Displaced],
    choice: &Choice,
    errors: &[FieldError],
) -> Vec<Input> {
    if list.is_empty() {
        return Vec::new();
    }
    let listed: Vec<String> = list.iter().map(|d| d.booking_id.to_string()).collect();
    vec![
        Input::hidden("listed", listed.join(",")),
        Input::Radios {
            name: "displaced".into(),
            legend: cx.text("displaced_choice"),
            options: vec![
                ("keep".into(), cx.text("displaced_keep"), true),
                ("cancel".into(), cx.text("displaced_cancel"), true),
            ],
            chosen: choice.displaced.clone(),
            error: None,
        }
        .with_error_from(errors),
        Input::area(
            "message",
            cx.text("displaced_message"),
            choice.message.clone(),
        )
        .with_error_from(errors),
    ]
}
