//! Proxy booking (代行入力): an operator books, moves and cancels for a caller on the phone.
//! The steps are the resident's (whose card, which counter and day, which time, contact) on
//! console pages. The operator is the actor, the channel is `phone`, and the whole slot, not
//! only its web share, is open to them. The answers so far travel in the page address, so
//! an operator can run two calls in two tabs.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use diesel::PgConnection;
use madoguchi_frontend::i18n::tf;
use madoguchi_frontend::pages::console::kit::{Block, Cell, Form, Header, Input, Table};
use serde_json::json;

use crate::db::booking::Booking;
use crate::db::card::CardRecord;
use crate::db::location::Location;
use crate::db::procedure::Procedure;
use crate::domain::card_search::{find_cards, CardQuery};
use crate::domain::input::{read_date, DateProblem};
use crate::domain::staff::Permission;
use crate::error::{AppError, Resource};
use crate::http::console::cx::StaffCx;
use crate::http::page::Outcome;
use crate::http::page::{PageRequest, Posted};

/// What the call is about, read from the page address.
pub(crate) struct CallPlan {
    pub procedure: Procedure,
    pub card: Option<CardRecord>,
    /// The booking being moved to another time.
    pub moving: Option<Booking>,
}

impl CallPlan {
    pub fn read(conn: &mut PgConnection, cx: &StaffCx) -> Result<CallPlan, AppError> {
        if let Some(code) = cx.param("move") {
            let booking = crate::http::console::booking_detail::find(conn, cx, &code)?;
            let procedure = Procedure::by_id(conn, cx.tenant.id, booking.procedure_id)?;
            let card = CardRecord::of_booking(conn, cx.tenant.id, booking.id)?
                .into_iter()
                .next();
            return Ok(CallPlan {
                procedure,
                card,
                moving: Some(booking),
            });
        }
        let code = cx.param("procedure").unwrap_or_default();
        let procedure = Procedure::active_by_code(conn, cx.tenant.id, &code)?
            .ok_or(AppError::NotFound(Resource::Procedure))?;
        let card = match cx.param("card").and_then(|id| id.parse::<i64>().ok()) {
            Some(id) => CardRecord::by_ids(conn, cx.tenant.id, &[id])?
                .into_iter()
                .next(),
            None => None,
        };
        if procedure.needs_card && card.is_none() {
            return Err(AppError::NotFound(Resource::Card));
        }
        Ok(CallPlan {
            procedure,
            card,
            moving: None,
        })
    }

    /// The plan as query text, carried from step to step.
    pub fn query(&self) -> String {
        match (&self.moving, &self.card) {
            (Some(booking), _) => format!("move={}", booking.code),
            (None, Some(card)) => format!("procedure={}&card={}", self.procedure.code, card.id),
            (None, None) => format!("procedure={}", self.procedure.code),
        }
    }

    /// The counters this call can book: for a card, where it is kept (or any issuing
    /// counter when the tenant moves cards); otherwise every counter offering the procedure.
    pub fn locations(
        &self,
        conn: &mut PgConnection,
        cx: &StaffCx,
    ) -> Result<Vec<Location>, AppError> {
        let offered = Location::offered_procedures(conn, cx.tenant.id)?;
        Ok(Location::for_tenant(conn, cx.tenant.id)?
            .into_iter()
            .filter(|l| {
                l.active && offered.contains(&(l.id, self.procedure.id)) && cx.works_at(l.id)
            })
            .filter(|l| match &self.card {
                Some(card) => {
                    card.location_id == l.id || (cx.tenant.allow_transfers && l.issues_cards)
                }
                None => true,
            })
            .collect())
    }

    pub fn fixed_party(&self) -> Option<i32> {
        match (&self.moving, &self.card) {
            (Some(booking), _) => Some(booking.party_size),
            (None, Some(_)) => Some(1),
            (None, None) => None,
        }
    }
}

/// The start of a call: find the caller's card, or choose a procedure without one.
pub async fn start(request: PageRequest) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx| {
            start_page(conn, cx, &CardSearch::default(), None, None)
        })
        .await
}

/// What a caller reads out to find their card.
#[derive(serde::Deserialize, Default, Clone)]
pub struct CardSearchForm {
    #[serde(default)]
    kana: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    shipment: String,
    #[serde(default)]
    number: String,
}

