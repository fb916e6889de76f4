//! HTTP fetching of key documents from configuration-trusted origins only. Each source gets its
//! own client whose redirect policy knows that source's origins, so a compromised or
//! misconfigured server cannot bounce us to a host that would then be trusted for keys.

use super::jwks::KeySet;
use super::keys::KeyFetcher;
use super::origin::{is_loopback_origin, origin_of};
use futures_util::future::BoxFuture;
use reqwest::redirect::{Attempt, Policy};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::{Origin, Url};

/// Real key documents are a few KiB; the cap keeps a hostile or broken server from making us
/// buffer without bound.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
const MAX_REDIRECTS: usize = 3;

/// Why a fetch failed. Safe to log; carries no response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchError {
    Untrusted,
    Redirect,
    Timeout,
    Connect,
    Transport,
    Status(u16),
    TooLarge,
    NotJson,
    Document(&'static str),
    NoClient,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Untrusted => f.write_str("the URL is not on a trusted origin"),
            Self::Redirect => f.write_str("redirected to an untrusted origin or too often"),
            Self::Timeout => f.write_str("timed out"),
            Self::Connect => f.write_str("could not connect"),
            Self::Transport => f.write_str("the HTTP exchange failed"),
            Self::Status(status) => write!(f, "answered HTTP {status}"),
            Self::TooLarge => write!(f, "the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
            Self::NotJson => f.write_str("the document is not JSON"),
            Self::Document(reason) => f.write_str(reason),
            Self::NoClient => f.write_str("the HTTP client could not be created"),
        }
    }
}

/// A GET-JSON client bound to a fixed set of origins.
pub(crate) struct TrustedFetch {
    client: Option<reqwest::Client>,
    allowed: Arc<Vec<Origin>>,
}

impl TrustedFetch {
    pub(crate) fn new(allowed: Vec<Origin>, timeout: Duration) -> Self {
        let allowed = Arc::new(allowed);
        let for_policy = allowed.clone();
        let policy = Policy::custom(move |attempt: Attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if origin_of(attempt.url()).is_some_and(|o| for_policy.contains(&o)) {
                attempt.follow()
            } else {
                attempt.error("redirect to an untrusted origin")
            }
        });
        let mut builder = reqwest::Client::builder()
            .redirect(policy)
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("vmr-scheduler/", env!("CARGO_PKG_VERSION")));
        // A proxy cannot reach our own loopback interface (only tests use loopback sources).
        if allowed.iter().all(is_loopback_origin) {
            builder = builder.no_proxy();
        }
        let client = builder
            .build()
            .map_err(
                |error| tracing::error!(%error, "cannot create the HTTP client for key documents"),
            )
            .ok();
        Self { client, allowed }
    }

    pub(crate) async fn get_json(&self, url: &Url) -> Result<Value, FetchError> {
        let client = self.client.as_ref().ok_or(FetchError::NoClient)?;
        if !origin_of(url).is_some_and(|o| self.allowed.contains(&o)) {
            return Err(FetchError::Untrusted);
        }
        let mut response = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(classify)?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)
    }
}

fn classify(error: reqwest::Error) -> FetchError {
    tracing::debug!(?error, "key document request failed");
    if error.is_redirect() {
        FetchError::Redirect
    } else if error.is_timeout() {
        FetchError::Timeout
    } else if error.is_connect() {
        FetchError::Connect
    } else {
        FetchError::Transport
    }
}

/// The three kinds of remote key documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentKind {
    /// OpenID Connect discovery document whose `jwks_uri` names the JWKS.
    OpenIdMetadata,
    Jwks,
    /// Exchange auth-metadata document with embedded certificates.
    ExchangeMetadata,
}

/// A remote key source: where the document is and how to read it.
pub(crate) struct RemoteKeys {
    kind: DocumentKind,
    url: Url,
    http: TrustedFetch,
}

impl RemoteKeys {
    /// Only the document's own origin is trusted, for redirects and for `jwks_uri` alike.
    pub(crate) fn new(kind: DocumentKind, url: Url, timeout: Duration) -> Self {
        let allowed = origin_of(&url).into_iter().collect();
        Self {
            kind,
            http: TrustedFetch::new(allowed, timeout),
            url,
        }
    }

    async fn load(&self) -> Result<KeySet, FetchError> {
        let document = self.http.get_json(&self.url).await?;
        let keys = match self.kind {
            DocumentKind::Jwks => KeySet::from_jwks(&document),
            DocumentKind::ExchangeMetadata => KeySet::from_exchange_metadata(&document),
            DocumentKind::OpenIdMetadata => {
                let jwks_uri = jwks_uri(&document, &self.url)?;
                KeySet::from_jwks(&self.http.get_json(&jwks_uri).await?)
            }
        };
        keys.map_err(|error| FetchError::Document(error.0))
    }
}

/// The metadata's `jwks_uri`, which must stay on the metadata's origin: otherwise whoever can
/// edit that document (or inject into it) could point us at keys they control.
pub(crate) fn jwks_uri(metadata: &Value, metadata_url: &Url) -> Result<Url, FetchError> {
    let text = metadata
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or(FetchError::Document("the OpenID metadata has no jwks_uri"))?;
    let url = Url::parse(text).map_err(|_| FetchError::Document("jwks_uri is not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Document("jwks_uri contains credentials"));
    }
    if origin_of(&url).is_none() || origin_of(&url) != origin_of(metadata_url) {
        return Err(FetchError::Document(
            "jwks_uri is not on the same origin as the OpenID metadata",
        ));
    }
    Ok(url)
}

impl KeyFetcher for RemoteKeys {
    fn fetch(&self) -> BoxFuture<'_, Result<KeySet, FetchError>> {
        Box::pin(self.load())
    }

    fn source(&self) -> &str {
        self.url.as_str()
    }
}
