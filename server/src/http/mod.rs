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
    (
        "PUT",
        "/api/v1/integrations/{integration}/reservations/{reservation_id}/options",
    ),
    (
        "GET",
        "/api/v1/integrations/{integration}/reservations/{reservation_id}",
    ),
    (
        "DELETE",
        "/api/v1/integrations/{integration}/reservations/{reservation_id}",
    ),
    ("GET", "/api/v1/integrations/{integration}/personal-vmrs"),
    ("GET", "/addin/{integration}/commands.html"),
    ("GET", "/addin/{integration}/taskpane.html"),
    ("GET", "/addin/assets/{build}/{file}"),
    ("GET", "/addin/vendor/msal-browser.min.js"),
    ("GET", "/addin/vendor/office-js/{file}"),
    ("GET", "/addin/{integration}/manifest.xml"),
    ("GET", "/addin/{integration}/app-package.zip"),
    ("GET", "/addin/{integration}/icons/{version}/{file}"),
    ("GET", "/policy/v1/service/configuration"),
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
                )
                .service(
                    web::resource("/integrations/{integration}/reservations/{reservation_id}")
                        .route(web::get().to(routes::reservations::show))
                        .route(web::delete().to(routes::reservations::release))
                        .default_service(web::to(problem::method_not_allowed)),
                )
                .service(
                    web::resource(
                        "/integrations/{integration}/reservations/{reservation_id}/options",
                    )
                    .route(web::put().to(routes::reservations::set_options))
                    .default_service(web::to(problem::method_not_allowed)),
                )
                .service(
                    web::resource("/integrations/{integration}/personal-vmrs")
                        .route(web::get().to(routes::personal_vmrs::list))
                        .default_service(web::to(problem::method_not_allowed)),
                ),
        )
        .service(get(
            "/admin/platform/msexchangeconnector/oauth_redirect/",
            routes::exchange_sign_in::redirect,
        ))
        .service(get(
            "/admin/platform/msexchangeconnector/{integration}/sign_in/",
            routes::exchange_sign_in::start,
        ))
        .service(get(
            "/policy/v1/service/configuration",
            routes::policy::service_configuration,
        ))
        .service(
            web::resource("/admin/api/v1/status")
                .route(web::get().to(routes::admin::status))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .configure(addin_page_routes)
        .configure(manifest_routes)
        .service(get(
            "/addin/{integration}/icons/{version}/{file}",
            routes::icons::serve,
        ))
        .default_service(web::to(problem::route_not_found));
}

/// The add-in's pages, their scripts and the npm copies of Office.js and MSAL.js. Resources
/// rather than a `/addin` scope, so other `/addin/…` routes can sit beside them.
fn addin_page_routes(config: &mut web::ServiceConfig) {
    use routes::addin_pages;
    config
        .service(get(
            "/addin/{integration}/commands.html",
            addin_pages::commands,
        ))
        .service(get(
            "/addin/{integration}/taskpane.html",
            addin_pages::taskpane,
        ))
        .service(get("/addin/assets/{build}/{file}", addin_pages::asset))
        .service(get("/addin/vendor/msal-browser.min.js", addin_pages::msal))
        // `{file}` may hold folders: Office.js loads `en-us/outlook_strings.js` and the like.
        .service(get(
            "/addin/vendor/office-js/{file:.+}",
            addin_pages::office_js,
        ));
}

/// The add-in's manifests (public: see `routes::manifest`).
fn manifest_routes(config: &mut web::ServiceConfig) {
    config
        .service(get(
            "/addin/{integration}/manifest.xml",
            routes::manifest::xml,
        ))
        .service(get(
            "/addin/{integration}/app-package.zip",
            routes::manifest::package,
        ));
}

/// A resource answering GET with `handler` and anything else with 405.
fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler))
        .default_service(web::to(problem::method_not_allowed))
}
