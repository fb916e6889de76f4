//! Minting of Entra ID access tokens and Exchange identity tokens, valid or deliberately broken.
//!
//! The compact JWS is assembled by hand (base64url header and payload, signature over
//! `header.payload`), so headers may carry any field, including ones a JOSE library would refuse
//! to emit.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value};

use crate::keys::TestKey;

/// JSON object type used for headers and claim sets.
pub type JsonObject = Map<String, Value>;

/// How a token is signed. Selecting a mode also sets the header `alg` to match it.
#[derive(Clone, Debug, Default)]
pub enum Signing {
    /// RS256 with the builder's key (the default).
    #[default]
    Rs256,
    /// RS256 with another key, while the header still names the builder's key (bad signature).
    Rs256With(TestKey),
    /// HS256 with the builder's public key PEM (SPKI) bytes as the HMAC secret (key confusion).
    Hs256PublicKeyPem,
    /// HS256 with the given secret.
    Hs256(Vec<u8>),
    /// `alg: none` with an empty signature segment.
    None,
    /// Header `alg` RS256 with these literal signature bytes.
    Raw(Vec<u8>),
}

impl Signing {
    fn alg(&self) -> &'static str {
        match self {
            Signing::Rs256 | Signing::Rs256With(_) | Signing::Raw(_) => "RS256",
            Signing::Hs256PublicKeyPem | Signing::Hs256(_) => "HS256",
            Signing::None => "none",
        }
    }
}

/// Header, claims and signing mode shared by the token builders.
#[derive(Clone, Debug)]
pub(crate) struct JwtParts {
    pub(crate) key: TestKey,
    pub(crate) header: JsonObject,
    pub(crate) claims: JsonObject,
    pub(crate) signing: Signing,
    pub(crate) tampered: Vec<(String, Option<Value>)>,
}

impl JwtParts {
    pub(crate) fn new(key: &TestKey) -> JwtParts {
        let mut header = JsonObject::new();
        header.insert("typ".into(), "JWT".into());
        header.insert("alg".into(), "RS256".into());
        JwtParts {
            key: key.clone(),
            header,
            claims: JsonObject::new(),
            signing: Signing::Rs256,
            tampered: Vec::new(),
        }
    }

    pub(crate) fn set_signing(&mut self, signing: Signing) {
        self.header.insert("alg".into(), signing.alg().into());
        self.signing = signing;
    }

    pub(crate) fn build(&self) -> String {
        let header = encode_segment(&Value::Object(self.header.clone()));
        let payload = encode_segment(&Value::Object(self.claims.clone()));
        let input = format!("{header}.{payload}");
        let signature = match &self.signing {
            Signing::Rs256 => b64url(self.key.sign_rs256(input.as_bytes())),
            Signing::Rs256With(other) => b64url(other.sign_rs256(input.as_bytes())),
            Signing::Hs256PublicKeyPem => {
                hs256(input.as_bytes(), self.key.public_key_pem().as_bytes())
            }
            Signing::Hs256(secret) => hs256(input.as_bytes(), secret),
            Signing::None => String::new(),
            Signing::Raw(bytes) => b64url(bytes),
        };
        let token = format!("{input}.{signature}");
        if self.tampered.is_empty() {
            return token;
        }
        tamper_payload(&token, |claims| {
            for (name, value) in &self.tampered {
                match value {
                    Some(value) => claims.insert(name.clone(), value.clone()),
                    None => claims.remove(name),
                };
            }
        })
    }
}

