//! Pre-checks on the raw token, before any key is looked up.

use super::support::*;
use crate::identity::header::{TokenKind, UnverifiedToken, MAX_TOKEN_BYTES};
use crate::identity::{bearer_token, RejectReason};
use jsonwebtoken::DecodingKey;
use serde_json::json;

fn reason(token: &str) -> RejectReason {
    UnverifiedToken::parse(token)
        .expect_err("should be refused")
        .reason
}

fn with_header(header: serde_json::Value) -> String {
    sign(&header, &entra_claims(), key(0))
}

#[test]
fn size_is_checked_before_anything_else() {
    assert_eq!(
        reason(&"a".repeat(MAX_TOKEN_BYTES + 1)),
        RejectReason::Oversized
    );
    assert_eq!(
        reason(&"a".repeat(MAX_TOKEN_BYTES)),
        RejectReason::Malformed
    );
    // A well-formed but huge token is refused for its size too.
    let mut claims = entra_claims();
    claims["padding"] = json!("x".repeat(MAX_TOKEN_BYTES));
    let big = sign(&entra_header(key(0)), &claims, key(0));
    assert_eq!(reason(&big), RejectReason::Oversized);
}

#[test]
fn structure_and_encoding_must_be_jws_compact() {
    let good = with_header(entra_header(key(0)));
    let parts: Vec<&str> = good.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    let not_json = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b"{");
    let array = b64(&json!(["alg", "RS256"]));
    for bad in [
        String::new(),
        "not-a-jwt".to_string(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}."),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}="),
        format!("{h}.{p}!.{s}"),
        format!("{h} .{p}.{s}"),
        format!("{not_json}.{p}.{s}"),
        format!("{array}.{p}.{s}"),
        format!("{h}.{not_json}.{s}"),
        format!("{h}.{array}.{s}"),
        "e30.e30!.@@".to_string(),
    ] {
        assert_eq!(reason(&bad), RejectReason::Malformed, "{bad:.60}");
    }
    assert!(UnverifiedToken::parse(&good).is_ok());
}

#[test]
fn only_rs256_is_accepted_and_checked_first() {
    for alg in [
        "none", "None", "HS256", "RS384", "RS512", "PS256", "ES256", "EdDSA", "rs256",
    ] {
        let token =
            with_header(json!({ "alg": alg, "kid": key(0).kid, "crit": ["x"], "typ": "bogus" }));
        assert_eq!(reason(&token), RejectReason::UnsupportedAlgorithm, "{alg}");
    }
    // alg none usually comes without a signature.
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none" })),
        b64(&entra_claims())
    );
    assert_eq!(reason(&unsigned), RejectReason::UnsupportedAlgorithm);
    let confused = sign_hs256_with_public_key(
        &json!({ "alg": "HS256", "typ": "JWT", "kid": key(0).kid }),
        &entra_claims(),
        key(0),
    );
    assert_eq!(reason(&confused), RejectReason::UnsupportedAlgorithm);
    for header in [
        json!({ "kid": "k" }),
        json!({ "alg": null }),
        json!({ "alg": ["RS256"] }),
    ] {
        assert_eq!(
            reason(&with_header(header.clone())),
            RejectReason::Malformed,
            "{header}"
        );
    }
}

#[test]
fn critical_extensions_are_refused() {
    for crit in [json!(["exp"]), json!([]), json!("b64"), json!(null)] {
        let token = with_header(json!({ "alg": "RS256", "kid": key(0).kid, "crit": crit }));
        assert_eq!(
            reason(&token),
            RejectReason::UnsupportedCriticalHeader,
            "{crit}"
        );
    }
}

