//! The add-in's reservation routes:
//! - `POST /api/v1/integrations/{integration}/reservations`: the button click;
//! - `GET …/reservations/{reservation_id}`: a reservation the caller holds, with its options;
//! - `PUT …/reservations/{reservation_id}/options`: the meeting options of an open reservation;
//! - `DELETE …/reservations/{reservation_id}`: give an unused reservation back.

use super::caller::{self, storage_unavailable, Caller};
use crate::config::IntegrationSettings;
use crate::domain::{MeetingOptions, Pin};
use crate::http::problem::Problem;
use crate::http::state::{AppState, Integration};
use crate::reservations::{
    ChangeError, MeetingKey, Released, ReservationRequest, ReserveError, Reserved, Reserver,
};
use crate::store::Reservation;
use crate::templates::JoiningContext;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestBody {
    meeting_key: Option<String>,
    #[serde(default)]
    replace: bool,
    options: Option<OptionsBody>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsBody {
    host_pin: Option<String>,
    guest_pin: Option<String>,
    guests_allowed: Option<bool>,
}

#[derive(Debug, Serialize)]
struct ResponseBody<'a> {
    reservation_id: String,
    alias: &'a str,
    numeric_alias: &'a str,
    alias_id_marker: &'a str,
    instructions_html: String,
    location: String,
    equipment_resource: &'a crate::config::EquipmentResource,
    expires_at: String,
    reused: bool,
    options: &'a MeetingOptions,
}

pub async fn create(
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let integration = caller::integration(&state, &path)?;
    let Caller { user, now_ms } = caller::authenticate(&request, &state, integration).await?;
    let request = parse_reservation_request(&body, integration)?;
    let reserved = reserver(&state, integration)
        .reserve(&user, &request, now_ms)
        .await
        .map_err(|error| match error {
            ReserveError::AliasSpaceExhausted => {
                tracing::error!(integration = %integration.settings.id, "alias space exhausted");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "alias_space_exhausted",
                    "No alias available",
                    error.to_string(),
                )
            }
            ReserveError::Store(error) => storage_unavailable(error),
        })?;
    tracing::info!(integration = %integration.settings.id, alias = %reserved.reservation.alias, reused = reserved.reused, "reservation");
    respond(integration, &reserved)
}

/// The caller's reservation as POST answered it, so the task pane can show its saved options.
pub async fn show(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (integration, Caller { user, .. }, id) = held_reservation(&request, path, &state).await?;
    let reservation = state
        .store
        .reservation_of_user(&integration.settings.id, id, &user)
        .await
        .map_err(storage_unavailable)?
        .ok_or_else(not_yours)?;
    respond_existing(integration, reservation)
}

pub async fn set_options(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (integration, Caller { user, now_ms }, id) =
        held_reservation(&request, path, &state).await?;
    meeting_options_enabled(integration)?;
    if is_blank(&body) {
        return Err(Problem::bad_request(
            "invalid_body",
            "the request body must be a JSON object with host_pin, guest_pin and guests_allowed",
        ));
    }
    let options = parse_options(json_body::<OptionsBody>(&body)?)?;
    let reservation = reserver(&state, integration)
        .set_options(&user, id, &options, now_ms)
        .await
        .map_err(change_failed)?;
    tracing::info!(integration = %integration.settings.id, alias = %reservation.alias, "meeting options set");
    respond_existing(integration, reservation)
}

