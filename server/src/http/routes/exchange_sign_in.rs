//! The Exchange service account's sign-in, for integrations with `method = "oauth_delegated"`:
//! an admin opens `/admin/platform/msexchangeconnector/{integration}/sign_in/` in a browser
//! (admin token as the Basic password), signs the service account in at the identity
//! platform, which sends the browser back to the redirect URI
//! `/admin/platform/msexchangeconnector/oauth_redirect/`.

use super::admin::authorize;
use crate::exchange::oauth::sign_in::{
    cookie_integration, RedirectQuery, SignInError, COOKIE_NAME, SIGN_IN_SECONDS,
};
use crate::exchange::oauth::OAuthError;
use crate::exchange::tooling::OAUTH_REDIRECT_PATH;
use crate::http::problem::Problem;
use crate::http::state::AppState;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use handlebars::html_escape;
use time::OffsetDateTime;

/// The cookie is only sent back to the sign-in routes.
const COOKIE_PATH: &str = "/admin/platform/msexchangeconnector/";

/// `GET …/{integration}/sign_in/`: sends the browser to the identity platform.
pub async fn start(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    if let Err(problem) = authorize(&request, &state) {
        let mut response = problem.error_response();
        if response.status() == StatusCode::UNAUTHORIZED {
            // A browser asks for the admin token when told Basic works here.
            response.headers_mut().append(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static(
                    "Basic realm=\"vmr-scheduler admin\", charset=\"UTF-8\"",
                ),
            );
        }
        return Ok(response);
    }
    refuse_cross_site(&request)?;
    let integration = path.into_inner();
    let source = state.exchange_sign_ins.get(&integration).ok_or_else(|| {
        Problem::not_found(format!(
            "integration `{integration}` does not sign in a service account (its \
             exchange.auth method is not oauth_delegated)"
        ))
    })?;
    let started = source.start_sign_in(&redirect_uri(&state), OffsetDateTime::now_utc());
    let cookie = Cookie::build(COOKIE_NAME, started.cookie_value)
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(true)
        // Lax: the identity platform's redirect back is a top-level cross-site navigation.
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(SIGN_IN_SECONDS))
        .finish();
    tracing::info!(integration = %source.integration(), "Exchange service account sign-in started");
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, started.authorize_url.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish())
}

/// `GET /admin/platform/msexchangeconnector/oauth_redirect/`: completes the sign-in started in
/// this browser.
pub async fn redirect(
    request: HttpRequest,
    query: web::Query<RedirectQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let cookie = request.cookie(COOKIE_NAME);
    let cookie_value = cookie.as_ref().map(|cookie| cookie.value().to_string());
    let source = cookie_value
        .as_deref()
        .and_then(cookie_integration)
        .and_then(|integration| state.exchange_sign_ins.get(integration));
    let outcome = match source {
        None => Err(SignInError::NoPendingSignIn),
        Some(source) => {
            source
                .complete_sign_in(
                    cookie_value.as_deref(),
                    &query,
                    &redirect_uri(&state),
                    OffsetDateTime::now_utc(),
                )
                .await
        }
    };
    let (status, title, message) = match &outcome {
        Ok(account) => (
            StatusCode::OK,
            "Service account signed in",
            format!(
                "{} is signed in for integration `{}`. The scheduling service uses it from now on; \
                 this page can be closed.",
                account.as_deref().unwrap_or("The service account"),
                source.map(|s| s.integration().as_str()).unwrap_or_default()
            ),
        ),
        Err(error) => {
            tracing::warn!(%error, "Exchange service account sign-in failed");
            let status = match error {
                SignInError::Token(OAuthError::Unavailable { .. }) | SignInError::Storage(_) => {
                    StatusCode::BAD_GATEWAY
                }
                _ => StatusCode::BAD_REQUEST,
            };
            (status, "Sign-in failed", error.to_string())
        }
    };
    let mut removal = Cookie::build(COOKIE_NAME, "")
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .finish();
    removal.make_removal();
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .cookie(removal)
        .body(page(title, &message))
}

/// Only a navigation the admin started (address bar, bookmark, a link on this site) may
/// start a sign-in; another site cannot make the admin's browser do it.
fn refuse_cross_site(request: &HttpRequest) -> Result<(), Problem> {
    let site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok());
    match site {
        None | Some("same-origin" | "none") => Ok(()),
        Some(other) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "Cross-site request refused",
            format!("a sign-in cannot be started from another site (Sec-Fetch-Site: {other}); open the sign-in address directly"),
        )),
    }
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}{OAUTH_REDIRECT_PATH}",
        state
            .settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/')
    )
}

fn page(title: &str, message: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — \
         vmr-scheduler</title></head><body><h1>{title}</h1><p>{message}</p></body></html>\n",
        title = html_escape(title),
        message = html_escape(message),
    )
}
