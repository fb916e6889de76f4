//! Test keys, token signing and a tiny loopback HTTP server for the identity tests.

use crate::config::Problems;
use crate::identity::{AuthSettings, RawAuth};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

pub const TENANT: &str = "6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f";
pub const OTHER_TENANT: &str = "0b7f3c1e-2a4d-4e6f-8a9b-1c2d3e4f5a6b";
pub const OID: &str = "11111111-2222-3333-4444-555555555555";
pub const API: &str = "api://vmr.example.com/4a5b6c7d";
pub const NOW: i64 = 1_800_000_000;

pub struct TestKey {
    pub kid: String,
    encoding: EncodingKey,
    n: String,
    e: String,
    pub public_pem: String,
    /// Self-signed certificate (base64 DER) around the public key, as Exchange publishes it.
    pub certificate: String,
}

/// Key generation is slow, so every test shares these three.
pub static KEYS: LazyLock<Vec<TestKey>> = LazyLock::new(|| (0..3).map(generate).collect());

pub fn key(index: usize) -> &'static TestKey {
    &KEYS[index]
}

fn generate(index: usize) -> TestKey {
    let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key");
    let public = rsa::RsaPublicKey::from(&private);
    let pkcs8 = private.to_pkcs8_pem(LineEnding::LF).expect("PKCS#8 PEM");
    let key_pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pkcs8, &rcgen::PKCS_RSA_SHA256)
        .expect("rcgen key pair");
    let certificate = rcgen::CertificateParams::new(vec!["exchange.test".to_string()])
        .expect("certificate parameters")
        .self_signed(&key_pair)
        .expect("self-signed certificate");
    TestKey {
        kid: format!("test-key-{index}"),
        encoding: EncodingKey::from_rsa_pem(pkcs8.as_bytes()).expect("encoding key"),
        n: URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        e: URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        public_pem: public
            .to_public_key_pem(LineEnding::LF)
            .expect("public PEM"),
        certificate: STANDARD.encode(certificate.der()),
    }
}

impl TestKey {
    pub fn x5t(&self) -> String {
        format!("x5t-{}", self.kid)
    }

    pub fn jwk(&self, issuer: Option<&str>) -> Value {
        let mut jwk = json!({
            "kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": self.n, "e": self.e,
        });
        if let Some(issuer) = issuer {
            jwk["issuer"] = json!(issuer);
        }
        jwk
    }

    pub fn exchange_entry(&self) -> Value {
        json!({
            "usage": "signing",
            "keyinfo": { "x5t": self.x5t() },
            "keyvalue": { "type": "x509Certificate", "value": self.certificate },
        })
    }
}

pub fn jwks(keys: &[&TestKey], issuer: Option<&str>) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk(issuer)).collect::<Vec<_>>() })
}

pub fn exchange_metadata(keys: &[&TestKey]) -> Value {
    json!({
        "id": "_00000002-0000-0ff1-ce00-000000000000",
        "issuer": "00000002-0000-0ff1-ce00-000000000000@*",
        "keys": keys.iter().map(|k| k.exchange_entry()).collect::<Vec<_>>(),
    })
}

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("JSON"))
}

/// A compact token with exactly this header and payload, RS256-signed by `key`.
pub fn sign(header: &Value, claims: &Value, key: &TestKey) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key.encoding, Algorithm::RS256)
        .expect("signature");
    format!("{input}.{signature}")
}

/// The key-confusion attack: HS256 with the RSA public key as the HMAC secret.
pub fn sign_hs256_with_public_key(header: &Value, claims: &Value, key: &TestKey) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let secret = EncodingKey::from_secret(key.public_pem.as_bytes());
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &secret, Algorithm::HS256).expect("HMAC");
    format!("{input}.{signature}")
}

pub fn entra_header(key: &TestKey) -> Value {
    json!({ "typ": "JWT", "alg": "RS256", "kid": key.kid })
}

