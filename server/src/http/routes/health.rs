//! `GET /healthz`: is the database reachable, and is any alias space filling up.

use crate::http::state::AppState;
use crate::reservations::AliasSpaceUsage;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use std::time::Duration;

/// Health checks may come every second from several balancers; counting is cached this long.
const USAGE_MAX_AGE: Duration = Duration::from_secs(10);

#[derive(Serialize)]
struct Health {
    /// `ok`, `warning` (working, but an alias space is more than 1% full) or `unavailable`.
    status: &'static str,
    version: &'static str,
    database: &'static str,
    alias_spaces: Vec<AliasSpaceUsage>,
}

pub async fn check(state: web::Data<AppState>) -> HttpResponse {
    let usage = match state.store.ping().await {
        Ok(()) => state
            .alias_space
            .usage(&state.store, USAGE_MAX_AGE)
            .await
            .ok(),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            None
        }
    };
    let Some(alias_spaces) = usage else {
        return HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
            version: env!("CARGO_PKG_VERSION"),
            database: "unreachable",
            alias_spaces: Vec::new(),
        });
    };
    let status = if alias_spaces.iter().any(|u| u.warning) {
        "warning"
    } else {
        "ok"
    };
    HttpResponse::Ok().json(Health {
        status,
        version: env!("CARGO_PKG_VERSION"),
        database: "ok",
        alias_spaces,
    })
}
