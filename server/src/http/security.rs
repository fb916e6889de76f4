//! Response headers. Add-in pages are framed by Outlook, so framing is not forbidden globally;
//! JSON routes are never framed, cached or sniffed.

use crate::config::ServerSettings;
use actix_cors::Cors;
use actix_web::http::{header, Method};
use actix_web::middleware::DefaultHeaders;

pub fn common_headers(server: &ServerSettings) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"));
    if server.public_url.scheme() == "https" {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"))
    } else {
        headers
    }
}

pub fn api_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// The add-in's pages come from `public_url`, so their calls are same-origin; browsers still
/// send `Origin` on a same-origin POST, so that origin is always allowed. Others only if configured.
pub fn cors(server: &ServerSettings) -> Cors {
    let own = server.public_url.origin().ascii_serialization();
    server
        .cors_allowed_origins
        .iter()
        .fold(Cors::default().allowed_origin(&own), |cors, origin| {
            cors.allowed_origin(origin)
        })
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(600)
}
