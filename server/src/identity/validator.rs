//! The entry point: one [`TokenValidator`] per integration, shared by all request handlers.

use super::claims::numeric_date;
use super::entra::EntraValidator;
use super::exchange::ExchangeValidator;
use super::header::{TokenKind, UnverifiedToken, MAX_TOKEN_BYTES};
use super::reject::{RejectReason, Rejection};
use super::settings::AuthSettings;
use super::verified_cache::{digest, VerifiedTokens};
use crate::domain::UserIdentity;
use std::time::Instant;

/// Validates Office identity tokens for one integration. Key caches live inside, so build it
/// once at start-up and share it (it is `Send + Sync`; wrap it in an `Arc`).
pub struct TokenValidator {
    entra: Option<EntraValidator>,
    exchange: Option<ExchangeValidator>,
    leeway_seconds: i64,
    verified: VerifiedTokens,
}

impl TokenValidator {
    pub fn new(settings: AuthSettings) -> Self {
        if settings.allow_http_loopback {
            tracing::warn!("insecure_allow_http_loopback is on: key documents may be fetched over plain HTTP from this machine");
        }
        Self {
            entra: settings
                .entra
                .clone()
                .map(|entra| EntraValidator::new(entra, &settings)),
            exchange: settings
                .exchange
                .clone()
                .map(|exchange| ExchangeValidator::new(exchange, &settings)),
            leeway_seconds: settings.leeway_seconds,
            verified: VerifiedTokens::default(),
        }
    }

    /// Checks `token` at `now_unix` (seconds since 1970) and says who sent it.
    pub async fn validate(&self, token: &str, now_unix: i64) -> Result<UserIdentity, Rejection> {
        let now = Instant::now();
        let digest = (token.len() <= MAX_TOKEN_BYTES).then(|| digest(token));
        if let Some(identity) = digest
            .as_ref()
            .and_then(|d| self.verified.get(d, now_unix, now))
        {
            return Ok(identity);
        }
        let mut kind = None;
        let result = self
            .check(token, now_unix, &mut kind)
            .await
            .map(|(identity, exp)| {
                if let Some(digest) = digest {
                    let valid_until = exp.saturating_add(self.leeway_seconds).saturating_sub(1);
                    self.verified
                        .insert(digest, identity.clone(), valid_until, now_unix, now);
                }
                identity
            });
        let kind = kind.map(TokenKind::as_str);
        // Only the outcome and fixed facts: tokens and claims stay out of logs.
        match &result {
            Ok(_) => tracing::debug!(kind, "token accepted"),
            Err(rejection) => {
                tracing::debug!(kind, reason = rejection.reason.code(), "token rejected")
            }
        }
        result
    }

    async fn check(
        &self,
        token: &str,
        now_unix: i64,
        kind: &mut Option<TokenKind>,
    ) -> Result<(UserIdentity, i64), Rejection> {
        let token = UnverifiedToken::parse(token)?;
        *kind = Some(token.kind());
        let now = Instant::now();
        let identity = match (token.kind(), &self.entra, &self.exchange) {
            (TokenKind::Entra, Some(entra), _) => entra.validate(&token, now_unix, now).await,
            (TokenKind::Exchange, _, Some(exchange)) => {
                exchange.validate(&token, now_unix, now).await
            }
            (TokenKind::Entra, None, _) => Err(not_enabled(
                "Entra ID (Microsoft 365) sign-in is not enabled for this add-in",
            )),
            (TokenKind::Exchange, _, None) => Err(not_enabled(
                "Exchange identity tokens are not enabled for this add-in",
            )),
        }?;
        // Validation has checked that `exp` is present and a time.
        let exp = token
            .claims
            .get("exp")
            .and_then(numeric_date)
            .unwrap_or(i64::MIN);
        Ok((identity, exp))
    }
}

fn not_enabled(detail: &str) -> Rejection {
    Rejection::new(RejectReason::TokenKindNotEnabled, detail)
}

/// Extracts the token from an `Authorization: Bearer <token>` header value. The scheme is
/// case-insensitive (RFC 9110 §11.1); the token itself must not contain spaces.
pub fn bearer_token(authorization_header: Option<&str>) -> Result<&str, Rejection> {
    let header = authorization_header.map(str::trim).unwrap_or_default();
    if header.is_empty() {
        return Err(Rejection::new(
            RejectReason::Missing,
            "sign-in is required: no Authorization header",
        ));
    }
    let malformed =
        || Rejection::malformed("the Authorization header is not of the form `Bearer <token>`");
    let (scheme, token) = header
        .split_once(char::is_whitespace)
        .ok_or_else(malformed)?;
    let token = token.trim_start();
    if !scheme.eq_ignore_ascii_case("bearer")
        || token.is_empty()
        || token.contains(char::is_whitespace)
    {
        return Err(malformed());
    }
    Ok(token)
}
