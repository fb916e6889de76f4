//! One access token kept until shortly before it expires; concurrent callers wait for the one
//! renewal in flight instead of each asking the identity platform.

use super::{OAuthError, TokenGrant, RENEW_BEFORE_EXPIRY};
use crate::config::Secret;
use std::future::Future;
use time::OffsetDateTime;

#[derive(Default)]
pub struct TokenCache {
    slot: tokio::sync::Mutex<Option<(Secret, OffsetDateTime)>>,
}

impl TokenCache {
    pub async fn get_or_renew<F, Fut>(
        &self,
        now: OffsetDateTime,
        renew: F,
    ) -> Result<String, OAuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenGrant, OAuthError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((token, expires_at)) = slot.as_ref() {
            if now + RENEW_BEFORE_EXPIRY < *expires_at {
                return Ok(token.expose().to_string());
            }
        }
        *slot = None;
        let grant = renew().await?;
        let token = grant.access_token.expose().to_string();
        *slot = Some((grant.access_token, grant.expires_at));
        Ok(token)
    }

    /// Exchange refused the token: the next call renews it. A renewal in flight already
    /// brings a new one, so a busy slot is left alone.
    pub fn invalidate(&self) {
        if let Ok(mut slot) = self.slot.try_lock() {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn grant(token: &str, expires_at: OffsetDateTime) -> TokenGrant {
        TokenGrant {
            access_token: Secret::new(token.into()),
            expires_at,
            refresh_token: None,
            account: None,
        }
    }

    #[tokio::test]
    async fn a_token_is_reused_until_shortly_before_it_expires() {
        let cache = TokenCache::default();
        let renewals = AtomicU32::new(0);
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let expires = t0 + time::Duration::hours(1);
        let renew = |name: &'static str| {
            let renewals = &renewals;
            move || async move {
                renewals.fetch_add(1, Ordering::SeqCst);
                Ok(grant(name, expires))
            }
        };
        assert_eq!(
            cache.get_or_renew(t0, renew("first")).await.unwrap(),
            "first"
        );
        let later = t0 + time::Duration::minutes(50);
        assert_eq!(
            cache.get_or_renew(later, renew("second")).await.unwrap(),
            "first"
        );
        let near_expiry = t0 + time::Duration::minutes(56);
        assert_eq!(
            cache
                .get_or_renew(near_expiry, renew("third"))
                .await
                .unwrap(),
            "third"
        );
        assert_eq!(renewals.load(Ordering::SeqCst), 2);
        cache.invalidate();
        assert_eq!(
            cache.get_or_renew(t0, renew("fourth")).await.unwrap(),
            "fourth"
        );
    }

    #[tokio::test]
    async fn a_failed_renewal_leaves_no_token_behind() {
        let cache = TokenCache::default();
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let result = cache
            .get_or_renew(t0, || async {
                Err(OAuthError::Unavailable {
                    detail: "down".into(),
                })
            })
            .await;
        assert!(result.is_err());
        let token = cache
            .get_or_renew(t0, || async {
                Ok(grant("fresh", t0 + time::Duration::hours(1)))
            })
            .await;
        assert_eq!(token.unwrap(), "fresh");
    }
}
