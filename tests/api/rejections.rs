//! Every rejection reason, provoked through the HTTP API and checked for its own code.

use crate::helpers::*;
use serde_json::json;
use vmr_scheduler_tests::{on_both_backends, oversized_token, LoopbackIdp, Signing, TestKey};

struct Case {
    name: &'static str,
    integration: &'static str,
    authorization: Option<String>,
    code: &'static str,
}

fn bearer(token: String) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn entra_cases(app: &TestApp, attacker: &LoopbackIdp) -> Vec<Case> {
    let idp = &app.idp;
    let valid = || idp.entra_v2_token(TENANT, API_AUDIENCE);
    let attacker_key = TestKey::pooled(3).with_kid("attacker-key");
    let case = |name, integration, authorization, code| Case {
        name,
        integration,
        authorization,
        code,
    };
    vec![
        case("no Authorization header", "cloud", None, "missing"),
        case(
            "Basic credentials",
            "cloud",
            Some("Basic dXNlcjpwYXNz".into()),
            "malformed",
        ),
        case(
            "not a JWT",
            "cloud",
            bearer("not-a-jwt".into()),
            "malformed",
        ),
        case(
            "three garbage segments",
            "cloud",
            bearer("e30.e30!.@@".into()),
            "malformed",
        ),
        case(
            "larger than 16 KiB",
            "cloud",
            bearer(oversized_token(16 * 1024 + 1)),
            "oversized",
        ),
        case(
            "alg none",
            "cloud",
            bearer(valid().signing(Signing::None).build()),
            "unsupported_algorithm",
        ),
        case(
            "HS256 signed with the public key",
            "cloud",
            bearer(valid().signing(Signing::Hs256PublicKeyPem).build()),
            "unsupported_algorithm",
        ),
        case(
            "signed by another key",
            "cloud",
            bearer(
                valid()
                    .signing(Signing::Rs256With(TestKey::pooled(2)))
                    .build(),
            ),
            "bad_signature",
        ),
        case(
            "claim changed after signing",
            "cloud",
            bearer(
                valid()
                    .tamper_claim("oid", "00000000-0000-0000-0000-000000000000")
                    .build(),
            ),
            "bad_signature",
        ),
        case(
            "expired",
            "cloud",
            bearer(valid().expired().build()),
            "expired",
        ),
        case(
            "not yet valid",
            "cloud",
            bearer(valid().not_yet_valid().build()),
            "not_yet_valid",
        ),
        case(
            "another API's audience",
            "cloud",
            bearer(idp.entra_v2_token(TENANT, "api://someone-else").build()),
            "wrong_audience",
        ),
        case(
            "foreign issuer",
            "cloud",
            bearer(
                valid()
                    .issuer("https://login.example.net/6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f/v2.0")
                    .build(),
            ),
            "wrong_issuer",
        ),
        case(
            "tenant outside the allow-list",
            "cloud",
            bearer(idp.entra_v2_token(STRANGER_TENANT, API_AUDIENCE).build()),
            "tenant_not_allowed",
        ),
        case(
            "other tenant on a single-tenant integration",
            "single",
            bearer(idp.entra_v2_token(PARTNER_TENANT, API_AUDIENCE).build()),
            "tenant_not_allowed",
        ),
        case(
            "unknown kid",
            "cloud",
            bearer(valid().header("kid", "no-such-key").build()),
            "unknown_key",
        ),
        case(
            "scope missing",
            "cloud",
            bearer(valid().scope("Files.Read").build()),
            "insufficient_scope",
        ),
        case(
            "application token with roles only",
            "cloud",
            bearer(
                valid()
                    .without_claim("scp")
                    .roles(&["Reservations.All"])
                    .build(),
            ),
            "insufficient_scope",
        ),
        case(
            "critical header extension",
            "cloud",
            bearer(valid().header("crit", json!(["exp"])).build()),
            "unsupported_critical_header",
        ),
        case(
            "no object id",
            "cloud",
            bearer(valid().without_claim("oid").build()),
            "malformed",
        ),
        case(
            "Exchange token to an Entra-only integration",
            "cloud",
            bearer(app.exchange_token()),
            "token_kind_not_enabled",
        ),
        case(
            "Entra token to an Exchange-only integration",
            "onprem",
            bearer(valid().build()),
            "token_kind_not_enabled",
        ),
        // RFC 8725: keys named by the token itself are never fetched or used.
        case(
            "jku pointing at the attacker's key set",
            "cloud",
            bearer(
                idp.entra_v2_token(TENANT, API_AUDIENCE)
                    .header("kid", attacker_key.kid())
                    .header("jku", attacker.v2_jwks_url(TENANT))
                    .signing(Signing::Rs256With(attacker_key.clone()))
                    .build(),
            ),
            "unknown_key",
        ),
        case(
            "embedded jwk and x5c of the attacker",
            "cloud",
            bearer(
                valid()
                    .header("jwk", attacker_key.jwk())
                    .header("x5c", json!([attacker_key.certificate_base64()]))
                    .signing(Signing::Rs256With(attacker_key.clone()))
                    .build(),
            ),
            "bad_signature",
        ),
    ]
}

