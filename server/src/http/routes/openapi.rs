//! `GET /api/v1/openapi.json`: the description of the public routes, kept in `server/openapi.json`
//! and checked against the running service by the end-to-end tests.

use actix_web::HttpResponse;

pub const DOCUMENT: &str = include_str!("../../../openapi.json");

pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT)
}
