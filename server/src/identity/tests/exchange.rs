//! Exchange identity tokens end to end against a loopback metadata server.

use super::support::*;
use crate::domain::UserIdentity;
use crate::identity::{RejectReason, TokenValidator};
use serde_json::{json, Value};

const PATH: &str = "/autodiscover/metadata/json/1";
const PAGE: &str = "https://vmr.example.com/addin/main/taskpane.html";
const PRINCIPAL: &str = "00000002-0000-0ff1-ce00-000000000000";

struct Setup {
    validator: TokenValidator,
    server: Stub,
}

/// Exchange-only validator trusting a fresh stub that serves key 0's certificate; the default
/// audience is derived from the integration id and public URL.
fn setup() -> Setup {
    let server = Stub::start();
    server.set(PATH, Reply::json(&exchange_metadata(&[key(0)])));
    let settings = valid(&format!(
        "insecure_allow_http_loopback = true\n[exchange]\ntrusted_metadata_origins = [\"{}\"]",
        server.base
    ));
    Setup {
        validator: TokenValidator::new(settings),
        server,
    }
}

fn header(x5t: &str) -> Value {
    json!({ "typ": "JWT", "alg": "RS256", "x5t": x5t })
}

fn appctx(amurl: &str) -> Value {
    json!({ "msexchuid": "9c1f7e2a-5b3d-4f60-8e21-3a4b5c6d7e8f@mail.contoso.com", "version": "ExIdTok.V1", "amurl": amurl })
}

/// Claims as Exchange sends them: string times and `appctx` as a JSON string.
fn claims(amurl: &str) -> Value {
    json!({
        "aud": PAGE, "iss": format!("{PRINCIPAL}@mail.contoso.com"),
        "nbf": (NOW - 60).to_string(), "exp": (NOW + 8 * 3600).to_string(),
        "appctxsender": format!("{PRINCIPAL}@mail.contoso.com"), "isbrowserhostedapp": "true",
        "appctx": appctx(amurl).to_string(),
    })
}

async fn check(
    setup: &Setup,
    header: &Value,
    claims: &Value,
    signer: usize,
) -> Result<UserIdentity, RejectReason> {
    setup
        .validator
        .validate(&sign(header, claims, key(signer)), NOW)
        .await
        .map_err(|r| r.reason)
}

#[tokio::test]
async fn a_valid_token_yields_the_mailbox_and_its_server() {
    let setup = setup();
    let amurl = setup.server.url(PATH);
    let user = check(&setup, &header(&key(0).x5t()), &claims(&amurl), 0)
        .await
        .expect("accepted");
    assert_eq!(
        user,
        UserIdentity::Exchange {
            msexchuid: "9c1f7e2a-5b3d-4f60-8e21-3a4b5c6d7e8f@mail.contoso.com".into(),
            amurl: amurl.clone(),
        }
    );
    // Numeric times and an object appctx are accepted as well; the document is cached.
    let mut numeric = claims(&amurl);
    numeric["nbf"] = json!(NOW - 60);
    numeric["exp"] = json!(NOW + 60);
    numeric["appctx"] = appctx(&amurl.to_uppercase().replace("HTTP://", "http://"));
    assert!(check(&setup, &header(&key(0).x5t()), &numeric, 0)
        .await
        .is_ok());
    assert_eq!(setup.server.hits(PATH), 1);
}

#[tokio::test]
async fn amurl_must_be_trusted_before_anything_is_fetched() {
    let setup = setup();
    let attacker = Stub::start();
    attacker.set(PATH, Reply::json(&exchange_metadata(&[key(2)])));
    let trusted = setup.server.base.trim_start_matches("http://").to_string();
    let untrusted = attacker.base.trim_start_matches("http://").to_string();
    for amurl in [
        attacker.url(PATH),
        format!("http://{trusted}@{untrusted}{PATH}"),
        format!("http://{untrusted}\\@{trusted}{PATH}"),
        format!("https://{trusted}{PATH}"),
        format!("http://{trusted}/autodiscover/metadata/json/2"),
        format!("http://{trusted}{PATH}?x=1"),
        format!("http://{trusted}{PATH}#x"),
        format!("http://user@{trusted}{PATH}"),
        "not a url".to_string(),
    ] {
        let result = check(&setup, &header(&key(2).x5t()), &claims(&amurl), 2).await;
        assert_eq!(result, Err(RejectReason::UntrustedMetadataUrl), "{amurl}");
    }
    assert_eq!(attacker.total_hits() + setup.server.total_hits(), 0);
}

