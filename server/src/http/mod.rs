//! The HTTP face of the service: routes, problem+json errors, request ids, security headers.

pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod security;
pub mod state;

use actix_web::web;

/// Largest request body accepted (the reservation body is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Every public route, shared by `main` and the tests; the OpenAPI test compares against it.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/integrations/{integration}/reservations"),
];

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .service(
            web::resource("/healthz")
                .route(web::get().to(routes::health::check))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::scope("/api/v1")
                .wrap(security::api_headers())
                .service(
                    web::resource("/openapi.json")
                        .route(web::get().to(routes::openapi::document))
                        .default_service(web::to(problem::method_not_allowed)),
                )
                .service(
                    web::resource("/integrations/{integration}/reservations")
                        .route(web::post().to(routes::reservations::create))
                        .default_service(web::to(problem::method_not_allowed)),
                ),
        )
        .default_service(web::to(problem::route_not_found));
}
