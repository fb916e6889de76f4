//! What every add-in API route does first: find the integration, prove the user from the
//! bearer token, and apply the user's rate limit.

use crate::domain::UserIdentity;
use crate::http::problem::Problem;
use crate::http::state::{AppState, Integration};
use crate::identity::{bearer_token, Rejection};
use crate::store::StoreError;
use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;
use std::time::Instant;

/// A user proved by their token, within their rate limit.
pub struct Caller {
    pub user: UserIdentity,
    /// Unix milliseconds when the request was authenticated.
    pub now_ms: i64,
}

/// The integration named in the path; 404 `not_found` if there is none.
pub fn integration<'a>(state: &'a AppState, name: &str) -> Result<&'a Integration, Problem> {
    state
        .integrations
        .get(name)
        .ok_or_else(|| Problem::not_found(format!("there is no integration named `{name}`")))
}

/// Validates the bearer token (401, or 503 when keys are unavailable) and takes one request
/// from the user's bucket (429 with `Retry-After`).
pub async fn authenticate(
    request: &HttpRequest,
    state: &AppState,
    integration: &Integration,
) -> Result<Caller, Problem> {
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
            "Too many requests",
            format!(
                "at most {} requests per minute per user; try again in {seconds} s",
                limits.per_minute
            ),
        )
        .with_retry_after(seconds));
    }
    let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    Ok(Caller { user, now_ms })
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

/// 503 `storage_unavailable`; the cause goes to the log only.
pub fn storage_unavailable(error: StoreError) -> Problem {
    tracing::error!(%error, "storage failed");
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "Storage unavailable",
        "the request could not be completed because storage is unavailable; try again shortly",
    )
    .with_retry_after(5)
}