#[tokio::test]
async fn claims_are_checked_after_the_signature() {
    let setup = setup();
    let amurl = setup.server.url(PATH);
    let h = header(&key(0).x5t());
    let mut cases: Vec<(Value, RejectReason)> = Vec::new();
    let mut change = |name: &str, value: Value, reason| {
        let mut c = claims(&amurl);
        if value.is_null() {
            c.as_object_mut().expect("object").remove(name);
        } else {
            c[name] = value;
        }
        cases.push((c, reason));
    };
    change(
        "aud",
        json!("https://evil.example/addin.html"),
        RejectReason::WrongAudience,
    );
    change(
        "iss",
        json!("someone-else@contoso.example"),
        RejectReason::WrongIssuer,
    );
    change(
        "iss",
        json!(format!("{PRINCIPAL}@")),
        RejectReason::WrongIssuer,
    );
    change("iss", Value::Null, RejectReason::WrongIssuer);
    change("exp", json!((NOW - 61).to_string()), RejectReason::Expired);
    change(
        "nbf",
        json!((NOW + 61).to_string()),
        RejectReason::NotYetValid,
    );
    change("exp", json!("soon"), RejectReason::Malformed);
    change("appctx", json!("{not json"), RejectReason::Malformed);
    change("appctx", json!(42), RejectReason::Malformed);
    let mut v2 = appctx(&amurl);
    v2["version"] = json!("ExIdTok.V2");
    change(
        "appctx",
        json!(v2.to_string()),
        RejectReason::WrongTokenVersion,
    );
    let mut no_user = appctx(&amurl);
    no_user["msexchuid"] = json!("");
    change(
        "appctx",
        json!(no_user.to_string()),
        RejectReason::Malformed,
    );
    for (claims, expected) in cases {
        assert_eq!(
            check(&setup, &h, &claims, 0).await,
            Err(expected),
            "{claims}"
        );
    }
    assert_eq!(
        check(&setup, &h, &claims(&amurl), 1).await,
        Err(RejectReason::BadSignature)
    );
    assert_eq!(
        check(&setup, &json!({ "alg": "RS256" }), &claims(&amurl), 0).await,
        Err(RejectReason::Malformed)
    );
}

#[tokio::test]
async fn unknown_certificates_refetch_once_then_fail() {
    let setup = setup();
    let amurl = setup.server.url(PATH);
    assert!(check(&setup, &header(&key(0).x5t()), &claims(&amurl), 0)
        .await
        .is_ok());
    // Rotation: the new certificate is found by one refetch.
    setup
        .server
        .set(PATH, Reply::json(&exchange_metadata(&[key(1)])));
    assert!(check(&setup, &header(&key(1).x5t()), &claims(&amurl), 1)
        .await
        .is_ok());
    assert_eq!(setup.server.hits(PATH), 2);
    for n in 0..3 {
        let unknown = header(&format!("bogus-{n}"));
        assert_eq!(
            check(&setup, &unknown, &claims(&amurl), 1).await,
            Err(RejectReason::UnknownKey)
        );
    }
    assert_eq!(setup.server.hits(PATH), 2, "rate-limited");
}

#[tokio::test]
async fn an_unreachable_metadata_document_fails_closed() {
    let setup = setup();
    setup.server.set(PATH, Reply::raw(500, b"{}".to_vec()));
    let amurl = setup.server.url(PATH);
    let rejection = setup
        .validator
        .validate(&sign(&header(&key(0).x5t()), &claims(&amurl), key(0)), NOW)
        .await
        .unwrap_err();
    assert_eq!(
        (rejection.reason, rejection.reason.http_status()),
        (RejectReason::KeySourceUnavailable, 503)
    );
    setup
        .server
        .set(PATH, Reply::json(&exchange_metadata(&[key(0)])));
    assert!(check(&setup, &header(&key(0).x5t()), &claims(&amurl), 0)
        .await
        .is_ok());
}

#[tokio::test]
async fn entra_tokens_are_not_enabled_here() {
    let setup = setup();
    let result = check(&setup, &entra_header(key(0)), &entra_claims(), 0).await;
    assert_eq!(result, Err(RejectReason::TokenKindNotEnabled));
}
