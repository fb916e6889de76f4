//! Admin JSON routes, for operators and their monitoring: `Authorization: Bearer <admin token>`
//! (`[admin] token`). Switched off (404) when no token is configured.

use crate::http::problem::Problem;
use crate::http::state::AppState;
use crate::scheduling::status;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

/// `GET /admin/api/v1/status`: each integration's mailbox worker — last successful sync,
/// backlog, recent failures.
pub async fn status(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    authorize(&request, &state)?;
    let report = status::collect(&state.settings, &state.store)
        .await
        .map_err(|error| {
            tracing::error!(%error, "admin status: storage failed");
            Problem::internal("storage_unavailable", "Storage unavailable")
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "integrations": report })))
}

pub(crate) fn authorize(request: &HttpRequest, state: &AppState) -> Result<(), Problem> {
    let admin = &state.settings.admin;
    if admin.token.is_none() {
        return Err(Problem::not_found(
            "the admin API is off: set [admin] token to use it",
        ));
    }
    match presented_token(request) {
        Some(token) if admin.accepts(&token) => Ok(()),
        _ => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "admin_unauthorized",
            "Admin token required",
            "send the configured admin token as `Authorization: Bearer <token>` (or, from a \
             browser, as the password of HTTP Basic authentication)",
        )
        .with_bearer_challenge()),
    }
}

/// The admin token from `Authorization: Bearer <token>`, or from Basic authentication (any
/// user name, the token as password) so that a browser can open the sign-in page.
fn presented_token(request: &HttpRequest) -> Option<String> {
    use base64::Engine;
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, credentials) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("Bearer") {
        return Some(credentials.trim().to_string());
    }
    if scheme.eq_ignore_ascii_case("Basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        return decoded.split_once(':').map(|(_, token)| token.to_string());
    }
    None
}
