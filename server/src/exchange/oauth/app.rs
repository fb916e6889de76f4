//! App-only tokens (OAuth client credentials): the application acts on the resource's mailbox
//! through impersonation, with no account to sign in.

use super::cache::TokenCache;
use super::{request_token, OAuthEndpoint, OAuthError};
use crate::config::Secret;
use crate::exchange::ews::{AccessTokenSource, EwsError};
use futures_util::future::BoxFuture;
use time::OffsetDateTime;

pub struct AppTokenSource {
    http: reqwest::Client,
    endpoint: OAuthEndpoint,
    client_secret: Secret,
    cache: TokenCache,
}

impl AppTokenSource {
    pub fn new(http: reqwest::Client, endpoint: OAuthEndpoint, client_secret: Secret) -> Self {
        Self {
            http,
            endpoint,
            client_secret,
            cache: TokenCache::default(),
        }
    }

    pub async fn access_token(&self) -> Result<String, OAuthError> {
        let now = OffsetDateTime::now_utc();
        self.cache
            .get_or_renew(now, || async {
                let (target, value) = self.endpoint.app_target();
                request_token(
                    &self.http,
                    &self.endpoint,
                    &[
                        ("grant_type", "client_credentials"),
                        ("client_secret", self.client_secret.expose()),
                        (target, &value),
                    ],
                    now,
                )
                .await
            })
            .await
    }
}

impl AccessTokenSource for AppTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<String, EwsError>> {
        Box::pin(async move { self.access_token().await.map_err(EwsError::from) })
    }

    fn invalidate(&self) {
        self.cache.invalidate();
    }
}
