//! RSA signing keys with self-signed certificates, as used by Entra ID and Exchange.

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::{Digest as _, Sha256};
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha1::Sha1;

/// Number of keys in the shared pool (see [`TestKey::pooled`]).
pub const POOL_SIZE: usize = 6;

static POOL: [OnceLock<TestKey>; POOL_SIZE] = [const { OnceLock::new() }; POOL_SIZE];

/// An RSA-2048 key pair with a `kid` and a self-signed X.509 certificate.
///
/// Cloning is cheap: the key material is shared.
#[derive(Clone)]
pub struct TestKey {
    kid: String,
    material: Arc<Material>,
}

struct Material {
    private_pkcs8_pem: String,
    public_pem: String,
    signer: SigningKey<Sha256>,
    n: String,
    e: String,
    cert_der: Vec<u8>,
    x5t: String,
    thumbprint: String,
}

impl TestKey {
    /// Returns the key in pool slot `slot` (`0..POOL_SIZE`), generating it on first use.
    ///
    /// The same slot yields the same key (and `kid`) for the whole test run, so a run only
    /// pays for a handful of key generations.
    pub fn pooled(slot: usize) -> TestKey {
        assert!(
            slot < POOL_SIZE,
            "pool slot {slot} out of range 0..{POOL_SIZE}"
        );
        POOL[slot].get_or_init(TestKey::generate).clone()
    }

    /// Generates a fresh key pair (slow; prefer [`TestKey::pooled`] in tests).
    pub fn generate() -> TestKey {
        let private =
            RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key generation");
        TestKey::from_private(private)
    }

    /// Loads a key from a PKCS#8 PEM (`BEGIN PRIVATE KEY`); the certificate is created anew.
    pub fn from_pkcs8_pem(pem: &str) -> anyhow::Result<TestKey> {
        Ok(TestKey::from_private(RsaPrivateKey::from_pkcs8_pem(pem)?))
    }

    fn from_private(private: RsaPrivateKey) -> TestKey {
        let private_pkcs8_pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("PKCS#8 encoding")
            .to_string();
        let public_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("SPKI encoding");
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let thumbprint = jwk_thumbprint(&n, &e);
        let cert_der = self_signed_certificate(&private_pkcs8_pem);
        let x5t = URL_SAFE_NO_PAD.encode(Sha1::digest(&cert_der));
        let material = Material {
            private_pkcs8_pem,
            public_pem,
            signer: SigningKey::<Sha256>::new(private),
            n,
            e,
            cert_der,
            x5t,
            thumbprint,
        };
        TestKey {
            kid: material.thumbprint.clone(),
            material: Arc::new(material),
        }
    }

    /// The same key material under another `kid`.
    pub fn with_kid(&self, kid: impl Into<String>) -> TestKey {
        TestKey {
            kid: kid.into(),
            material: Arc::clone(&self.material),
        }
    }

    /// Key ID; by default the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Certificate thumbprint: base64url(SHA-1(DER)) without padding.
    pub fn x5t(&self) -> &str {
        &self.material.x5t
    }

    /// RSA modulus, base64url without padding.
    pub fn n(&self) -> &str {
        &self.material.n
    }

    /// RSA public exponent, base64url without padding.
    pub fn e(&self) -> &str {
        &self.material.e
    }

    /// DER encoding of the self-signed certificate.
    pub fn certificate_der(&self) -> &[u8] {
        &self.material.cert_der
    }

    /// Standard base64 of the certificate DER, as in `x5c` and Exchange's `keyvalue.value`.
    pub fn certificate_base64(&self) -> String {
        STANDARD.encode(&self.material.cert_der)
    }

    /// The certificate as PEM (`BEGIN CERTIFICATE`).
    pub fn certificate_pem(&self) -> String {
        pem_wrap("CERTIFICATE", &self.material.cert_der)
    }

