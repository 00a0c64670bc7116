use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::local_time;
use super::slot_ref::{load_procedure, SlotRef};
use diesel::PgConnection;

use crate::db::booking::Booking;
use crate::db::procedure::Procedure;
use crate::db::tenant::Tenant;
use crate::domain::booking::{
    self, BookingDetails, BookingRequest, CardIdentification, CardProof, Contact, OwnerProof,
    Party, Placement,
};
use crate::domain::idempotency::{self, Answer, Retry};
use crate::domain::input::{parse_date, BookingCode, Email, PhoneNumber};
use crate::domain::{Actor, Clock};
use crate::error::{AppError, Resource};
use crate::http::extract::{client_addr, client_ip, load_tenant, JsonBody};
use crate::http::AppState;

#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    /// Book the place this client holds…
    hold_token: Option<String>,
    /// …or a slot directly, by id or by location and start.
    slot_id: Option<i64>,
    location: Option<String>,
    start: Option<String>,
    procedure: String,
    /// One per person picking up a card.
    members: Option<Vec<MemberBody>>,
    /// Number of people, for procedures without a card.
    party_size: Option<i32>,
    #[serde(default)]
    contact: ContactBody,
    #[serde(default)]
    note: String,
    /// `ja` (the default) or `en`: the language of the booking's e-mail links.
    lang: Option<String>,
}

impl BookingBody {
    fn slot_ref(&self) -> SlotRef {
        SlotRef {
            slot_id: self.slot_id,
            location: self.location.clone(),
            start: self.start.clone(),
        }
    }
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    number: String,
    birth_date: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    hold_token: Option<String>,
    slot_id: Option<i64>,
    location: Option<String>,
    start: Option<String>,
}

impl ChangeBody {
    fn slot_ref(&self) -> SlotRef {
        SlotRef {
            slot_id: self.slot_id,
            location: self.location.clone(),
            start: self.start.clone(),
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody<BookingBody>,
) -> Result<HttpResponse, AppError> {
    let tenant_code = path.into_inner();
    let body = body.0;
    let retry = retry_of(&req, "book", &body)?;
    let party = match (&body.members, body.party_size) {
        (Some(members), _) => {
            state.check_proof_rate(client_ip(&req))?;
            for member in members {
                state.check_card_rate(&member.number)?;
            }
            Party::Cards(
                members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| member_identification(m, &format!("members[{i}].")))
                    .collect::<Result<_, _>>()?,
            )
        }
        (None, size) => Party::People(size.unwrap_or(1)),
    };
    let contact = parse_contact(&body.contact)?;
    let lang = match body.lang.as_deref() {
        None => madoguchi_frontend::i18n::Lang::Ja,
        Some(code) => madoguchi_frontend::i18n::Lang::from_code(code)
            .ok_or_else(|| AppError::invalid("lang", "invalid_lang"))?,
    };
    let clock = state.clock();
    let actor = Actor::resident(client_addr(&req));
    state.check_write_rate(actor.client_addr.as_deref(), None)?;
    let answer = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        // A retry of a booking already made is answered before its cards are checked again.
        if let Some(answer) = earlier_answer(conn, &tenant, retry.as_ref())? {
            return Ok(answer);
        }
        let procedure = load_procedure(conn, &tenant, &body.procedure)?;
        // The JSON interface has no step for the one-time code: a city that confirms
        // addresses takes them only through its pages.
        if contact.email.is_some() && crate::domain::mail::address_codes::required(conn, tenant.id)?
        {
            return Err(AppError::invalid(
                "contact.email",
                "invalid_email_needs_code",
            ));
        }
        let placement = placement(
            conn,
            &clock,
            &tenant,
            &procedure,
            &body.hold_token,
            &body.slot_ref(),
        )?;
        let party = booking::identify_members(conn, &clock, &tenant, &procedure, party, &actor)?;
        let request = BookingRequest {
            procedure_id: procedure.id,
            placement,
            party,
            contact,
            note: body.note.clone(),
            lang,
        };
        idempotency::once(conn, tenant.id, retry.as_ref(), clock.now, 201, |conn| {
            let details =
                booking::book_procedure(conn, &clock, &tenant, &procedure, &request, &actor)?;
            Ok(booking_json(&details, &clock))
        })
    })
    .await?;
    Ok(answered(answer))
}

