//! Reading key documents: one odd key never spoils the set, and only RSA signing keys count.

use super::support::*;
use crate::identity::jwks::{KeyId, KeySet};
use serde_json::json;

#[test]
fn jwks_keeps_usable_rsa_signing_keys_and_skips_the_rest() {
    let mut encryption = key(1).jwk(None);
    encryption["use"] = json!("enc");
    let mut other_alg = key(2).jwk(None);
    other_alg["alg"] = json!("RS384");
    let mut nameless = key(2).jwk(None);
    nameless["kid"] = json!("");
    nameless.as_object_mut().expect("object").remove("x5t");
    let document = json!({ "keys": [
        { "kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA" },
        { "kty": "RSA", "kid": "broken", "n": "%%%", "e": "AQAB" },
        { "kty": "RSA", "kid": "short", "n": "AQAB", "e": "AQAB" },
        encryption, other_alg, nameless,
        key(0).jwk(Some("https://login.microsoftonline.com/{tenantid}/v2.0")),
    ]});
    let set = KeySet::from_jwks(&document).expect("one usable key");
    assert_eq!(set.len(), 1);
    let found = set.get(KeyId::Kid(&key(0).kid)).expect("key 0");
    assert_eq!(
        found.issuer.as_deref(),
        Some("https://login.microsoftonline.com/{tenantid}/v2.0")
    );
    for missing in [&key(1).kid, &key(2).kid, "ec", "broken", "short"] {
        assert!(set.get(KeyId::Kid(missing)).is_none(), "{missing}");
    }
    for unusable in [
        json!({}),
        json!({ "keys": {} }),
        json!({ "keys": [] }),
        json!([]),
    ] {
        assert!(KeySet::from_jwks(&unusable).is_err(), "{unusable}");
    }
}

#[test]
fn exchange_metadata_keeps_x509_signing_certificates() {
    let mut wrapped = key(1).exchange_entry();
    let value = key(1).certificate.clone();
    let folded: String = value
        .as_bytes()
        .chunks(64)
        .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
        .collect();
    wrapped["keyvalue"]["value"] = json!(folded);
    let mut encryption = key(2).exchange_entry();
    encryption["usage"] = json!("encryption");
    let mut symmetric = key(2).exchange_entry();
    symmetric["keyvalue"]["type"] = json!("SymmetricKey");
    let document = json!({ "keys": [
        { "usage": "signing", "keyinfo": { "x5t": "bad" }, "keyvalue": { "type": "x509Certificate", "value": "not base64!" } },
        { "usage": "signing", "keyinfo": {}, "keyvalue": { "type": "x509Certificate", "value": key(0).certificate } },
        encryption, symmetric, key(0).exchange_entry(), wrapped,
    ]});
    let set = KeySet::from_exchange_metadata(&document).expect("usable keys");
    assert_eq!(set.len(), 2);
    assert!(set.get(KeyId::X5t(&key(0).x5t())).is_some());
    assert!(
        set.get(KeyId::X5t(&key(1).x5t())).is_some(),
        "line-wrapped base64 is accepted"
    );
    assert!(set.get(KeyId::X5t(&key(2).x5t())).is_none());
    assert!(set.get(KeyId::X5t("bad")).is_none());
    assert!(KeySet::from_exchange_metadata(&json!({ "keys": [] })).is_err());
}
