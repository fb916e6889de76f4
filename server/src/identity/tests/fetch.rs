//! Fetching key documents over loopback HTTP: discovery, origin pinning, redirects and limits.

use super::support::*;
use crate::identity::fetch::{
    jwks_uri, DocumentKind, FetchError, RemoteKeys, TrustedFetch, MAX_DOCUMENT_BYTES,
};
use crate::identity::jwks::{KeyId, KeySet};
use crate::identity::keys::KeyFetcher;
use crate::identity::origin::origin_of;
use serde_json::json;
use std::time::Duration;
use url::Url;

const TIMEOUT: Duration = Duration::from_secs(5);

fn url(text: &str) -> Url {
    Url::parse(text).expect("URL")
}

async fn load(kind: DocumentKind, at: &str) -> Result<KeySet, FetchError> {
    RemoteKeys::new(kind, url(at), TIMEOUT).fetch().await
}

#[tokio::test]
async fn discovery_follows_jwks_uri_on_the_same_origin_only() {
    let idp = Stub::start();
    idp.set(
        "/t/v2.0/.well-known/openid-configuration",
        Reply::json(&json!({ "jwks_uri": idp.url("/t/keys") })),
    );
    idp.set(
        "/t/keys",
        Reply::json(&jwks(&[key(0)], Some("https://idp/{tenantid}/v2.0"))),
    );
    let keys = load(
        DocumentKind::OpenIdMetadata,
        &idp.url("/t/v2.0/.well-known/openid-configuration"),
    )
    .await
    .expect("keys");
    let found = keys.get(KeyId::Kid(&key(0).kid)).expect("key 0");
    assert_eq!(found.issuer.as_deref(), Some("https://idp/{tenantid}/v2.0"));

    let elsewhere = Stub::start();
    elsewhere.set("/keys", Reply::json(&jwks(&[key(2)], None)));
    idp.set(
        "/evil/openid",
        Reply::json(&json!({ "jwks_uri": elsewhere.url("/keys") })),
    );
    let refused = load(DocumentKind::OpenIdMetadata, &idp.url("/evil/openid"))
        .await
        .unwrap_err();
    assert!(matches!(refused, FetchError::Document(_)), "{refused}");
    assert_eq!(elsewhere.total_hits(), 0);
}

#[test]
fn jwks_uri_must_be_a_credential_free_url_on_the_metadata_origin() {
    let metadata = url("https://login.example/common/v2.0/.well-known/openid-configuration");
    assert!(jwks_uri(
        &json!({ "jwks_uri": "https://login.example/common/keys" }),
        &metadata
    )
    .is_ok());
    assert!(jwks_uri(
        &json!({ "jwks_uri": "https://login.example:443/keys" }),
        &metadata
    )
    .is_ok());
    for bad in [
        json!({}),
        json!({ "jwks_uri": 1 }),
        json!({ "jwks_uri": "/relative/keys" }),
        json!({ "jwks_uri": "http://login.example/keys" }),
        json!({ "jwks_uri": "https://login.example:8443/keys" }),
        json!({ "jwks_uri": "https://login.example.evil/keys" }),
        json!({ "jwks_uri": "https://login.example@evil.example/keys" }),
        json!({ "jwks_uri": "https://user:pw@login.example/keys" }),
    ] {
        assert!(jwks_uri(&bad, &metadata).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn redirects_stay_on_the_sources_origin() {
    let idp = Stub::start();
    let other = Stub::start();
    idp.set("/keys", Reply::json(&jwks(&[key(0)], None)));
    other.set("/keys", Reply::json(&jwks(&[key(2)], None)));
    idp.set("/moved", Reply::redirect("/keys"));
    assert!(load(DocumentKind::Jwks, &idp.url("/moved")).await.is_ok());
    idp.set("/away", Reply::redirect(&other.url("/keys")));
    assert_eq!(
        load(DocumentKind::Jwks, &idp.url("/away"))
            .await
            .unwrap_err(),
        FetchError::Redirect
    );
    assert_eq!(other.total_hits(), 0);
    for hop in 1..=4 {
        idp.set(
            &format!("/hop{hop}"),
            Reply::redirect(&format!("/hop{}", hop + 1)),
        );
    }
    idp.set("/hop5", Reply::json(&jwks(&[key(0)], None)));
    assert!(
        load(DocumentKind::Jwks, &idp.url("/hop2")).await.is_ok(),
        "three redirects"
    );
    assert_eq!(
        load(DocumentKind::Jwks, &idp.url("/hop1"))
            .await
            .unwrap_err(),
        FetchError::Redirect
    );
}

#[tokio::test]
async fn responses_are_bounded_and_must_be_usable() {
    let idp = Stub::start();
    let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    idp.set("/sized", Reply::raw(200, big.clone()));
    let mut streamed = Reply::raw(200, big);
    streamed.close_delimited = true;
    idp.set("/unsized", streamed);
    idp.set("/error", Reply::raw(503, b"{}".to_vec()));
    idp.set("/text", Reply::raw(200, b"<html>".to_vec()));
    idp.set(
        "/empty",
        Reply::json(&json!({ "keys": [{ "kty": "EC", "kid": "e" }] })),
    );
    idp.set(
        "/slow",
        Reply {
            delay: Duration::from_millis(800),
            ..Reply::json(&jwks(&[key(0)], None))
        },
    );
    let cases = [
        ("/sized", FetchError::TooLarge),
        ("/unsized", FetchError::TooLarge),
        ("/error", FetchError::Status(503)),
        ("/text", FetchError::NotJson),
        ("/missing", FetchError::Status(404)),
    ];
    for (path, expected) in cases {
        assert_eq!(
            load(DocumentKind::Jwks, &idp.url(path)).await.unwrap_err(),
            expected,
            "{path}"
        );
    }
    assert!(matches!(
        load(DocumentKind::Jwks, &idp.url("/empty")).await,
        Err(FetchError::Document(_))
    ));
    let quick = RemoteKeys::new(
        DocumentKind::Jwks,
        url(&idp.url("/slow")),
        Duration::from_millis(200),
    );
    assert_eq!(quick.fetch().await.unwrap_err(), FetchError::Timeout);
}

#[tokio::test]
async fn exchange_metadata_yields_certificate_keys() {
    let idp = Stub::start();
    idp.set(
        "/autodiscover/metadata/json/1",
        Reply::json(&exchange_metadata(&[key(0), key(1)])),
    );
    let keys = load(
        DocumentKind::ExchangeMetadata,
        &idp.url("/autodiscover/metadata/json/1"),
    )
    .await
    .expect("keys");
    assert_eq!(keys.len(), 2);
    assert!(keys.get(KeyId::X5t(&key(1).x5t())).is_some());
    assert!(keys.get(KeyId::Kid(&key(1).x5t())).is_none());
}

#[tokio::test]
async fn urls_off_the_allowed_origins_are_never_requested() {
    let idp = Stub::start();
    let fetch = TrustedFetch::new(
        vec![origin_of(&url("https://login.example")).expect("origin")],
        TIMEOUT,
    );
    assert_eq!(
        fetch.get_json(&url(&idp.url("/keys"))).await.unwrap_err(),
        FetchError::Untrusted
    );
    assert_eq!(idp.total_hits(), 0);
}