/// The write's `Idempotency-Key`, when the client sent one, with what the request said.
fn retry_of(
    req: &HttpRequest,
    operation: &str,
    body: &impl Serialize,
) -> Result<Option<Retry>, AppError> {
    let Some(value) = req.headers().get(idempotency::HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| AppError::invalid(idempotency::HEADER, "invalid_idempotency_key"))?;
    let body = serde_json::to_vec(body).map_err(anyhow::Error::from)?;
    Retry::new(key, operation, req.path(), &body).map(Some)
}

/// The answer stored for the request's key, when it carried one that was used before.
fn earlier_answer(
    conn: &mut PgConnection,
    tenant: &Tenant,
    retry: Option<&Retry>,
) -> Result<Option<Answer>, AppError> {
    match retry {
        Some(retry) => idempotency::earlier(conn, tenant.id, retry),
        None => Ok(None),
    }
}

fn answered(answer: Answer) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(answer.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    HttpResponse::build(status).json(answer.body)
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    on_owned_booking(
        &state,
        &req,
        path.into_inner(),
        None,
        |conn, _, tenant, booking, _| BookingDetails::load(conn, tenant, booking),
    )
    .await
}

pub async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<ChangeBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let retry = retry_of(&req, "move", &body)?;
    state.check_write_rate(client_addr(&req).as_deref(), None)?;
    on_owned_booking(
        &state,
        &req,
        path.into_inner(),
        retry,
        move |conn, clock, tenant, booking, actor| {
            let procedure = Procedure::by_id(conn, tenant.id, booking.procedure_id)?;
            let placement = placement(
                conn,
                clock,
                tenant,
                &procedure,
                &body.hold_token,
                &body.slot_ref(),
            )?;
            booking::move_booking(conn, clock, tenant, booking.id, &placement, actor)
        },
    )
    .await
}

pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let retry = retry_of(&req, "cancel", &())?;
    state.check_write_rate(client_addr(&req).as_deref(), None)?;
    on_owned_booking(
        &state,
        &req,
        path.into_inner(),
        retry,
        |conn, clock, tenant, booking, actor| {
            booking::cancel(conn, clock, tenant, booking.id, actor)
        },
    )
    .await
}

/// Runs `work` on the booking named in the path once the caller has proven they own it,
/// and answers with the booking as it then is (once per `retry` key).
async fn on_owned_booking(
    state: &AppState,
    req: &HttpRequest,
    path: (String, String),
    retry: Option<Retry>,
    work: impl Fn(&mut PgConnection, &Clock, &Tenant, Booking, &Actor) -> Result<BookingDetails, AppError>
        + Send
        + 'static,
) -> Result<HttpResponse, AppError> {
    let (tenant_code, code, proof) = owner_request(state, req, path)?;
    let clock = state.clock();
    let actor = Actor::resident(client_addr(req));
    let answer = crate::db::run(&state.pool, move |conn| {
        let tenant = load_tenant(conn, &tenant_code)?;
        let booking = booking::find_owned(
            conn,
            &clock,
            &tenant,
            &code,
            &proof,
            actor.network().as_deref(),
        )?;
        if let Some(answer) = earlier_answer(conn, &tenant, retry.as_ref())? {
            return Ok(answer);
        }
        idempotency::once(conn, tenant.id, retry.as_ref(), clock.now, 200, |conn| {
            let details = work(conn, &clock, &tenant, booking.clone(), &actor)?;
            Ok(booking_json(&details, &clock))
        })
    })
    .await?;
    Ok(answered(answer))
}

