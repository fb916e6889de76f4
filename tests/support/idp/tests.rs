use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::*;

const TID: &str = "6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f";
const AUD: &str = "8f7e6d5c-4b3a-4210-9f8e-7d6c5b4a3f2e";

async fn get_json(url: &str) -> Value {
    let response = loopback_client().get(url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

async fn status_of(url: &str) -> u16 {
    loopback_client()
        .get(url)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn v2_token_verifies_against_served_jwks() {
    let idp = LoopbackIdp::start().await;
    let metadata = get_json(&idp.v2_metadata_url(TID)).await;
    assert_eq!(metadata["issuer"], idp.v2_issuer(TID));
    assert_eq!(metadata["jwks_uri"], idp.v2_jwks_url(TID));
    let jwks: JwkSet = serde_json::from_value(get_json(&idp.v2_jwks_url(TID)).await).unwrap();

    let token = idp.entra_v2_token(TID, AUD).build();
    let kid = decode_header(&token).unwrap().kid.unwrap();
    let jwk = jwks.find(&kid).expect("kid served");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[AUD]);
    validation.set_issuer(&[metadata["issuer"].as_str().unwrap()]);
    let data = decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap();
    assert_eq!(data.claims["tid"], TID);
}

#[tokio::test]
async fn v1_metadata_and_templated_issuers() {
    let idp = LoopbackIdp::start().await;
    let common = get_json(&idp.v2_metadata_url("common")).await;
    assert_eq!(
        common["issuer"],
        format!("{}/{{tenantid}}/v2.0", idp.base_url())
    );
    let v1 = get_json(&idp.v1_metadata_url(TID)).await;
    assert_eq!(v1["issuer"], format!("{}/{TID}/", idp.base_url()));
    assert_eq!(v1["jwks_uri"], idp.v1_jwks_url(TID));
    let token = idp.entra_v1_token(TID, "api://x/y").build();
    assert_eq!(
        crate::tokens::decode_segment(&token, 1)["iss"],
        v1["issuer"]
    );

    idp.set_issuer_templates(
        "https://login.microsoftonline.com/{tenantid}/v2.0",
        "https://sts.windows.net/{tenantid}/",
    );
    let v1 = get_json(&idp.v1_metadata_url("organizations")).await;
    assert_eq!(v1["issuer"], "https://sts.windows.net/{tenantid}/");
}

#[tokio::test]
async fn jwks_key_issuer_property() {
    let idp = LoopbackIdp::start().await;
    let url = idp.v2_jwks_url(TID);
    assert!(get_json(&url).await["keys"][0].get("issuer").is_none());
    idp.set_key_issuer(KeyIssuer::Templated);
    assert_eq!(
        get_json(&url).await["keys"][0]["issuer"],
        idp.v2_issuer_template()
    );
    idp.set_key_issuer(KeyIssuer::PathTenant);
    assert_eq!(
        get_json(&url).await["keys"][0]["issuer"],
        idp.v2_issuer(TID)
    );
    let v1 = get_json(&idp.v1_jwks_url(TID)).await;
    assert_eq!(v1["keys"][0]["issuer"], idp.v1_issuer(TID));
    idp.set_key_issuer(KeyIssuer::Fixed("https://other/".into()));
    assert_eq!(get_json(&url).await["keys"][0]["issuer"], "https://other/");
}

#[tokio::test]
async fn rotation_serves_a_new_kid() {
    let idp = LoopbackIdp::start().await;
    let url = idp.v2_jwks_url("common");
    let old = idp.entra_key();
    let new = idp.rotate_entra_key();
    assert_ne!(old.kid(), new.kid());
    let served = get_json(&url).await;
    assert_eq!(served["keys"].as_array().unwrap().len(), 1);
    assert_eq!(served["keys"][0]["kid"], new.kid());
    idp.add_entra_key(old.clone());
    assert_eq!(get_json(&url).await["keys"].as_array().unwrap().len(), 2);
    idp.set_entra_keys(Vec::new());
    assert!(get_json(&url).await["keys"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn exchange_token_verifies_against_served_certificate() {
    let idp = LoopbackIdp::start().await;
    let token = idp
        .exchange_token("https://addin.example/read.html")
        .build();
    let x5t = decode_header(&token).unwrap().x5t.unwrap();
    let amurl = crate::tokens::decode_segment(&token, 1)["appctx"]
        .as_str()
        .map(|s| serde_json::from_str::<Value>(s).unwrap()["amurl"].clone())
        .unwrap();
    assert_eq!(amurl, idp.exchange_metadata_url());

    let doc = get_json(amurl.as_str().unwrap()).await;
    assert_eq!(doc["name"], "Exchange");
    let entry = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["keyinfo"]["x5t"] == x5t.as_str())
        .expect("x5t served");
    assert_eq!(entry["keyvalue"]["type"], "x509Certificate");
    let der = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        entry["keyvalue"]["value"].as_str().unwrap(),
    )
    .unwrap();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        entry["keyvalue"]["value"].as_str().unwrap()
    );
    assert_eq!(der, idp.exchange_key().certificate_der());
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["https://addin.example/read.html"]);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let key = DecodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    decode::<Value>(&token, &key, &validation).unwrap();

    let rotated = idp.rotate_exchange_key();
    let doc = get_json(&idp.exchange_metadata_url()).await;
    assert_eq!(doc["keys"][0]["keyinfo"]["x5t"], rotated.x5t());
}

#[tokio::test]
async fn counters_count_every_request() {
    let idp = LoopbackIdp::start().await;
    let path = "/common/discovery/v2.0/keys";
    assert_eq!(idp.fetch_count(path), 0);
    get_json(&idp.url(path)).await;
    get_json(&idp.url(path)).await;
    get_json(&idp.exchange_metadata_url()).await;
    assert_eq!(status_of(&idp.url("/nowhere")).await, 404);
    assert_eq!(idp.fetch_count(path), 2);
    assert_eq!(idp.fetch_count("/autodiscover/metadata/json/1"), 1);
    assert_eq!(idp.fetch_count("/nowhere"), 1);
    assert_eq!(idp.total_fetch_count(), 4);
    idp.reset_fetch_counts();
    assert_eq!(idp.total_fetch_count(), 0);
}

#[tokio::test]
async fn failure_injection() {
    let idp = LoopbackIdp::start().await;
    let path = "/common/discovery/v2.0/keys";
    idp.set_failure(path, 500);
    assert_eq!(status_of(&idp.url(path)).await, 500);
    assert_eq!(status_of(&idp.url(path)).await, 500);
    assert_eq!(status_of(&idp.exchange_metadata_url()).await, 200);
    idp.clear_failure(path);
    assert_eq!(status_of(&idp.url(path)).await, 200);

    idp.fail_next(path, 503, 1);
    assert_eq!(status_of(&idp.url(path)).await, 503);
    assert_eq!(status_of(&idp.url(path)).await, 200);
    assert_eq!(idp.fetch_count(path), 5);

    idp.set_canned_response(path, 200, "{not json");
    let body = loopback_client()
        .get(idp.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "{not json");
    idp.clear_canned_response(path);
    get_json(&idp.url(path)).await;
}

#[tokio::test]
async fn injected_latency() {
    let idp = LoopbackIdp::start().await;
    let path = "/common/discovery/v2.0/keys";
    idp.set_delay_for(path, Duration::from_millis(300));
    let started = Instant::now();
    get_json(&idp.url(path)).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    get_json(&idp.exchange_metadata_url()).await;
    assert!(started.elapsed() < Duration::from_millis(300));

    idp.set_delay(Duration::from_millis(500));
    let slow = loopback_client()
        .get(idp.exchange_metadata_url())
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(slow.unwrap_err().is_timeout());
}

#[tokio::test]
async fn redirect_points_to_an_untrusted_peer() {
    let idp = LoopbackIdp::start().await;
    let untrusted = LoopbackIdp::start().await;
    assert_ne!(idp.base_url(), untrusted.base_url());
    let target = untrusted.v2_jwks_url("common");
    let response = loopback_client()
        .get(idp.redirect_url(&target))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"].to_str().unwrap(), target);
    assert_eq!(untrusted.total_fetch_count(), 0);
    assert_eq!(status_of(&idp.url("/redirect")).await, 400);
    untrusted.stop().await;
}