fn exchange_cases(app: &TestApp, attacker: &LoopbackIdp) -> Vec<Case> {
    let idp = &app.idp;
    let valid = || idp.exchange_token(ADDIN_PAGE);
    let case = |name, integration, authorization, code| Case {
        name,
        integration,
        authorization,
        code,
    };
    let sneaky = format!(
        "http://{}@{}/autodiscover/metadata/json/1",
        idp.addr(),
        attacker.addr()
    );
    vec![
        case(
            "amurl on an untrusted server",
            "onprem",
            bearer(
                valid()
                    .amurl(&attacker.exchange_metadata_url())
                    .signing(Signing::Rs256With(attacker.exchange_key()))
                    .header("x5t", attacker.exchange_key().x5t())
                    .build(),
            ),
            "untrusted_metadata_url",
        ),
        case(
            "amurl with the trusted host as user name",
            "onprem",
            bearer(valid().amurl(&sneaky).build()),
            "untrusted_metadata_url",
        ),
        case(
            "https amurl on the trusted host's port",
            "onprem",
            bearer(
                valid()
                    .amurl(&idp.exchange_metadata_url().replace("http://", "https://"))
                    .build(),
            ),
            "untrusted_metadata_url",
        ),
        case(
            "token version V2",
            "onprem",
            bearer(valid().version("ExIdTok.V2").build()),
            "wrong_token_version",
        ),
        case(
            "another add-in's audience",
            "onprem",
            bearer(valid().audience("https://evil.example/addin.html").build()),
            "wrong_audience",
        ),
        case(
            "expired (string times)",
            "onprem",
            bearer(valid().expired().build()),
            "expired",
        ),
        case(
            "not yet valid (string times)",
            "onprem",
            bearer(valid().not_yet_valid().build()),
            "not_yet_valid",
        ),
        case(
            "signed by another certificate",
            "onprem",
            bearer(
                valid()
                    .signing(Signing::Rs256With(TestKey::pooled(2)))
                    .build(),
            ),
            "bad_signature",
        ),
        case(
            "unknown certificate thumbprint",
            "onprem",
            bearer(valid().header("x5t", "bm8tc3VjaC1jZXJ0aWZpY2F0ZQ").build()),
            "unknown_key",
        ),
        case(
            "issuer that is not Exchange",
            "onprem",
            bearer(valid().claim("iss", "someone-else@contoso.example").build()),
            "wrong_issuer",
        ),
        case(
            "alg none",
            "onprem",
            bearer(valid().signing(Signing::None).build()),
            "unsupported_algorithm",
        ),
    ]
}

async fn every_rejection_reason_has_its_own_code(db: String) {
    let app = spawn_app(&db).await;
    let attacker = LoopbackIdp::start().await;
    attacker.set_entra_keys(vec![TestKey::pooled(3).with_kid("attacker-key")]);
    let cases: Vec<Case> = entra_cases(&app, &attacker)
        .into_iter()
        .chain(exchange_cases(&app, &attacker))
        .collect();
    let mut codes_seen = std::collections::BTreeSet::new();
    for case in &cases {
        let mut request = app.client.post(app.url(&format!(
            "/api/v1/integrations/{}/reservations",
            case.integration
        )));
        if let Some(value) = &case.authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            (status, body["code"].as_str().unwrap_or("")),
            (401, case.code),
            "case `{}`: {body}",
            case.name
        );
        assert_eq!(
            challenge,
            Some(format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                case.code
            )),
            "case `{}`",
            case.name
        );
        if let Some(token) = case
            .authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
        {
            let signature = token.rsplit('.').next().unwrap_or(token);
            let detail = body["detail"].as_str().unwrap();
            assert!(
                signature.len() < 8 || !detail.contains(signature),
                "case `{}` leaks the token: {detail}",
                case.name
            );
        }
        codes_seen.insert(case.code);
    }
    assert_eq!(
        attacker.total_fetch_count(),
        0,
        "nothing was ever fetched from a server the configuration does not trust"
    );
    assert!(codes_seen.len() >= 16, "{codes_seen:?}");
    // And nothing was reserved on the way.
    let count = app
        .store
        .count_live_reservations(&vmr_scheduler::domain::IntegrationId::parse("cloud").unwrap())
        .await
        .unwrap();
    assert_eq!(count, 0);
}

on_both_backends! {
    rejection_reasons => super::every_rejection_reason_has_its_own_code;
}