/// Builder methods common to [`EntraToken`] and [`ExchangeToken`].
macro_rules! jwt_builder_methods {
    () => {
        /// Sets (or replaces) a payload claim.
        pub fn claim(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
            self.jwt.claims.insert(name.to_owned(), value.into());
            self
        }

        /// Removes a payload claim.
        pub fn without_claim(mut self, name: &str) -> Self {
            self.jwt.claims.remove(name);
            self
        }

        /// Sets (or replaces) a header field, e.g. `alg`, `kid`, `crit`, `jku`, `x5c`.
        ///
        /// [`signing`](Self::signing) rewrites `alg`, so call this afterwards to override it.
        pub fn header(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
            self.jwt.header.insert(name.to_owned(), value.into());
            self
        }

        /// Removes a header field.
        pub fn without_header(mut self, name: &str) -> Self {
            self.jwt.header.remove(name);
            self
        }

        /// Selects the signing mode and sets the header `alg` to match it.
        pub fn signing(mut self, signing: $crate::tokens::Signing) -> Self {
            self.jwt.set_signing(signing);
            self
        }

        /// After signing, replaces this claim in the payload, keeping the signature (tampering).
        pub fn tamper_claim(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
            self.jwt
                .tampered
                .push((name.to_owned(), Some(value.into())));
            self
        }

        /// After signing, removes this claim from the payload, keeping the signature.
        pub fn tamper_remove_claim(mut self, name: &str) -> Self {
            self.jwt.tampered.push((name.to_owned(), None));
            self
        }

        /// The payload claims as they will be signed.
        pub fn claims(&self) -> &$crate::tokens::JsonObject {
            &self.jwt.claims
        }

        /// The header fields as they will be encoded.
        pub fn header_fields(&self) -> &$crate::tokens::JsonObject {
            &self.jwt.header
        }

        /// Encodes and signs the token (compact serialisation).
        pub fn build(&self) -> String {
            self.jwt.build()
        }
    };
}

mod entra;
mod exchange;

pub use entra::{EntraToken, OFFICE_CLIENT_ID};
pub use exchange::{ExchangeToken, EXCHANGE_PRINCIPAL};

/// Current time in seconds since the Unix epoch.
pub fn now() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(elapsed.as_secs()).expect("time fits i64")
}

/// base64url without padding.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// base64url (no padding) of the compact JSON serialisation of `value`.
pub fn encode_segment(value: &Value) -> String {
    b64url(serde_json::to_vec(value).expect("JSON serialisation"))
}

/// Decodes the header (segment 0) or payload (segment 1) of a compact token.
pub fn decode_segment(token: &str, index: usize) -> JsonObject {
    let segment = token.split('.').nth(index).expect("token segment");
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url segment");
    serde_json::from_slice(&bytes).expect("JSON object segment")
}

/// Rewrites a token's payload with `edit`, keeping its header and signature unchanged.
pub fn tamper_payload(token: &str, edit: impl FnOnce(&mut JsonObject)) -> String {
    let mut claims = decode_segment(token, 1);
    edit(&mut claims);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = encode_segment(&Value::Object(claims));
    parts.join(".")
}

/// A JWT-shaped string (three base64url segments, decodable header and payload) of exactly
/// `bytes` bytes; the signature segment is filler. Needs `bytes >= 64`.
pub fn oversized_token(bytes: usize) -> String {
    let header = encode_segment(&serde_json::json!({ "alg": "RS256", "typ": "JWT" }));
    let payload = encode_segment(&serde_json::json!({ "sub": "oversized" }));
    let prefix = format!("{header}.{payload}.");
    assert!(
        bytes > prefix.len(),
        "oversized_token needs at least {} bytes",
        prefix.len() + 1
    );
    let filler = "A".repeat(bytes - prefix.len());
    format!("{prefix}{filler}")
}

fn hs256(message: &[u8], secret: &[u8]) -> String {
    jsonwebtoken::crypto::sign(message, &EncodingKey::from_secret(secret), Algorithm::HS256)
        .expect("HMAC signing")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_token_has_exact_length_and_shape() {
        let token = oversized_token(16 * 1024 + 1);
        assert_eq!(token.len(), 16 * 1024 + 1);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(decode_segment(&token, 0)["alg"], "RS256");
    }

    #[test]
    fn tamper_payload_keeps_header_and_signature() {
        let token = format!(
            "{}.{}.c2ln",
            encode_segment(&serde_json::json!({"alg": "RS256"})),
            encode_segment(&serde_json::json!({"aud": "a"}))
        );
        let tampered = tamper_payload(&token, |c| {
            c.insert("aud".into(), "b".into());
        });
        assert_eq!(decode_segment(&tampered, 1)["aud"], "b");
        assert!(tampered.ends_with(".c2ln"));
        assert_eq!(token.split('.').next(), tampered.split('.').next());
    }
}
