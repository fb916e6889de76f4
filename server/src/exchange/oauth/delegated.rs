//! The service account an admin signed in once: its refresh token is opened from storage,
//! redeemed for access tokens before they expire, and a rotated one saved. When the identity
//! platform refuses it (password changed, MFA now required, revoked), the account is marked as
//! needing a new sign-in and no further requests are made until an admin signs in again.

use super::cache::TokenCache;
use super::sealing::Sealer;
use super::sign_in::{self, SignInError};
use super::{request_token, OAuthEndpoint, OAuthError, TokenGrant};
use crate::domain::IntegrationId;
use crate::exchange::ews::{AccessTokenSource, EwsError};
use crate::store::{ExchangeAccount, Store};
use futures_util::future::BoxFuture;
use time::OffsetDateTime;

/// Where an integration's delegated sign-in stands, for `status` and the admin route.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AccountState {
    NotSignedIn,
    SignedIn {
        account: Option<String>,
        signed_in_at: i64,
        refreshed_at: Option<i64>,
    },
    SignInRequired {
        account: Option<String>,
        reason: String,
        since: Option<i64>,
    },
}

impl AccountState {
    pub fn of(account: Option<&ExchangeAccount>) -> Self {
        match account {
            None => Self::NotSignedIn,
            Some(stored) => match &stored.sign_in_required {
                Some(reason) => Self::SignInRequired {
                    account: stored.account.clone(),
                    reason: reason.clone(),
                    since: stored.sign_in_required_at,
                },
                None => Self::SignedIn {
                    account: stored.account.clone(),
                    signed_in_at: stored.signed_in_at,
                    refreshed_at: stored.refreshed_at,
                },
            },
        }
    }
}

/// What the sealed refresh token is bound to, so it cannot be moved to another integration.
pub fn refresh_token_context(integration: &IntegrationId) -> String {
    format!("exchange refresh token:{integration}")
}

pub struct DelegatedTokenSource {
    http: reqwest::Client,
    endpoint: OAuthEndpoint,
    integration: IntegrationId,
    store: Store,
    sealer: Sealer,
    client_secret: Option<crate::config::Secret>,
    cache: TokenCache,
}

impl DelegatedTokenSource {
    pub fn new(
        http: reqwest::Client,
        endpoint: OAuthEndpoint,
        integration: IntegrationId,
        store: Store,
        sealer: Sealer,
        client_secret: Option<crate::config::Secret>,
    ) -> Self {
        Self {
            http,
            endpoint,
            integration,
            store,
            sealer,
            client_secret,
            cache: TokenCache::default(),
        }
    }

    pub fn integration(&self) -> &IntegrationId {
        &self.integration
    }

    /// Where the admin's browser goes to sign the service account in, and the cookie that
    /// binds the sign-in to that browser.
    pub fn start_sign_in(&self, redirect_uri: &str, now: OffsetDateTime) -> sign_in::Started {
        sign_in::start(
            &self.endpoint,
            &self.integration,
            &self.sealer,
            redirect_uri,
            now,
        )
    }

    /// Completes the sign-in the redirect answers: redeems the code, stores the sealed refresh
    /// token (replacing an earlier sign-in) and drops any cached access token. Gives the
    /// account's name when the identity platform told it.
    pub async fn complete_sign_in(
        &self,
        cookie_value: Option<&str>,
        redirect: &sign_in::RedirectQuery,
        redirect_uri: &str,
        now: OffsetDateTime,
    ) -> Result<Option<String>, SignInError> {
        let (code, verifier) =
            sign_in::verify(&self.integration, &self.sealer, cookie_value, redirect, now)?;
        let (target, value) = self.endpoint.delegated_target();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.as_str()),
            (target, value.as_str()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let grant = request_token(&self.http, &self.endpoint, &form, now).await?;
        let refresh_token = grant
            .refresh_token
            .as_ref()
            .ok_or(SignInError::NoRefreshToken)?;
        let sealed = self.sealer.seal(
            &refresh_token_context(&self.integration),
            refresh_token.expose().as_bytes(),
        );
        self.store
            .save_exchange_sign_in(
                &self.integration,
                &sealed,
                grant.account.as_deref(),
                super::unix_millis(now),
            )
            .await
            .map_err(|error| SignInError::Storage(error.to_string()))?;
        self.cache.invalidate();
        tracing::info!(integration = %self.integration, account = ?grant.account,
            "the Exchange service account signed in");
        Ok(grant.account)
    }

    pub async fn access_token(&self) -> Result<String, OAuthError> {
        let now = OffsetDateTime::now_utc();
        self.cache.get_or_renew(now, || self.redeem(now)).await
    }

    async fn redeem(&self, now: OffsetDateTime) -> Result<TokenGrant, OAuthError> {
        let stored = self
            .store
            .exchange_account(&self.integration)
            .await
            .map_err(|error| OAuthError::Unavailable {
                detail: format!("cannot read the stored sign-in: {error}"),
            })?
            .ok_or_else(|| OAuthError::SignInRequired {
                reason: "no service account has signed in yet".into(),
            })?;
        if let Some(reason) = stored.sign_in_required {
            return Err(OAuthError::SignInRequired { reason });
        }
        let context = refresh_token_context(&self.integration);
        let refresh_token = match self.sealer.open(&context, &stored.sealed_refresh_token) {
            Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
            Err(_) => {
                let error = OAuthError::SignInRequired {
                    reason: "the stored sign-in does not open with the configured \
                             token_encryption_key (was the key changed?)"
                        .into(),
                };
                self.mark_sign_in_required(stored.signed_in_at, &error, now)
                    .await;
                return Err(error);
            }
        };
        let (target, value) = self.endpoint.delegated_target();
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
            (target, value.as_str()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        match request_token(&self.http, &self.endpoint, &form, now).await {
            Ok(grant) => {
                let rotated = grant
                    .refresh_token
                    .as_ref()
                    .filter(|token| token.expose() != refresh_token)
                    .map(|token| self.sealer.seal(&context, token.expose().as_bytes()));
                let saved = self
                    .store
                    .save_exchange_refresh(
                        &self.integration,
                        stored.signed_in_at,
                        rotated.as_deref(),
                        super::unix_millis(now),
                    )
                    .await;
                if let Err(error) = saved {
                    // The old refresh token stays valid: the next renewal uses it.
                    tracing::warn!(integration = %self.integration, %error,
                        "could not save the renewed Exchange sign-in");
                }
                Ok(grant)
            }
            Err(error @ OAuthError::SignInRequired { .. }) => {
                self.mark_sign_in_required(stored.signed_in_at, &error, now)
                    .await;
                Err(error)
            }
            Err(error) => Err(error),
        }
    }

    async fn mark_sign_in_required(
        &self,
        signed_in_at: i64,
        error: &OAuthError,
        now: OffsetDateTime,
    ) {
        let reason = match error {
            OAuthError::SignInRequired { reason } => reason.as_str(),
            _ => return,
        };
        tracing::error!(integration = %self.integration, reason,
            "the Exchange service account must sign in again");
        let marked = self
            .store
            .mark_exchange_sign_in_required(
                &self.integration,
                signed_in_at,
                reason,
                super::unix_millis(now),
            )
            .await;
        if let Err(error) = marked {
            tracing::warn!(integration = %self.integration, %error,
                "could not record that the service account must sign in again");
        }
    }
}

impl AccessTokenSource for DelegatedTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<String, EwsError>> {
        Box::pin(async move { self.access_token().await.map_err(EwsError::from) })
    }

    fn invalidate(&self) {
        self.cache.invalidate();
    }
}
