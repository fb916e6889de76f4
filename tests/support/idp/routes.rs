//! HTTP routes of the loopback identity provider and the request gate in front of them.

use std::collections::HashMap;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::state::{issuer_for, KeyIssuer, Shared, Verdict};
use crate::keys::jwk_set;
use crate::tokens::EXCHANGE_PRINCIPAL;

/// Path of the Exchange auth metadata document.
pub(crate) const EXCHANGE_METADATA_PATH: &str = "/autodiscover/metadata/json/1";

/// Registers all routes.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{tenant}/v2.0/.well-known/openid-configuration",
        web::get().to(openid_configuration_v2),
    )
    .route(
        "/{tenant}/.well-known/openid-configuration",
        web::get().to(openid_configuration_v1),
    )
    .route("/{tenant}/discovery/v2.0/keys", web::get().to(jwks_v2))
    .route("/{tenant}/discovery/keys", web::get().to(jwks_v1))
    .route(EXCHANGE_METADATA_PATH, web::get().to(exchange_metadata))
    .route("/redirect", web::get().to(redirect));
}

/// Counts every request, applies injected latency, failures and canned responses.
pub(crate) async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let shared = req
        .app_data::<web::Data<Shared>>()
        .expect("shared state registered")
        .clone();
    let (delay, verdict) = shared.lock().admit(req.path());
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    let response = match verdict {
        Verdict::Pass => return Ok(next.call(req).await?.map_into_boxed_body()),
        Verdict::Fail(status) => HttpResponse::build(status_code(status)).json(json!({
            "error": "temporarily_unavailable",
            "error_description": "injected failure",
        })),
        Verdict::Canned(canned) => HttpResponse::build(status_code(canned.status))
            .content_type(canned.content_type)
            .body(canned.body),
    };
    Ok(req.into_response(response))
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

async fn openid_configuration_v2(
    shared: web::Data<Shared>,
    tenant: web::Path<String>,
) -> HttpResponse {
    let base = &shared.base_url;
    let template = shared.lock().v2_issuer_template.clone();
    let oauth = format!("{base}/{tenant}/oauth2/v2.0");
    HttpResponse::Ok().json(json!({
        "issuer": issuer_for(&template, &tenant),
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "authorization_endpoint": format!("{oauth}/authorize"),
        "token_endpoint": format!("{oauth}/token"),
        "device_authorization_endpoint": format!("{oauth}/devicecode"),
        "end_session_endpoint": format!("{oauth}/logout"),
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "request_uri_parameter_supported": false,
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "claims_supported": claims_supported(),
        "tenant_region_scope": null,
    }))
}

async fn openid_configuration_v1(
    shared: web::Data<Shared>,
    tenant: web::Path<String>,
) -> HttpResponse {
    let base = &shared.base_url;
    let template = shared.lock().v1_issuer_template.clone();
    let oauth = format!("{base}/{tenant}/oauth2");
    HttpResponse::Ok().json(json!({
        "issuer": issuer_for(&template, &tenant),
        "jwks_uri": format!("{base}/{tenant}/discovery/keys"),
        "authorization_endpoint": format!("{oauth}/authorize"),
        "token_endpoint": format!("{oauth}/token"),
        "device_authorization_endpoint": format!("{oauth}/devicecode"),
        "end_session_endpoint": format!("{oauth}/logout"),
        "userinfo_endpoint": format!("{base}/{tenant}/openid/userinfo"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "microsoft_multi_refresh_token": true,
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "claims_supported": claims_supported(),
        "tenant_region_scope": null,
    }))
}

fn claims_supported() -> Value {
    json!([
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "acr",
        "nonce",
        "preferred_username",
        "name",
        "tid",
        "ver",
        "at_hash",
        "c_hash",
        "email"
    ])
}

async fn jwks_v2(shared: web::Data<Shared>, tenant: web::Path<String>) -> HttpResponse {
    jwks(&shared, &tenant, true)
}

async fn jwks_v1(shared: web::Data<Shared>, tenant: web::Path<String>) -> HttpResponse {
    jwks(&shared, &tenant, false)
}

fn jwks(shared: &Shared, tenant: &str, v2: bool) -> HttpResponse {
    let state = shared.lock();
    let template = if v2 {
        &state.v2_issuer_template
    } else {
        &state.v1_issuer_template
    };
    let issuer = match &state.key_issuer {
        KeyIssuer::Omitted => None,
        KeyIssuer::Templated => Some(template.clone()),
        KeyIssuer::PathTenant => Some(issuer_for(template, tenant)),
        KeyIssuer::Fixed(issuer) => Some(issuer.clone()),
    };
    HttpResponse::Ok().json(jwk_set(&state.entra_keys, issuer.as_deref()))
}

async fn exchange_metadata(shared: web::Data<Shared>) -> HttpResponse {
    let keys: Vec<Value> = shared
        .lock()
        .exchange_keys
        .iter()
        .map(|k| k.exchange_metadata_key())
        .collect();
    HttpResponse::Ok().json(json!({
        "id": "_7c1f2b56-3a8e-4c3d-9f43-6a1f0e8d2b11",
        "version": "1.0",
        "name": "Exchange",
        "realm": "*",
        "serviceName": EXCHANGE_PRINCIPAL,
        "issuer": format!("{EXCHANGE_PRINCIPAL}@*"),
        "allowedAudiences": [format!("{EXCHANGE_PRINCIPAL}@*")],
        "keys": keys,
        "endpoints": [{
            "location": format!("{}{EXCHANGE_METADATA_PATH}", shared.base_url),
            "protocol": "OAuth2",
            "usage": "metadata",
        }],
    }))
}

async fn redirect(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    match query.get("to") {
        Some(target) => HttpResponse::Found()
            .insert_header(("Location", target.as_str()))
            .finish(),
        None => HttpResponse::BadRequest().body("missing `to` query parameter"),
    }
}
