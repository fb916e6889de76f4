//! Splitting and decoding a JWS compact token by hand, before any library sees it. Doing this
//! ourselves lets us refuse dangerous headers (`alg: none`, HMAC with a public key, `crit`)
//! before a key is even looked up, and keeps header fields that point at keys (`jku`, `x5u`,
//! `jwk`, `x5c`) from ever being read: keys come only from configuration.

use super::reject::{RejectReason, Rejection};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, DecodingKeyKind};
use serde_json::{Map, Value};
use std::fmt;

/// Office tokens are 1–3 KiB; 16 KiB leaves room for large group claims and bounds the base64
/// and JSON work an anonymous caller can make us do.
pub(crate) const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The only signature algorithm Entra ID and Exchange use for these tokens. Pinned, never taken
/// from the header (RFC 8725 §3.1).
const PINNED_ALG: &str = "RS256";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Entra ID access token (Nested App Authentication or legacy Office SSO).
    Entra,
    /// Legacy Exchange user identity token, recognised by its `appctx` claim.
    Exchange,
}

impl TokenKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Entra => "entra",
            Self::Exchange => "exchange",
        }
    }
}

/// The header fields we use. Everything else in the header is ignored on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JoseHeader {
    pub(crate) kid: Option<String>,
    pub(crate) x5t: Option<String>,
}

/// A token whose structure and header passed the pre-checks but whose signature is not yet
/// verified: nothing in `claims` may be trusted until [`UnverifiedToken::verify`] succeeds.
pub(crate) struct UnverifiedToken<'a> {
    pub(crate) header: JoseHeader,
    pub(crate) claims: Map<String, Value>,
    signing_input: &'a str,
    signature: &'a str,
}

impl<'a> UnverifiedToken<'a> {
    pub(crate) fn parse(token: &'a str) -> Result<Self, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::new(
                RejectReason::Oversized,
                "the token is larger than 16 KiB",
            ));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Rejection::malformed(
                "the token is not three dot-separated parts",
            ));
        };
        let header = decode_json_object(header_b64).ok_or_else(|| {
            Rejection::malformed("the token header is not base64url-encoded JSON")
        })?;
        let header = check_header(&header)?;
        let claims = decode_json_object(payload_b64).ok_or_else(|| {
            Rejection::malformed("the token payload is not base64url-encoded JSON")
        })?;
        match URL_SAFE_NO_PAD.decode(signature) {
            Ok(bytes) if !bytes.is_empty() => {}
            _ => {
                return Err(Rejection::malformed(
                    "the token signature is missing or not base64url",
                ))
            }
        }
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        Ok(Self {
            header,
            claims,
            signing_input,
            signature,
        })
    }

    /// Exchange identity tokens carry the app context; Entra access tokens never do.
    pub(crate) fn kind(&self) -> TokenKind {
        if self.claims.contains_key("appctx") {
            TokenKind::Exchange
        } else {
            TokenKind::Entra
        }
    }

    /// Checks the RS256 signature over `header.payload` with a key from a trusted source.
    /// RS256 only: the algorithm is pinned, whatever the header said. Verified with ring, which
    /// is already linked for TLS and several times faster than the pure-Rust RSA code path.
    pub(crate) fn verify(&self, key: &DecodingKey) -> Result<(), Rejection> {
        use ring::signature::{
            RsaPublicKeyComponents, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256,
        };
        let bad = || {
            Rejection::new(
                RejectReason::BadSignature,
                "the token signature is not valid",
            )
        };
        let message = self.signing_input.as_bytes();
        let signature = URL_SAFE_NO_PAD.decode(self.signature).map_err(|_| bad())?;
        let signature = signature.as_slice();
        let verified = match key.kind() {
            // PKCS#1 RSAPublicKey, as taken from an Exchange certificate.
            DecodingKeyKind::SecretOrDer(der) => {
                UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der).verify(message, signature)
            }
            DecodingKeyKind::RsaModulusExponent { n, e } => {
                let significant =
                    |bytes: &[u8]| bytes.iter().position(|b| *b != 0).map_or(0, |i| i);
                RsaPublicKeyComponents {
                    n: &n[significant(n)..],
                    e: &e[significant(e)..],
                }
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
            }
        };
        verified.map_err(|_| bad())
    }
}

/// Shows only what is safe to log: never the claims, the signature or the signed bytes.
impl fmt::Debug for UnverifiedToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedToken")
            .field("kind", &self.kind())
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

fn decode_json_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn check_header(header: &Map<String, Value>) -> Result<JoseHeader, Rejection> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == PINNED_ALG => {}
        Some(Value::String(_)) => {
            return Err(Rejection::new(
                RejectReason::UnsupportedAlgorithm,
                "only RS256-signed tokens are accepted",
            ))
        }
        _ => return Err(Rejection::malformed("the token header has no alg")),
    }
    // We implement no JWS extensions, so any critical one must make us refuse (RFC 7515 §4.1.11).
    if header.contains_key("crit") {
        return Err(Rejection::new(
            RejectReason::UnsupportedCriticalHeader,
            "the token header lists critical extensions, which are not supported",
        ));
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err(Rejection::malformed("the token type is not JWT")),
    }
    Ok(JoseHeader {
        kid: optional_string(header, "kid")?,
        x5t: optional_string(header, "x5t")?,
    })
}

fn optional_string(header: &Map<String, Value>, name: &str) -> Result<Option<String>, Rejection> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(value)) if !value.is_empty() => Ok(Some(value.clone())),
        Some(_) => Err(Rejection::malformed(
            "a key identifier in the token header is not a string",
        )),
    }
}