#[test]
fn typ_if_present_is_jwt_in_any_case() {
    for typ in ["JWT", "jwt", "Jwt"] {
        assert!(
            UnverifiedToken::parse(&with_header(json!({ "alg": "RS256", "typ": typ }))).is_ok()
        );
    }
    for typ in [json!("at+jwt"), json!("JWS"), json!(1), json!(null)] {
        let token = with_header(json!({ "alg": "RS256", "typ": typ }));
        assert_eq!(reason(&token), RejectReason::Malformed, "{typ}");
    }
}

#[test]
fn key_identifiers_are_read_and_key_urls_ignored() {
    let token = with_header(json!({
        "alg": "RS256", "kid": "k1", "x5t": "t1",
        "jku": "https://evil.example/keys", "x5u": "https://evil.example/cert",
        "jwk": { "kty": "RSA", "n": "AQAB", "e": "AQAB" }, "x5c": ["MIIB"],
    }));
    let parsed = UnverifiedToken::parse(&token).expect("parses");
    assert_eq!(parsed.header.kid.as_deref(), Some("k1"));
    assert_eq!(parsed.header.x5t.as_deref(), Some("t1"));
    for header in [
        json!({ "alg": "RS256", "kid": 7 }),
        json!({ "alg": "RS256", "x5t": ["a"] }),
        json!({ "alg": "RS256", "kid": "" }),
    ] {
        assert_eq!(
            reason(&with_header(header.clone())),
            RejectReason::Malformed,
            "{header}"
        );
    }
}

#[test]
fn kind_is_exchange_exactly_when_appctx_is_present() {
    let entra_token = with_header(entra_header(key(0)));
    let entra = UnverifiedToken::parse(&entra_token).expect("parses");
    assert_eq!(entra.kind(), TokenKind::Entra);
    let mut claims = entra_claims();
    claims["appctx"] = json!("{}");
    let exchange_token = sign(&json!({ "alg": "RS256", "x5t": "t" }), &claims, key(0));
    let exchange = UnverifiedToken::parse(&exchange_token).expect("parses");
    assert_eq!(exchange.kind(), TokenKind::Exchange);
}

#[test]
fn signature_is_verified_over_header_and_payload() {
    let token = with_header(entra_header(key(0)));
    let right = DecodingKey::from_rsa_pem(key(0).public_pem.as_bytes()).expect("key");
    let wrong = DecodingKey::from_rsa_pem(key(1).public_pem.as_bytes()).expect("key");
    let parsed = UnverifiedToken::parse(&token).expect("parses");
    assert!(parsed.verify(&right).is_ok());
    assert_eq!(
        parsed.verify(&wrong).unwrap_err().reason,
        RejectReason::BadSignature
    );

    // Swap in another payload: the old signature no longer matches.
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = entra_claims();
    claims["oid"] = json!("00000000-0000-0000-0000-000000000000");
    let tampered = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
    let parsed = UnverifiedToken::parse(&tampered).expect("parses");
    assert_eq!(
        parsed.verify(&right).unwrap_err().reason,
        RejectReason::BadSignature
    );

    // An HMAC key never verifies an RS256 signature.
    let hmac = DecodingKey::from_secret(key(0).public_pem.as_bytes());
    let parsed = UnverifiedToken::parse(&token).expect("parses");
    assert_eq!(
        parsed.verify(&hmac).unwrap_err().reason,
        RejectReason::BadSignature
    );
}

#[test]
fn bearer_token_extracts_the_credential() {
    assert_eq!(bearer_token(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
    assert_eq!(bearer_token(Some("bearer   abc ")), Ok("abc"));
    assert_eq!(bearer_token(Some("BEARER abc")), Ok("abc"));
    for missing in [None, Some(""), Some("   ")] {
        assert_eq!(
            bearer_token(missing).unwrap_err().reason,
            RejectReason::Missing,
            "{missing:?}"
        );
    }
    for bad in [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearerabc",
        "Bearer a b",
        "Token abc",
    ] {
        assert_eq!(
            bearer_token(Some(bad)).unwrap_err().reason,
            RejectReason::Malformed,
            "{bad}"
        );
    }
}
