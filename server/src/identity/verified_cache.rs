//! Tokens already verified, so the add-in's repeated calls with the same token (Office reuses
//! a token for its whole lifetime) cost a hash and a map look-up instead of an RSA check.
//!
//! Keyed by the SHA-256 of the whole token, so only the exact bytes that were verified hit.
//! An entry lives until the token's `exp` (plus leeway) but at most [`MAX_AGE`], so a key the
//! issuer withdraws stops being honoured within that time. Rejections are never cached.

use crate::domain::UserIdentity;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) const MAX_AGE: Duration = Duration::from_secs(300);
const MAX_ENTRIES: usize = 20_000;

struct Entry {
    identity: UserIdentity,
    /// Last second (Unix) at which the token is still acceptable: `exp` + leeway.
    valid_until_unix: i64,
    stored: Instant,
}

#[derive(Default)]
pub(crate) struct VerifiedTokens {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

pub(crate) type TokenDigest = [u8; 32];

pub(crate) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

impl VerifiedTokens {
    pub(crate) fn get(
        &self,
        digest: &TokenDigest,
        now_unix: i64,
        now: Instant,
    ) -> Option<UserIdentity> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = entries
            .get(digest)
            .map(|e| now_unix <= e.valid_until_unix && now.duration_since(e.stored) < MAX_AGE)?;
        if fresh {
            entries.get(digest).map(|e| e.identity.clone())
        } else {
            entries.remove(digest);
            None
        }
    }

    pub(crate) fn insert(
        &self,
        digest: TokenDigest,
        identity: UserIdentity,
        valid_until_unix: i64,
        now_unix: i64,
        now: Instant,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| {
                now_unix <= e.valid_until_unix && now.duration_since(e.stored) < MAX_AGE
            });
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            digest,
            Entry {
                identity,
                valid_until_unix,
                stored: now,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserIdentity {
        UserIdentity::Exchange {
            msexchuid: "u".into(),
            amurl: "https://mail.example.com/autodiscover/metadata/json/1".into(),
        }
    }

    #[test]
    fn hits_only_the_same_token_until_it_expires_or_ages_out() {
        let cache = VerifiedTokens::default();
        let start = Instant::now();
        cache.insert(digest("a.b.c"), user(), 1_000, 900, start);
        assert_eq!(cache.get(&digest("a.b.c"), 950, start), Some(user()));
        assert_eq!(
            cache.get(&digest("a.b.d"), 950, start),
            None,
            "other bytes never hit"
        );
        assert_eq!(
            cache.get(&digest("a.b.c"), 1_001, start),
            None,
            "past exp + leeway"
        );
        assert_eq!(
            cache.get(&digest("a.b.c"), 950, start),
            None,
            "an expired entry is removed"
        );
        cache.insert(digest("a.b.c"), user(), 10_000, 900, start);
        assert_eq!(
            cache.get(&digest("a.b.c"), 950, start + MAX_AGE),
            None,
            "aged out"
        );
    }

    #[test]
    fn stays_bounded() {
        let cache = VerifiedTokens::default();
        let now = Instant::now();
        for n in 0..(MAX_ENTRIES + 10) {
            cache.insert(digest(&n.to_string()), user(), 10_000, 0, now);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
