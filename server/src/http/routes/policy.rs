//! `GET /policy/v1/service/configuration`: the conferencing platform asks, per call, which
//! service an alias is. HTTP Basic credentials from `[policy]`, optionally only from the listed
//! Conferencing Nodes. Off (404) without a `[policy]` section.

use crate::config::PolicySettings;
use crate::http::problem::Problem;
use crate::http::request_id::RequestId;
use crate::http::state::AppState;
use crate::policy::{self, PolicyRequest};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse, ResponseError};

const REALM_CHALLENGE: &str = "Basic realm=\"vmr-scheduler policy\", charset=\"UTF-8\"";

pub async fn service_configuration(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let Some(settings) = &state.settings.policy else {
        return Err(Problem::not_found(
            "the policy endpoint is off: add a [policy] section to use it",
        ));
    };
    let peer_allowed = request
        .peer_addr()
        .is_some_and(|peer| settings.allows_node(peer.ip()));
    if !peer_allowed {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "policy_node_not_allowed",
            "Not a Conferencing Node",
            "this address is not in [policy] allowed_nodes",
        ));
    }
    if !has_valid_credentials(&request, settings) {
        return Ok(unauthorized(&request));
    }
    let parsed = PolicyRequest::parse(request.query_string())
        .map_err(|problem| Problem::bad_request(problem.code, problem.detail))?;
    let answer = policy::answer_cached(
        &state.policy_cache,
        &state.store,
        &state.settings,
        settings,
        &parsed,
        now_ms(),
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "policy: storage failed");
        Problem::internal("storage_unavailable", "Storage unavailable")
    })?;
    tracing::debug!(
        local_alias = %parsed.local_alias,
        call_direction = parsed.call_direction.as_deref().unwrap_or("-"),
        protocol = parsed.protocol.as_deref().unwrap_or("-"),
        trigger = parsed.trigger.as_deref().unwrap_or("-"),
        action = ?answer.action,
        room = answer.result.is_some(),
        "policy answered"
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

fn has_valid_credentials(request: &HttpRequest, settings: &PolicySettings) -> bool {
    use base64::Engine;
    let Some(value) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("Basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    decoded
        .split_once(':')
        .is_some_and(|(user, password)| settings.accepts(user, password))
}

/// A 401 problem with a Basic challenge. Built here rather than returned as an error, because
/// the error path renders problems with a Bearer challenge at most.
fn unauthorized(request: &HttpRequest) -> HttpResponse {
    let mut problem = Problem::new(
        StatusCode::UNAUTHORIZED,
        "policy_unauthorized",
        "Credentials required",
        "send the user name and password of [policy] with HTTP Basic authentication",
    );
    problem.request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone());
    let mut response = problem.error_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static(REALM_CHALLENGE),
    );
    response
}

fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
