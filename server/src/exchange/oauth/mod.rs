//! OAuth for EWS: app-only tokens (client credentials, for Exchange Online with impersonation)
//! and a delegated service account that an admin signs in once (authorization code with PKCE),
//! whose refresh token is kept sealed in storage and renewed before the access token expires.

mod app;
mod cache;
mod delegated;
mod endpoint;
mod error;
mod grant;
pub mod sealing;
pub mod sign_in;

pub use app::AppTokenSource;
pub use delegated::{AccountState, DelegatedTokenSource};
pub use endpoint::OAuthEndpoint;
pub use error::OAuthError;
pub use grant::{request_token, TokenGrant};

use crate::config::{ExchangeAuth, ExchangeSettings};
use crate::domain::IntegrationId;
use crate::exchange::ews::AccessTokenSource;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// An access token is renewed this long before it expires, so no call goes out with a token
/// that dies in flight.
pub const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// The access tokens of an integration's EWS connection.
#[derive(Clone)]
pub enum ExchangeTokens {
    /// Basic authentication: no tokens.
    None,
    App(Arc<AppTokenSource>),
    /// Shared by the worker and the sign-in routes.
    Delegated(Arc<DelegatedTokenSource>),
}

impl ExchangeTokens {
    pub fn source(&self) -> Option<Arc<dyn AccessTokenSource>> {
        match self {
            Self::None => None,
            Self::App(source) => Some(source.clone()),
            Self::Delegated(source) => Some(source.clone()),
        }
    }
}

/// The token source for an integration's OAuth settings.
pub fn token_source(
    integration: &IntegrationId,
    settings: &ExchangeSettings,
    store: &Store,
) -> Result<ExchangeTokens, String> {
    let http = http_client(settings.timeout)?;
    Ok(match &settings.auth {
        ExchangeAuth::Basic { .. } => ExchangeTokens::None,
        ExchangeAuth::OAuthApp { client_secret, .. } => {
            let endpoint = OAuthEndpoint::for_settings(settings).expect("OAuth settings");
            ExchangeTokens::App(Arc::new(AppTokenSource::new(
                http,
                endpoint,
                client_secret.clone(),
            )))
        }
        ExchangeAuth::OAuthDelegated {
            token_encryption_key,
            client_secret,
            ..
        } => {
            let endpoint = OAuthEndpoint::for_settings(settings).expect("OAuth settings");
            ExchangeTokens::Delegated(Arc::new(DelegatedTokenSource::new(
                http,
                endpoint,
                integration.clone(),
                store.clone(),
                sealing::Sealer::new(token_encryption_key.expose()),
                client_secret.clone(),
            )))
        }
    })
}

/// Token requests never follow redirects: the token endpoint answers itself or fails.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("vmr-scheduler/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| format!("cannot build the HTTP client for OAuth: {error}"))
}

pub(crate) fn unix_millis(at: time::OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