/// The caller's card search. Sent by POST, so that a name in kana and a date of birth never
/// stand in an address, a browser history or an access log; the results are the answer.
pub async fn search(request: Posted<CardSearchForm>) -> HttpResponse {
    request
        .staff_step(Permission::ProxyBooking, |conn, cx, form| {
            let search = CardSearch {
                kana: form.kana.trim().to_string(),
                birth_date: form.birth_date.trim().to_string(),
                shipment: form.shipment.trim().to_string(),
                number: form.number.trim().to_string(),
            };
            let field = cx.text("field_birth_date");
            let birth_date = match read_date(&search.birth_date) {
                Ok(date) => Some(date),
                Err(DateProblem::Empty) => None,
                Err(problem) => {
                    let error = problem.message(cx.lang, &field, &search.birth_date);
                    return start_page(
                        conn,
                        cx,
                        &search,
                        Some(SearchProblem::BirthDate(error)),
                        None,
                    );
                }
            };
            let query = CardQuery {
                kana: Some(search.kana.clone()).filter(|v| !v.is_empty()),
                birth_date,
                shipment_number: Some(search.shipment.clone()).filter(|v| !v.is_empty()),
                number: Some(search.number.clone()).filter(|v| !v.is_empty()),
            };
            if !query.is_searchable() {
                let error = cx.text("phone_kana_needs_birth_date");
                return start_page(conn, cx, &search, Some(SearchProblem::Query(error)), None);
            }
            let cards = find_cards(conn, cx.tenant.id, &query)?;
            cx.audit(
                conn,
                "card.search",
                "card_records",
                json!({ "matches": cards.len() }),
            )?;
            let table = card_table(conn, cx, cards)?;
            start_page(conn, cx, &search, None, Some(table))
        })
        .await
}

/// What the operator typed into the card search.
#[derive(Default)]
struct CardSearch {
    kana: String,
    birth_date: String,
    shipment: String,
    number: String,
}

enum SearchProblem {
    BirthDate(String),
    /// Nothing to search by (kana alone is too broad).
    Query(String),
}

/// The search form (with what was typed and any problem at its field), the results of a
/// search, and the procedures booked without a card.
fn start_page(
    conn: &mut PgConnection,
    cx: &StaffCx,
    search: &CardSearch,
    problem: Option<SearchProblem>,
    results: Option<Table>,
) -> Result<Outcome, AppError> {
    let (birth_error, notice) = match problem {
        Some(SearchProblem::BirthDate(error)) => (Some(error.clone()), Some((false, error))),
        Some(SearchProblem::Query(error)) => (None, Some((false, error))),
        None => (None, None),
    };
    let mut blocks = vec![
        Block::Heading(cx.text("phone_find_card")),
        Block::Text(cx.text("phone_find_card_hint")),
        Block::Form(search_form(cx, search, birth_error)),
    ];
    if let Some(table) = results {
        blocks.push(Block::Table(table));
    }
    let others: Vec<(String, String)> = Procedure::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .filter(|p| p.active && !p.needs_card)
        .map(|p| {
            let href = cx.console_url(&format!("phone/slots?procedure={}", p.code));
            (href, cx.pick(&p.name_ja, &p.name_en))
        })
        .collect();
    blocks.push(Block::Heading(cx.text("phone_without_card")));
    blocks.push(Block::Links(others));
    let status = if notice.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    cx.page(status, "phone_title", notice, blocks)
}

fn search_form(cx: &StaffCx, search: &CardSearch, birth_error: Option<String>) -> Form {
    let field = |id: &str, key: &str, value: &str| Input::text(id, cx.text(key), value.into());
    let mut birth_date = field("birth_date", "identify_birth_date", &search.birth_date);
    if let Input::Text { error, hint, .. } = &mut birth_date {
        *error = birth_error;
        *hint = Some(cx.text("identify_birth_date_hint"));
    }
    Form {
        action: cx.console_url("phone"),
        post: true,
        csrf: Some(cx.session.csrf_token.clone()),
        inputs: vec![
            field("kana", "phone_kana", &search.kana),
            birth_date,
            field("shipment", "phone_shipment", &search.shipment),
            field("number", "phone_number", &search.number),
        ],
        submit: cx.text("staff_search"),
        inline: true,
    }
}

fn card_table(
    conn: &mut PgConnection,
    cx: &StaffCx,
    cards: Vec<CardRecord>,
) -> Result<Table, AppError> {
    let locations = Location::for_tenant(conn, cx.tenant.id)?;
    let pickup = Procedure::for_tenant(conn, cx.tenant.id)?
        .into_iter()
        .find(|p| p.active && p.needs_card);
    let rows = cards
        .into_iter()
        .map(|card| {
            let location = locations
                .iter()
                .find(|l| l.id == card.location_id)
                .map(|l| cx.pick(&l.name, &l.name_en))
                .unwrap_or_default();
            let action = match &pickup {
                Some(p) => Cell::Link(
                    cx.console_url(&format!(
                        "phone/slots?procedure={}&card={}",
                        p.code, card.id
                    )),
                    tf(cx.lang, "phone_book_for", &[("name", &card.name)]),
                ),
                None => Cell::Text(String::new()),
            };
            vec![
                Cell::Text(card.name.clone()),
                Cell::Text(card.name_kana.clone()),
                Cell::Text(card.birth_date.to_string()),
                Cell::Text(location),
                Cell::Text(cx.text(&format!("card_status_{}", card.status))),
                action,
            ]
        })
        .collect();
    Ok(Table {
        caption: cx.text("phone_cards_found"),
        headers: [
            "contact_name",
            "phone_kana",
            "identify_birth_date",
            "staff_location",
            "staff_status",
            "staff_actions",
        ]
        .iter()
        .map(|key| Header::plain(cx.text(key)))
        .collect(),
        rows,
        empty_text: cx.text("phone_no_cards"),
    })
}
