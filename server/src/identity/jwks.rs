//! Turning key documents into verification keys: a JWKS (Entra ID, or a file) and Exchange's
//! auth-metadata document. We parse the JSON ourselves because `jsonwebtoken::jwk::Jwk` drops
//! Microsoft's per-key `issuer`, and because one odd key must not make the whole set unusable.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::DecodingKey;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// RSA moduli below 2048 bits are factorable in practice; Microsoft uses 2048 and up.
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// A key from a trusted source, with the issuer Microsoft attaches to it (may be templated with
/// `{tenantid}`), used to stop one tenant's custom key from vouching for another tenant.
#[derive(Debug)]
pub(crate) struct TrustedKey {
    pub(crate) key: DecodingKey,
    pub(crate) issuer: Option<String>,
}

/// How a token names its key: Entra uses `kid` (v1 tokens also carry `x5t`); Exchange only `x5t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyId<'a> {
    Kid(&'a str),
    X5t(&'a str),
}

#[derive(Debug, Default)]
pub(crate) struct KeySet {
    by_kid: HashMap<String, Arc<TrustedKey>>,
    by_x5t: HashMap<String, Arc<TrustedKey>>,
    count: usize,
}

/// Why a key document was refused; safe to log (it never contains key material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyDocError(pub(crate) &'static str);

impl fmt::Display for KeyDocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl KeySet {
    pub(crate) fn get(&self, id: KeyId<'_>) -> Option<Arc<TrustedKey>> {
        match id {
            KeyId::Kid(kid) => self.by_kid.get(kid).cloned(),
            // Entra's `kid` and `x5t` are the same thumbprint, so a JWKS entry without an `x5t`
            // field can still be found by it.
            KeyId::X5t(x5t) => self
                .by_x5t
                .get(x5t)
                .or_else(|| self.by_kid.get(x5t))
                .cloned(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Callers pass at least one non-empty name.
    fn insert(&mut self, kid: Option<&str>, x5t: Option<&str>, key: TrustedKey) {
        let key = Arc::new(key);
        self.count += 1;
        if let Some(kid) = kid {
            self.by_kid.insert(kid.to_string(), key.clone());
        }
        if let Some(x5t) = x5t {
            self.by_x5t.insert(x5t.to_string(), key);
        }
    }

    /// A JWK Set (RFC 7517): RSA signing keys only; others are skipped, not fatal, because
    /// Microsoft may add key types we do not use.
    pub(crate) fn from_jwks(document: &Value) -> Result<Self, KeyDocError> {
        let keys = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(KeyDocError("the JWKS has no `keys` array"))?;
        let mut set = Self::default();
        for jwk in keys {
            match rsa_jwk(jwk) {
                Ok(Some((kid, x5t, key))) => set.insert(kid, x5t, key),
                Ok(None) => {}
                Err(reason) => tracing::debug!(%reason, "skipping a JWKS key"),
            }
        }
        set.non_empty()
    }

    /// Exchange's auth-metadata document: `keys[].keyinfo.x5t` names a base64 DER certificate
    /// in `keys[].keyvalue.value`.
    pub(crate) fn from_exchange_metadata(document: &Value) -> Result<Self, KeyDocError> {
        let keys = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(KeyDocError("the auth metadata has no `keys` array"))?;
        let mut set = Self::default();
        for entry in keys {
            match exchange_certificate(entry) {
                Ok(Some((x5t, key))) => set.insert(None, Some(x5t), key),
                Ok(None) => {}
                Err(reason) => tracing::debug!(%reason, "skipping an auth metadata key"),
            }
        }
        set.non_empty()
    }

    fn non_empty(self) -> Result<Self, KeyDocError> {
        if self.count == 0 {
            Err(KeyDocError("the document holds no usable RSA signing key"))
        } else {
            Ok(self)
        }
    }
}

type Named<'v> = (Option<&'v str>, Option<&'v str>, TrustedKey);

fn rsa_jwk(jwk: &Value) -> Result<Option<Named<'_>>, KeyDocError> {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    if field("kty") != Some("RSA") {
        return Ok(None);
    }
    if field("use").is_some_and(|u| u != "sig") || field("alg").is_some_and(|a| a != "RS256") {
        return Ok(None);
    }
    let named = |name: &str| field(name).filter(|v| !v.is_empty());
    let (kid, x5t) = (named("kid"), named("x5t"));
    if kid.is_none() && x5t.is_none() {
        return Err(KeyDocError("an RSA key has neither kid nor x5t"));
    }
    let decode = |name: &str| {
        field(name)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok())
            .filter(|bytes| !bytes.is_empty())
            .ok_or(KeyDocError("an RSA key has no valid n or e"))
    };
    let (n, e) = (decode("n")?, decode("e")?);
    let significant = n.iter().skip_while(|b| **b == 0).count();
    if significant < MIN_RSA_MODULUS_BYTES {
        return Err(KeyDocError("an RSA key is shorter than 2048 bits"));
    }
    let key = TrustedKey {
        key: DecodingKey::from_rsa_raw_components(&n, &e),
        issuer: field("issuer").map(str::to_string),
    };
    Ok(Some((kid, x5t, key)))
}

fn exchange_certificate(entry: &Value) -> Result<Option<(&str, TrustedKey)>, KeyDocError> {
    let usage = entry.get("usage").and_then(Value::as_str);
    if usage.is_some_and(|u| !u.eq_ignore_ascii_case("signing")) {
        return Ok(None);
    }
    let value = &entry["keyvalue"];
    if value.get("type").and_then(Value::as_str) != Some("x509Certificate") {
        return Ok(None);
    }
    let x5t = entry["keyinfo"]
        .get("x5t")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or(KeyDocError("a certificate has no keyinfo.x5t"))?;
    let der: String = value
        .get("value")
        .and_then(Value::as_str)
        .ok_or(KeyDocError("a certificate has no keyvalue.value"))?
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD
        .decode(der)
        .map_err(|_| KeyDocError("a certificate is not base64"))?;
    let key = DecodingKey::from_rsa_pem(certificate_pem(&der).as_bytes())
        .map_err(|_| KeyDocError("a certificate does not hold an RSA key"))?;
    Ok(Some((x5t, TrustedKey { key, issuer: None })))
}

/// PEM with 64-column lines, the form every PEM reader accepts.
fn certificate_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}
