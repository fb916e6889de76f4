//! The load-test baseline: a bare actix-web endpoint at the reservation route that answers with a
//! response of the same size and shape, without authentication, storage or templates.
//! `bench/run.sh` loads it and the real service in one run and reports the ratio.

use actix_web::{web, App, HttpResponse, HttpServer};

const BODY: &str = r#"{"reservation_id":"8f0c2c0e-8a0e-4d8e-9a7e-3f7a0f5b2a11","alias":"meet123456789@vc.example.com","numeric_alias":"81123456789","alias_id_marker":"[VMRID:ABCDEFGHIJKLMNOPQRST]","instructions_html":"<div>Join the video meeting</div>","location":"Video meeting: meet123456789@vc.example.com","equipment_resource":{"name":"Video Meeting Room","email":"vmr@example.com"},"expires_at":"2026-11-29T13:00:00Z","reused":false}"#;

async fn reserve() -> HttpResponse {
    HttpResponse::Created()
        .content_type("application/json")
        .body(BODY)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_string());
    HttpServer::new(|| {
        App::new().route(
            "/api/v1/integrations/{integration}/reservations",
            web::post().to(reserve),
        )
    })
    .bind(address)?
    .run()
    .await
}
