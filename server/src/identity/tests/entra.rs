//! Entra ID access tokens end to end, with keys from a `jwks_file` (no network).

use super::support::*;
use crate::domain::UserIdentity;
use crate::identity::{RejectReason, TokenValidator};
use serde_json::{json, Value};

struct Setup {
    validator: TokenValidator,
    _file: TempFile,
}

/// An Entra-only validator trusting keys 0 and 1 (key 2 stays unknown); `extra` adds lines to
/// the `[entra]` section.
fn setup(extra: &str, key_issuer: Option<&str>) -> Setup {
    let file = TempFile::with(&jwks(&[key(0), key(1)], key_issuer).to_string());
    let settings = valid(&format!(
        "[entra]\naudiences = [\"{API}\", \"4a5b6c7d\"]\njwks_file = \"{}\"\n{extra}",
        file.toml_path()
    ));
    Setup {
        validator: TokenValidator::new(settings),
        _file: file,
    }
}

async fn check(
    setup: &Setup,
    header: &Value,
    claims: &Value,
    signer: usize,
) -> Result<UserIdentity, RejectReason> {
    let token = sign(header, claims, key(signer));
    let result = setup.validator.validate(&token, NOW).await;
    if let Err(rejection) = &result {
        let signature = token.rsplit('.').next().unwrap_or_default();
        assert!(!rejection.detail.contains(signature) && !rejection.detail.contains(&token[..20]));
    }
    result.map_err(|r| r.reason)
}

