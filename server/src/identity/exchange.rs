//! Legacy Exchange user identity tokens (`getUserIdentityTokenAsync`), still issued by Exchange
//! Server on-premises. The signing certificate comes from the auth-metadata document the token
//! itself points at (`appctx.amurl`), so that URL is the trust anchor: it must be on a
//! configured origin before we fetch anything, or any Exchange server in the world could mint
//! tokens for us.

use super::claims::{check_audience, check_lifetime, required_str, Claims};
use super::fetch::{DocumentKind, RemoteKeys};
use super::header::UnverifiedToken;
use super::jwks::KeyId;
use super::keys::{KeyCache, KeySource};
use super::origin::{check_fetch_url, origin_of};
use super::reject::{RejectReason, Rejection};
use super::settings::{AuthSettings, ExchangeSettings};
use crate::domain::UserIdentity;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use url::Url;

const TOKEN_VERSION: &str = "ExIdTok.V1";
/// The one path Exchange serves its auth metadata on. Accepting only this path bounds the number
/// of key caches (one per trusted origin) and keeps token senders from making us request
/// arbitrary pages on a trusted server.
const METADATA_PATH: &str = "/autodiscover/metadata/json/1";
/// The Exchange service principal; `iss` is `<this>@<realm>`.
const EXCHANGE_PRINCIPAL: &str = "00000002-0000-0ff1-ce00-000000000000@";

pub(crate) struct ExchangeValidator {
    settings: ExchangeSettings,
    leeway: i64,
    allow_http_loopback: bool,
    fetch_timeout: Duration,
    refetch_interval: Duration,
    /// Keyed by canonical metadata URL; at most one entry per trusted origin.
    caches: Mutex<HashMap<String, Arc<KeySource>>>,
}

/// The app context Exchange embeds, usually as a JSON string inside the JSON payload.
struct AppContext {
    version: String,
    amurl: String,
    msexchuid: String,
}

impl ExchangeValidator {
    pub(crate) fn new(settings: ExchangeSettings, auth: &AuthSettings) -> Self {
        Self {
            settings,
            leeway: auth.leeway_seconds,
            allow_http_loopback: auth.allow_http_loopback,
            fetch_timeout: auth.fetch_timeout,
            refetch_interval: auth.key_refresh_min_interval,
            caches: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) async fn validate(
        &self,
        token: &UnverifiedToken<'_>,
        now_unix: i64,
        now: Instant,
    ) -> Result<UserIdentity, Rejection> {
        let x5t = token
            .header
            .x5t
            .as_deref()
            .ok_or_else(|| Rejection::malformed("the token header has no x5t"))?;
        let context = app_context(&token.claims)?;
        if context.version != TOKEN_VERSION {
            return Err(Rejection::new(
                RejectReason::WrongTokenVersion,
                "only Exchange identity tokens of version ExIdTok.V1 are accepted",
            ));
        }
        // Only a comparison with configuration, so it may use the unverified claim.
        let metadata_url = self.trusted_metadata_url(&context.amurl)?;
        check_lifetime(&token.claims, now_unix, self.leeway)?;
        let key = self
            .cache_for(&metadata_url)
            .get(KeyId::X5t(x5t), now)
            .await?;
        token.verify(&key.key)?;

        // From here on the claims are authentic.
        check_issuer(&token.claims)?;
        check_audience(&token.claims, &self.settings.audiences)?;
        if context.msexchuid.is_empty() {
            return Err(Rejection::malformed("the token has no msexchuid"));
        }
        Ok(UserIdentity::Exchange {
            msexchuid: context.msexchuid,
            amurl: metadata_url.to_string(),
        })
    }

    /// Returns `amurl` in canonical form if it is the metadata document of a trusted origin.
    pub(crate) fn trusted_metadata_url(&self, amurl: &str) -> Result<Url, Rejection> {
        let untrusted = || {
            Rejection::new(
                RejectReason::UntrustedMetadataUrl,
                "the token comes from an Exchange server this service does not trust",
            )
        };
        let url = Url::parse(amurl).map_err(|_| untrusted())?;
        check_fetch_url(&url, self.allow_http_loopback).map_err(|_| untrusted())?;
        let origin = origin_of(&url).ok_or_else(untrusted)?;
        if url.query().is_some()
            || !url.path().eq_ignore_ascii_case(METADATA_PATH)
            || !self.settings.trusted_origins.contains(&origin)
        {
            return Err(untrusted());
        }
        Url::parse(&format!("{}{METADATA_PATH}", origin.ascii_serialization()))
            .map_err(|_| untrusted())
    }

    fn cache_for(&self, metadata_url: &Url) -> Arc<KeySource> {
        let mut caches = self.caches.lock().unwrap_or_else(PoisonError::into_inner);
        caches
            .entry(metadata_url.to_string())
            .or_insert_with(|| {
                let fetcher = RemoteKeys::new(
                    DocumentKind::ExchangeMetadata,
                    metadata_url.clone(),
                    self.fetch_timeout,
                );
                Arc::new(KeySource::Cached(KeyCache::new(
                    Box::new(fetcher),
                    self.refetch_interval,
                    self.fetch_timeout,
                )))
            })
            .clone()
    }
}

/// `appctx` is documented as an object but sent as a JSON-encoded string; accept both.
fn app_context(claims: &Claims) -> Result<AppContext, Rejection> {
    let bad = || Rejection::malformed("the token's appctx claim is not a valid app context");
    let parsed;
    let object = match claims.get("appctx") {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|_| bad())?;
            parsed.as_object().ok_or_else(bad)?
        }
        Some(Value::Object(object)) => object,
        _ => return Err(bad()),
    };
    let field = |name: &str| match object.get(name) {
        Some(Value::String(value)) => Ok(value.clone()),
        _ => Err(bad()),
    };
    Ok(AppContext {
        version: field("version")?,
        amurl: field("amurl")?,
        msexchuid: field("msexchuid")?,
    })
}

fn check_issuer(claims: &Claims) -> Result<(), Rejection> {
    let iss = required_str(claims, "iss", "the token has no issuer")
        .map_err(|r| Rejection::new(RejectReason::WrongIssuer, r.detail))?;
    match iss.strip_prefix(EXCHANGE_PRINCIPAL) {
        Some(realm) if !realm.is_empty() => Ok(()),
        _ => Err(Rejection::new(
            RejectReason::WrongIssuer,
            "the token was not issued by an Exchange server",
        )),
    }
}
