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

fn authorize(request: &HttpRequest, state: &AppState) -> Result<(), Problem> {
    let admin = &state.settings.admin;
    if admin.token.is_none() {
        return Err(Problem::not_found(
            "the admin API is off: set [admin] token to use it",
        ));
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(token) if admin.accepts(token) => Ok(()),
        _ => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "admin_unauthorized",
            "Admin token required",
            "send the configured admin token as `Authorization: Bearer <token>`",
        )
        .with_bearer_challenge()),
    }
}