/// The place a booking goes to: the client's hold, or a slot named in the body.
fn placement(
    conn: &mut PgConnection,
    clock: &Clock,
    tenant: &Tenant,
    procedure: &Procedure,
    hold_token: &Option<String>,
    slot: &SlotRef,
) -> Result<Placement, AppError> {
    match (hold_token, slot.is_empty()) {
        (Some(token), true) => Ok(Placement::Hold {
            client_token: token.clone(),
        }),
        (Some(_), false) => Err(both_placements()),
        (None, _) => Ok(Placement::Slot {
            slot_id: slot.resolve(conn, clock, tenant, procedure)?,
        }),
    }
}

fn both_placements() -> AppError {
    AppError::invalid("hold_token", "invalid_hold_or_slot")
}

/// The proof of ownership travels in headers, never in the URL (which ends up in logs):
/// `X-Card-Number` with `X-Birth-Date` or `X-Password`, or `X-Contact`.
fn owner_request(
    state: &AppState,
    req: &HttpRequest,
    (tenant_code, code): (String, String),
) -> Result<(String, BookingCode, OwnerProof), AppError> {
    state.check_proof_rate(client_ip(req))?;
    let code = BookingCode::parse(&code).ok_or(AppError::NotFound(Resource::Booking))?;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let proof = match (header("X-Card-Number"), header("X-Contact")) {
        (Some(number), _) => OwnerProof::Card(member_identification(
            &MemberBody {
                number,
                birth_date: header("X-Birth-Date"),
                password: header("X-Password"),
            },
            "",
        )?),
        (None, Some(contact)) => OwnerProof::Contact(contact),
        (None, None) => {
            return Err(AppError::invalid(
                "X-Contact",
                "invalid_owner_proof_missing",
            ))
        }
    };
    Ok((tenant_code, code, proof))
}

fn member_identification(
    member: &MemberBody,
    prefix: &str,
) -> Result<CardIdentification, AppError> {
    let proof = match (&member.birth_date, &member.password) {
        (Some(date), _) => CardProof::BirthDate(parse_date(date).ok_or_else(|| {
            AppError::invalid(&format!("{prefix}birth_date"), "invalid_birth_date_format")
        })?),
        (None, Some(password)) => CardProof::Password(password.clone()),
        (None, None) => {
            return Err(AppError::invalid(
                &format!("{prefix}birth_date"),
                "invalid_proof_missing",
            ))
        }
    };
    Ok(CardIdentification {
        number: member.number.clone(),
        proof,
    })
}

fn parse_contact(body: &ContactBody) -> Result<Contact, AppError> {
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let email = present(&body.email)
        .map(|text| {
            Email::parse(&text)
                .ok_or_else(|| AppError::invalid("contact.email", "invalid_email_format"))
        })
        .transpose()?;
    let phone = present(&body.phone)
        .map(|text| {
            PhoneNumber::parse(&text)
                .ok_or_else(|| AppError::invalid("contact.phone", "invalid_phone_format"))
        })
        .transpose()?;
    Ok(Contact {
        email,
        phone,
        name: present(&body.name),
    })
}

fn booking_json(details: &BookingDetails, clock: &Clock) -> Value {
    let booking = &details.booking;
    let code = BookingCode::parse(&booking.code);
    json!({
        "code": booking.code,
        "code_display": code.map(|c| c.display()),
        "status": booking.status,
        "channel": booking.channel,
        "procedure": details.procedure.code,
        "location": {
            "code": details.location.code,
            "name": details.location.name,
            "address": details.location.address,
        },
        "slot_id": details.slot.id,
        "start": local_time(details.slot.starts_at, clock.tz),
        "end": local_time(details.slot.ends_at, clock.tz),
        "party_size": booking.party_size,
        "contact": {
            "email": booking.contact_email,
            "phone": booking.contact_phone,
            "name": booking.contact_name,
        },
        "created_at": local_time(booking.created_at, clock.tz),
        "cancelled_at": booking.cancelled_at.map(|t| local_time(t, clock.tz)),
    })
}