    /// The public key as SPKI PEM (`BEGIN PUBLIC KEY`).
    pub fn public_key_pem(&self) -> &str {
        &self.material.public_pem
    }

    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    pub fn private_key_pem(&self) -> &str {
        &self.material.private_pkcs8_pem
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (the `RS256` JWS algorithm) over `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Vec<u8> {
        self.material.signer.sign(message).to_vec()
    }

    /// Public JWK: `kty`, `use`, `kid`, `x5t`, `n`, `e`, `x5c`.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.x5t(),
            "n": self.n(),
            "e": self.e(),
            "x5c": [self.certificate_base64()],
        })
    }

    /// Public JWK with Microsoft's per-key `issuer` property when `issuer` is given.
    pub fn jwk_with_issuer(&self, issuer: Option<&str>) -> Value {
        let mut jwk = self.jwk();
        if let Some(issuer) = issuer {
            jwk["issuer"] = Value::from(issuer);
        }
        jwk
    }

    /// Entry for the `keys` array of an Exchange auth metadata document.
    pub fn exchange_metadata_key(&self) -> Value {
        json!({
            "usage": "signing",
            "keyinfo": { "x5t": self.x5t() },
            "keyvalue": { "type": "x509Certificate", "value": self.certificate_base64() },
        })
    }
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestKey")
            .field("kid", &self.kid)
            .field("x5t", &self.material.x5t)
            .finish_non_exhaustive()
    }
}

/// A JWKS document (`{"keys": [...]}`) for `keys`, each with `issuer` when given.
pub fn jwk_set(keys: &[TestKey], issuer: Option<&str>) -> Value {
    let keys: Vec<Value> = keys.iter().map(|k| k.jwk_with_issuer(issuer)).collect();
    json!({ "keys": keys })
}

/// RFC 7638 thumbprint of an RSA public key.
fn jwk_thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn self_signed_certificate(pkcs8_pem: &str) -> Vec<u8> {
    let key_pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(pkcs8_pem, &rcgen::PKCS_RSA_SHA256)
        .expect("rcgen accepts the RSA key");
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).expect("certificate params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "loopback token signing");
    let cert = params
        .self_signed(&key_pair)
        .expect("self-signed certificate");
    cert.der().to_vec()
}

fn pem_wrap(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Algorithm, DecodingKey};

    #[test]
    fn pool_slots_are_stable_and_distinct() {
        let a = TestKey::pooled(0);
        let b = TestKey::pooled(0);
        let c = TestKey::pooled(1);
        assert_eq!(a.kid(), b.kid());
        assert_eq!(a.x5t(), b.x5t());
        assert_ne!(a.kid(), c.kid());
    }

    #[test]
    fn x5t_is_sha1_of_certificate_der() {
        let key = TestKey::pooled(0);
        let expected = URL_SAFE_NO_PAD.encode(Sha1::digest(key.certificate_der()));
        assert_eq!(key.x5t(), expected);
        assert_eq!(key.x5t().len(), 27);
    }

    #[test]
    fn jwk_has_expected_fields_and_optional_issuer() {
        let key = TestKey::pooled(0);
        let jwk = key.jwk();
        for field in ["kty", "use", "kid", "x5t", "n", "e", "x5c"] {
            assert!(jwk.get(field).is_some(), "missing {field}");
        }
        assert_eq!(jwk["e"], "AQAB");
        assert!(jwk.get("issuer").is_none());
        let with = key.jwk_with_issuer(Some("https://issuer/{tenantid}/v2.0"));
        assert_eq!(with["issuer"], "https://issuer/{tenantid}/v2.0");
    }

    #[test]
    fn signature_verifies_with_certificate_and_components() {
        let key = TestKey::pooled(0);
        let message = b"header.payload";
        let sig = URL_SAFE_NO_PAD.encode(key.sign_rs256(message));
        let from_cert = DecodingKey::from_rsa_pem(key.certificate_pem().as_bytes()).unwrap();
        let from_parts = DecodingKey::from_rsa_components(key.n(), key.e()).unwrap();
        let from_pem = DecodingKey::from_rsa_pem(key.public_key_pem().as_bytes()).unwrap();
        for decoding in [from_cert, from_parts, from_pem] {
            assert!(
                jsonwebtoken::crypto::verify(&sig, message, &decoding, Algorithm::RS256).unwrap()
            );
        }
    }

    #[test]
    fn private_key_pem_round_trips() {
        let key = TestKey::pooled(0);
        let again = TestKey::from_pkcs8_pem(key.private_key_pem()).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(again.n(), key.n());
        assert_eq!(key.with_kid("other").kid(), "other");
    }
}