pub async fn release(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (integration, Caller { user, now_ms }, id) =
        held_reservation(&request, path, &state).await?;
    let released = reserver(&state, integration)
        .release(&user, id, now_ms)
        .await
        .map_err(change_failed)?;
    if released == Released::Now {
        tracing::info!(integration = %integration.settings.id, reservation = %id, "reservation released");
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The integration, the signed-in caller and the reservation id of a `…/reservations/{id}` route,
/// checked in that order.
async fn held_reservation<'a>(
    request: &HttpRequest,
    path: web::Path<(String, String)>,
    state: &'a AppState,
) -> Result<(&'a Integration, Caller, Uuid), Problem> {
    let (integration, id) = path.into_inner();
    let integration = caller::integration(state, &integration)?;
    let caller = caller::authenticate(request, state, integration).await?;
    Ok((integration, caller, reservation_id(&id)?))
}

fn reserver<'a>(state: &'a AppState, integration: &'a Integration) -> Reserver<'a> {
    Reserver {
        store: &state.store,
        integration: &integration.settings.id,
        aliases: &integration.settings.aliases,
        lifetime: integration.settings.reservation_lifetime,
    }
}

/// Unknown, malformed and other users' ids all answer the same 404.
fn reservation_id(text: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(text).map_err(|_| not_yours())
}

fn not_yours() -> Problem {
    Problem::not_found("you hold no reservation with this id in this integration")
}

fn change_failed(error: ChangeError) -> Problem {
    match error {
        ChangeError::NotFound => not_yours(),
        ChangeError::NotOpen(_) => Problem::new(
            StatusCode::CONFLICT,
            "reservation_not_open",
            "Reservation not open",
            error.to_string(),
        ),
        ChangeError::Store(error) => storage_unavailable(error),
    }
}

fn meeting_options_enabled(integration: &Integration) -> Result<(), Problem> {
    if integration.settings.addin.features.meeting_options {
        Ok(())
    } else {
        Err(Problem::bad_request(
            "meeting_options_disabled",
            format!(
                "meeting options are turned off for this integration; an administrator can \
                 turn them on with integrations.{}.addin.meeting_options = true",
                integration.settings.id
            ),
        ))
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

fn json_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::bad_request(
            "invalid_body",
            format!("the request body is not valid: {e}"),
        )
    })
}

fn parse_options(raw: OptionsBody) -> Result<MeetingOptions, Problem> {
    MeetingOptions::parse(
        raw.host_pin.as_deref(),
        raw.guest_pin.as_deref(),
        raw.guests_allowed,
    )
    .map_err(|e| Problem::bad_request("invalid_options", e.to_string()))
}

fn parse_reservation_request(
    body: &[u8],
    integration: &Integration,
) -> Result<ReservationRequest, Problem> {
    let raw: RequestBody = if is_blank(body) {
        RequestBody::default()
    } else {
        json_body(body)?
    };
    let meeting_key = raw
        .meeting_key
        .as_deref()
        .map(MeetingKey::parse)
        .transpose()
        .map_err(|e| Problem::bad_request("invalid_meeting_key", e.to_string()))?;
    let options = match raw.options {
        Some(options) => {
            meeting_options_enabled(integration)?;
            Some(parse_options(options)?)
        }
        None => None,
    };
    Ok(ReservationRequest {
        meeting_key,
        replace: raw.replace,
        options,
    })
}

/// The joining instructions show the PIN callers need: the guest PIN where guests are allowed,
/// else the host PIN.
fn joining_context(integration: &Integration, reservation: &Reservation) -> JoiningContext {
    let options = &reservation.options;
    let pin_text = |pin: Option<&Pin>| pin.map(|pin| pin.as_str().to_string());
    JoiningContext {
        host_pin: pin_text(options.host_pin()),
        guest_pin: pin_text(options.guest_pin()),
        guests_allowed: options.guests_allowed().unwrap_or(false),
        ..integration.settings.joining_context(
            reservation.alias.clone(),
            reservation.numeric_alias.clone(),
            reservation.marker.clone(),
            integration.shared_values.clone(),
        )
    }
}

fn respond(integration: &Integration, reserved: &Reserved) -> Result<HttpResponse, Problem> {
    let settings: &IntegrationSettings = &integration.settings;
    let reservation = &reserved.reservation;
    let context = joining_context(integration, reservation);
    let render_failed = |error: crate::templates::RenderError| {
        tracing::error!(%error, integration = %settings.id, "template rendering failed");
        Problem::internal(
            "template_error",
            "Joining instructions could not be rendered",
        )
    };
    let body = ResponseBody {
        reservation_id: reservation.id.to_string(),
        alias: reservation.alias.as_str(),
        numeric_alias: reservation.numeric_alias.as_str(),
        alias_id_marker: reservation.marker.as_str(),
        instructions_html: settings
            .templates
            .joining_instructions(&context)
            .map_err(render_failed)?,
        location: settings
            .templates
            .location(&context)
            .map_err(render_failed)?,
        equipment_resource: &settings.equipment_resource,
        expires_at: rfc3339_millis(reservation.expires_at),
        reused: reserved.reused,
        options: &reservation.options,
    };
    let status = if reserved.reused {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(body))
}

/// A reservation that already existed before this request: answered 200, marked reused.
fn respond_existing(
    integration: &Integration,
    reservation: Reservation,
) -> Result<HttpResponse, Problem> {
    respond(
        integration,
        &Reserved {
            reservation,
            reused: true,
        },
    )
}

fn rfc3339_millis(unix_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
