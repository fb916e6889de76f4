//! The key cache's timing rules, with a scripted fetcher and synthetic clock readings.

use super::support::*;
use crate::identity::fetch::FetchError;
use crate::identity::jwks::{KeyId, KeySet};
use crate::identity::keys::{KeyCache, KeyFetcher, MAX_AGE, MAX_STALE};
use crate::identity::RejectReason;
use futures_util::future::{join_all, BoxFuture};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_secs(300);

/// Serves whichever keys (or failure) the test last chose, counting calls.
#[derive(Clone, Default)]
struct Script {
    calls: Arc<AtomicU32>,
    serve: Arc<Mutex<Option<Vec<usize>>>>,
    delay: Arc<Mutex<Duration>>,
}

impl Script {
    fn serving(keys: &[usize]) -> Self {
        let script = Self::default();
        script.set(Some(keys));
        script
    }

    fn set(&self, keys: Option<&[usize]>) {
        *self.serve.lock().expect("lock") = keys.map(<[usize]>::to_vec);
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }

    fn cache(&self, timeout: Duration) -> Arc<KeyCache> {
        Arc::new(KeyCache::new(Box::new(self.clone()), INTERVAL, timeout))
    }
}

impl KeyFetcher for Script {
    fn fetch(&self) -> BoxFuture<'_, Result<KeySet, FetchError>> {
        Box::pin(async move {
            let delay = *self.delay.lock().expect("lock");
            tokio::time::sleep(delay).await;
            self.calls.fetch_add(1, Ordering::SeqCst);
            let serve = self.serve.lock().expect("lock").clone();
            let keys: Vec<&TestKey> = serve
                .ok_or(FetchError::Status(500))?
                .into_iter()
                .map(key)
                .collect();
            KeySet::from_jwks(&jwks(&keys, None)).map_err(|e| FetchError::Document(e.0))
        })
    }

    fn source(&self) -> &str {
        "script"
    }
}

fn kid(index: usize) -> KeyId<'static> {
    KeyId::Kid(&key(index).kid)
}

async fn reason(cache: &KeyCache, index: usize, at: Instant) -> RejectReason {
    cache
        .get(kid(index), at)
        .await
        .expect_err("should fail")
        .reason
}

#[tokio::test]
async fn keys_are_fetched_lazily_once_and_refreshed_daily() {
    let script = Script::serving(&[0]);
    let cache = script.cache(Duration::from_secs(5));
    assert_eq!(script.calls(), 0);
    let t0 = Instant::now();
    assert!(cache.get(kid(0), t0).await.is_ok());
    assert!(cache
        .get(kid(0), t0 + MAX_AGE - Duration::from_secs(1))
        .await
        .is_ok());
    assert_eq!(script.calls(), 1);
    assert!(cache.get(kid(0), t0 + MAX_AGE).await.is_ok());
    assert_eq!(script.calls(), 2);
    // x5t selects the same key (Entra's kid and x5t agree).
    assert!(cache
        .get(KeyId::X5t(&key(0).kid), t0 + MAX_AGE)
        .await
        .is_ok());
}

#[tokio::test]
async fn unknown_keys_refetch_at_most_once_per_interval() {
    let script = Script::serving(&[0]);
    let cache = script.cache(Duration::from_secs(5));
    let t0 = Instant::now();
    // The first fetch does not count as a refetch: a rotated key right after it is still found.
    assert!(cache.get(kid(0), t0).await.is_ok());
    script.set(Some(&[0, 1]));
    assert!(cache.get(kid(1), t0).await.is_ok());
    assert_eq!(script.calls(), 2);
    // Now an unknown key may not trigger another fetch until the interval has passed.
    assert_eq!(
        reason(&cache, 2, t0 + Duration::from_secs(1)).await,
        RejectReason::UnknownKey
    );
    assert_eq!(
        reason(&cache, 2, t0 + INTERVAL - Duration::from_secs(1)).await,
        RejectReason::UnknownKey
    );
    assert_eq!(script.calls(), 2);
    assert_eq!(
        reason(&cache, 2, t0 + INTERVAL).await,
        RejectReason::UnknownKey
    );
    assert_eq!(script.calls(), 3);
    // A lazy first fetch that lacks the key does not refetch straight away.
    let fresh = Script::serving(&[0]);
    let cache = fresh.cache(Duration::from_secs(5));
    assert_eq!(reason(&cache, 2, t0).await, RejectReason::UnknownKey);
    assert_eq!(fresh.calls(), 1);
}

#[tokio::test]
async fn concurrent_lookups_share_one_fetch() {
    let script = Script::serving(&[0]);
    *script.delay.lock().expect("lock") = Duration::from_millis(100);
    let cache = script.cache(Duration::from_secs(5));
    let t0 = Instant::now();
    let lookups = (0..32).map(|_| {
        let cache = cache.clone();
        tokio::spawn(async move { cache.get(kid(0), t0).await.is_ok() })
    });
    assert!(join_all(lookups)
        .await
        .into_iter()
        .all(|r| r.expect("task")));
    assert_eq!(script.calls(), 1);

    // Waiters of a failing fetch share its failure instead of retrying one after another.
    let failing = Script::default();
    *failing.delay.lock().expect("lock") = Duration::from_millis(100);
    let cache = failing.cache(Duration::from_secs(5));
    let lookups = (0..16).map(|_| {
        let cache = cache.clone();
        tokio::spawn(async move { cache.get(kid(0), t0).await.map_err(|r| r.reason) })
    });
    for result in join_all(lookups).await {
        assert_eq!(
            result.expect("task").unwrap_err(),
            RejectReason::KeySourceUnavailable
        );
    }
    assert_eq!(failing.calls(), 1);
}

#[tokio::test]
async fn outages_fail_closed_until_keys_are_held_then_serve_stale_keys() {
    let script = Script::default();
    let cache = script.cache(Duration::from_secs(5));
    let t0 = Instant::now();
    assert_eq!(
        reason(&cache, 0, t0).await,
        RejectReason::KeySourceUnavailable
    );
    // A later request tries again at once (no keys to fall back on).
    script.set(Some(&[0]));
    assert!(cache.get(kid(0), t0).await.is_ok());
    assert_eq!(script.calls(), 2);

    script.set(None);
    let stale = t0 + MAX_AGE + Duration::from_secs(1);
    assert!(
        cache.get(kid(0), stale).await.is_ok(),
        "stale key serves when refresh fails"
    );
    assert_eq!(script.calls(), 3);
    assert!(cache
        .get(kid(0), stale + Duration::from_secs(1))
        .await
        .is_ok());
    assert_eq!(script.calls(), 3, "no new attempt right after a failure");
    assert!(cache
        .get(kid(0), stale + Duration::from_secs(61))
        .await
        .is_ok());
    assert_eq!(script.calls(), 4);
    assert_eq!(
        reason(&cache, 1, stale + Duration::from_secs(62)).await,
        RejectReason::KeySourceUnavailable
    );
    assert_eq!(
        reason(&cache, 0, t0 + MAX_STALE).await,
        RejectReason::KeySourceUnavailable
    );
}

#[tokio::test]
async fn a_hanging_source_times_out() {
    let script = Script::serving(&[0]);
    *script.delay.lock().expect("lock") = Duration::from_secs(30);
    let cache = script.cache(Duration::from_millis(50));
    let started = Instant::now();
    assert_eq!(
        reason(&cache, 0, started).await,
        RejectReason::KeySourceUnavailable
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