/// A valid v2.0 access token's claims for TENANT at NOW.
pub fn entra_claims() -> Value {
    json!({
        "aud": API, "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600, "ver": "2.0",
        "tid": TENANT, "oid": OID, "sub": "pairwise", "scp": "User.Read access_as_user",
        "preferred_username": "Ada.Lovelace@contoso.example", "name": "Ada Lovelace",
        "azp": "d3590ed6-52b3-4102-aeff-aad2292ab01c",
    })
}

pub fn parse_auth(toml_text: &str) -> RawAuth {
    toml::from_str(toml_text).unwrap_or_else(|e| panic!("test TOML: {e}\n{toml_text}"))
}

pub const KEY: &str = "integrations.main.auth";

pub fn public_url() -> url::Url {
    url::Url::parse("https://vmr.example.com").expect("URL")
}

/// Validates a section and returns the settings and the keys of any problems.
pub fn validate(raw: &RawAuth) -> (Option<AuthSettings>, Vec<String>) {
    let mut problems = Problems::default();
    let settings = raw.validate(KEY, &public_url(), &mut problems);
    let keys = problems.iter().map(|p| p.key.clone()).collect();
    (settings, keys)
}

pub fn valid(toml_text: &str) -> AuthSettings {
    let mut problems = Problems::default();
    let settings = parse_auth(toml_text).validate(KEY, &public_url(), &mut problems);
    let listed: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    settings.unwrap_or_else(|| panic!("problems: {listed:#?}"))
}

/// A file under the system temp directory, removed when dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn with(contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!("vmr-identity-{}.json", uuid::Uuid::new_v4()));
        std::fs::write(&path, contents).expect("temp file");
        Self(path)
    }

    pub fn toml_path(&self) -> String {
        self.0.display().to_string().replace('\\', "\\\\")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Leave out `Content-Length` and end the body by closing the connection.
    pub close_delimited: bool,
}

impl Reply {
    pub fn json(value: &Value) -> Self {
        Self::raw(200, serde_json::to_vec(value).expect("JSON"))
    }

    pub fn raw(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
            delay: Duration::ZERO,
            close_delimited: false,
        }
    }

    pub fn redirect(to: &str) -> Self {
        let mut reply = Self::raw(302, Vec::new());
        reply.headers.push(("Location".into(), to.into()));
        reply
    }
}

/// An HTTP/1.1 server on 127.0.0.1 answering GETs from a route table (by path, query ignored)
/// and counting requests per path. Threads live until the test process ends.
#[derive(Clone)]
pub struct Stub {
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    hits: Arc<Mutex<HashMap<String, u32>>>,
}

impl Stub {
    pub fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind loopback");
        let stub = Self {
            base: format!("http://{}", listener.local_addr().expect("address")),
            routes: Arc::default(),
            hits: Arc::default(),
        };
        let server = stub.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let server = server.clone();
                std::thread::spawn(move || server.answer(stream));
            }
        });
        stub
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_string(), reply);
    }

    pub fn hits(&self, path: &str) -> u32 {
        self.hits
            .lock()
            .expect("hits")
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_hits(&self) -> u32 {
        self.hits.lock().expect("hits").values().sum()
    }

    fn answer(&self, mut stream: TcpStream) {
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let text = String::from_utf8_lossy(&request);
        let target = text.split_whitespace().nth(1).unwrap_or("/");
        let path = target.split('?').next().unwrap_or("/").to_string();
        *self
            .hits
            .lock()
            .expect("hits")
            .entry(path.clone())
            .or_default() += 1;
        let reply = self.routes.lock().expect("routes").get(&path).cloned();
        let reply = reply.unwrap_or_else(|| Reply::raw(404, b"{}".to_vec()));
        std::thread::sleep(reply.delay);
        let mut head = format!("HTTP/1.1 {} Stub\r\nConnection: close\r\n", reply.status);
        if !reply.close_delimited {
            head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
        }
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&reply.body);
    }
}
