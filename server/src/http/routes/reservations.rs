//! `POST /api/v1/integrations/{integration}/reservations`: the add-in's button click.

use crate::config::IntegrationSettings;
use crate::http::problem::Problem;
use crate::http::state::{AppState, Integration};
use crate::identity::{bearer_token, Rejection};
use crate::reservations::{MeetingKey, ReservationRequest, ReserveError, Reserved, Reserver};
use crate::store::Reservation;
use crate::templates::JoiningContext;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::time::Instant;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestBody {
    meeting_key: Option<String>,
    #[serde(default)]
    replace: bool,
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
}

pub async fn create(
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let integration = state.integrations.get(path.as_str()).ok_or_else(|| {
        Problem::not_found(format!("there is no integration named `{}`", path.as_str()))
    })?;
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let token = bearer_token(authorization).map_err(rejected)?;
    let now = time::OffsetDateTime::now_utc();
    let user = integration
        .validator
        .validate(token, now.unix_timestamp())
        .await
        .map_err(rejected)?;

    let limits = integration.settings.rate_limit;
    let bucket = format!("{}|{}", integration.settings.id, user.key());
    if let Err(wait) = state
        .rate_limiter
        .try_acquire(&bucket, limits, Instant::now())
    {
        let seconds = wait.as_secs().max(1);
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many reservations",
            format!(
                "at most {} reservations per minute per user; try again in {seconds} s",
                limits.per_minute
            ),
        )
        .with_retry_after(seconds));
    }

    let request = parse_body(&body)?;
    let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
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
            ReserveError::Store(error) => {
                tracing::error!(%error, "reservation could not be stored");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "Storage unavailable",
                    "the reservation could not be stored; try again shortly",
                )
                .with_retry_after(5)
            }
        })?;
    tracing::info!(integration = %integration.settings.id, alias = %reserved.reservation.alias, reused = reserved.reused, "reservation");
    respond(integration, &reserved)
}

fn reserver<'a>(state: &'a AppState, integration: &'a Integration) -> Reserver<'a> {
    Reserver {
        store: &state.store,
        integration: &integration.settings.id,
        aliases: &integration.settings.aliases,
        lifetime: integration.settings.reservation_lifetime,
    }
}

fn rejected(rejection: Rejection) -> Problem {
    let status =
        StatusCode::from_u16(rejection.reason.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let code = rejection.reason.code();
    tracing::info!(reason = code, "token rejected");
    let problem = Problem::new(status, code, "Identity token rejected", rejection.detail);
    if status == StatusCode::UNAUTHORIZED {
        problem.with_bearer_challenge()
    } else {
        problem.with_retry_after(5)
    }
}

fn parse_body(body: &[u8]) -> Result<ReservationRequest, Problem> {
    let raw: RequestBody = if body.iter().all(u8::is_ascii_whitespace) {
        RequestBody::default()
    } else {
        serde_json::from_slice(body).map_err(|e| {
            Problem::bad_request(
                "invalid_body",
                format!("the request body is not valid: {e}"),
            )
        })?
    };
    let meeting_key = raw
        .meeting_key
        .as_deref()
        .map(MeetingKey::parse)
        .transpose()
        .map_err(|e| Problem::bad_request("invalid_meeting_key", e.to_string()))?;
    Ok(ReservationRequest {
        meeting_key,
        replace: raw.replace,
    })
}

fn joining_context(integration: &Integration, reservation: &Reservation) -> JoiningContext {
    integration.settings.joining_context(
        reservation.alias.clone(),
        reservation.numeric_alias.clone(),
        reservation.marker.clone(),
        integration.shared_values.clone(),
    )
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
    };
    let status = if reserved.reused {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(body))
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