fn with(changes: Value) -> Value {
    let mut claims = entra_claims();
    for (name, value) in changes.as_object().expect("object") {
        if value.is_null() {
            claims.as_object_mut().expect("object").remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn v1_claims() -> Value {
    with(json!({
        "ver": "1.0", "iss": format!("https://sts.windows.net/{TENANT}/"), "aud": API,
        "preferred_username": null, "upn": "ada@contoso.example", "unique_name": "ada@contoso.example",
    }))
}

#[tokio::test]
async fn a_valid_v2_token_yields_the_user() {
    let setup = setup("", None);
    let mut claims = entra_claims();
    claims["tid"] = json!(TENANT.to_uppercase());
    claims["iss"] = json!(format!(
        "https://login.microsoftonline.com/{}/v2.0",
        TENANT.to_uppercase()
    ));
    let user = check(&setup, &entra_header(key(0)), &claims, 0)
        .await
        .expect("accepted");
    let UserIdentity::Entra {
        tenant_id,
        object_id,
        email,
        name,
    } = user
    else {
        panic!("{user:?}")
    };
    assert_eq!((tenant_id.as_str(), object_id.as_str()), (TENANT, OID));
    assert_eq!(
        email.map(|e| e.to_string()).as_deref(),
        Some("Ada.Lovelace@contoso.example")
    );
    assert_eq!(name.as_deref(), Some("Ada Lovelace"));
    // The client id alone is an accepted audience too (v2 tokens carry it).
    assert!(check(
        &setup,
        &entra_header(key(1)),
        &with(json!({ "aud": "4a5b6c7d" })),
        1
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn a_v1_token_may_name_its_key_by_x5t_only() {
    let setup = setup("", None);
    let header = json!({ "typ": "JWT", "alg": "RS256", "x5t": key(1).kid });
    let user = check(&setup, &header, &v1_claims(), 1)
        .await
        .expect("accepted");
    assert_eq!(
        user.email().map(|e| e.as_str()),
        Some("ada@contoso.example")
    );
    let both = json!({ "typ": "JWT", "alg": "RS256", "kid": key(0).kid, "x5t": key(0).kid });
    assert!(check(&setup, &both, &v1_claims(), 0).await.is_ok());
    let neither = json!({ "typ": "JWT", "alg": "RS256" });
    assert_eq!(
        check(&setup, &neither, &v1_claims(), 0).await,
        Err(RejectReason::Malformed)
    );
}

#[tokio::test]
async fn versions_and_issuers_follow_the_templates() {
    let only_v2 = setup("accepted_versions = [\"2.0\"]", None);
    assert_eq!(
        check(&only_v2, &entra_header(key(0)), &v1_claims(), 0).await,
        Err(RejectReason::WrongTokenVersion)
    );
    let setup = setup("", None);
    let header = entra_header(key(0));
    for ver in [json!("3.0"), json!(2), Value::Null] {
        assert_eq!(
            check(&setup, &header, &with(json!({ "ver": ver })), 0).await,
            Err(RejectReason::WrongTokenVersion),
            "{ver}"
        );
    }
    let foreign = [
        format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
        format!("https://sts.windows.net/{TENANT}/"),
        format!("https://login.microsoftonline.com/{TENANT}/v2.0/"),
        format!("https://login.example.net/{TENANT}/v2.0"),
        "https://login.microsoftonline.com/{tenantid}/v2.0".to_string(),
    ];
    for iss in foreign {
        assert_eq!(
            check(&setup, &header, &with(json!({ "iss": iss })), 0).await,
            Err(RejectReason::WrongIssuer),
            "{iss}"
        );
    }
    assert_eq!(
        check(&setup, &header, &with(json!({ "iss": null })), 0).await,
        Err(RejectReason::WrongIssuer)
    );
    for tid in [json!("common"), json!(null), json!(7)] {
        assert_eq!(
            check(&setup, &header, &with(json!({ "tid": tid })), 0).await,
            Err(RejectReason::Malformed),
            "{tid}"
        );
    }
    let custom = self::setup("issuer_v2 = \"https://idp.test/{tenantid}/v2\"", None);
    let claims = with(json!({ "iss": format!("https://idp.test/{TENANT}/v2") }));
    assert!(check(&custom, &header, &claims, 0).await.is_ok());
}

#[tokio::test]
async fn the_signing_keys_issuer_must_match_the_token() {
    let header = entra_header(key(0));
    let templated = setup(
        "",
        Some("https://login.microsoftonline.com/{tenantid}/v2.0"),
    );
    assert!(check(&templated, &header, &entra_claims(), 0).await.is_ok());
    // Keys carry v2 issuers, also when they sign v1 tokens.
    assert!(check(&templated, &header, &v1_claims(), 0).await.is_ok());
    let own = setup(
        "",
        Some(&format!("https://login.microsoftonline.com/{TENANT}/v2.0")),
    );
    assert!(check(&own, &header, &entra_claims(), 0).await.is_ok());
    let other = setup(
        "",
        Some(&format!(
            "https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
        )),
    );
    assert_eq!(
        check(&other, &header, &entra_claims(), 0).await,
        Err(RejectReason::WrongIssuer)
    );
}

#[tokio::test]
async fn tenants_are_limited_as_configured() {
    let header = entra_header(key(0));
    let other = with(
        json!({ "tid": OTHER_TENANT, "iss": format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0") }),
    );
    let single = setup(&format!("tenant_id = \"{}\"", TENANT.to_uppercase()), None);
    assert!(check(&single, &header, &entra_claims(), 0).await.is_ok());
    assert_eq!(
        check(&single, &header, &other, 0).await,
        Err(RejectReason::TenantNotAllowed)
    );
    let listed = setup(&format!("allowed_tenants = [\"{OTHER_TENANT}\"]"), None);
    assert!(check(&listed, &header, &other, 0).await.is_ok());
    assert_eq!(
        check(&listed, &header, &entra_claims(), 0).await,
        Err(RejectReason::TenantNotAllowed)
    );
    let anyone = setup("", None);
    assert!(check(&anyone, &header, &other, 0).await.is_ok());
}

#[tokio::test]
async fn audience_scope_and_object_id_are_required() {
    let setup = setup("", None);
    let header = entra_header(key(0));
    let cases = [
        (
            json!({ "aud": "api://someone-else" }),
            RejectReason::WrongAudience,
        ),
        (json!({ "aud": null }), RejectReason::WrongAudience),
        (
            json!({ "scp": "User.Read" }),
            RejectReason::InsufficientScope,
        ),
        (
            json!({ "scp": "access_as_user_extra" }),
            RejectReason::InsufficientScope,
        ),
        (
            json!({ "scp": null, "roles": ["Reservations.All"] }),
            RejectReason::InsufficientScope,
        ),
        (json!({ "scp": null }), RejectReason::InsufficientScope),
        (json!({ "oid": null }), RejectReason::Malformed),
        (json!({ "exp": NOW - 61 }), RejectReason::Expired),
        (json!({ "nbf": NOW + 61 }), RejectReason::NotYetValid),
        (json!({ "exp": null }), RejectReason::Malformed),
    ];
    for (changes, expected) in cases {
        assert_eq!(
            check(&setup, &header, &with(changes.clone()), 0).await,
            Err(expected),
            "{changes}"
        );
    }
    // Within the default 60 s leeway.
    assert!(check(
        &setup,
        &header,
        &with(json!({ "exp": NOW - 59, "nbf": NOW + 59 })),
        0
    )
    .await
    .is_ok());
    let custom = self::setup("required_scope = \"Reservations.Create\"", None);
    assert!(check(
        &custom,
        &header,
        &with(json!({ "scp": "Reservations.Create" })),
        0
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn keys_come_only_from_configuration() {
    let setup = setup("", None);
    // Signed by a key we do not trust but named as a trusted one.
    assert_eq!(
        check(&setup, &entra_header(key(0)), &entra_claims(), 2).await,
        Err(RejectReason::BadSignature)
    );
    // The attacker names their own key and points at it every way the header allows.
    let attacker = json!({
        "alg": "RS256", "typ": "JWT", "kid": key(2).kid,
        "jku": "https://evil.example/keys", "x5u": "https://evil.example/cert",
        "jwk": key(2).jwk(None), "x5c": [key(2).certificate],
    });
    assert_eq!(
        check(&setup, &attacker, &entra_claims(), 2).await,
        Err(RejectReason::UnknownKey)
    );
    let mut embedded = attacker.clone();
    embedded["kid"] = json!(key(0).kid);
    assert_eq!(
        check(&setup, &embedded, &entra_claims(), 2).await,
        Err(RejectReason::BadSignature)
    );
}

#[tokio::test]
async fn the_wrong_token_kind_is_named_as_such() {
    let setup = setup("", None);
    let claims = json!({ "appctx": "{}", "exp": NOW + 60 });
    let token = sign(&json!({ "alg": "RS256", "x5t": "t" }), &claims, key(0));
    let rejection = setup.validator.validate(&token, NOW).await.unwrap_err();
    assert_eq!(rejection.reason, RejectReason::TokenKindNotEnabled);
    assert_eq!(rejection.reason.http_status(), 401);
}

#[tokio::test]
async fn a_verified_token_is_remembered_only_until_it_expires() {
    let setup = setup("", None);
    let claims = entra_claims();
    let exp = claims["exp"].as_i64().expect("numeric exp");
    let token = sign(&entra_header(key(0)), &claims, key(0));
    let first = setup.validator.validate(&token, NOW).await.expect("valid");
    let again = setup
        .validator
        .validate(&token, NOW)
        .await
        .expect("served again");
    assert_eq!(first, again);
    // The remembered result never outlives the token: past exp + leeway (60 s) it is expired.
    let later = setup
        .validator
        .validate(&token, exp + 60)
        .await
        .map_err(|r| r.reason);
    assert_eq!(later, Err(RejectReason::Expired));
    // A different token with the same claims but a broken signature is not served from memory.
    let mut forged = token.clone();
    forged.truncate(token.len() - 4);
    forged.push_str("AAAA");
    let forged = setup
        .validator
        .validate(&forged, NOW)
        .await
        .map_err(|r| r.reason);
    assert_eq!(forged, Err(RejectReason::BadSignature));
}
