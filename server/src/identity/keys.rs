//! Verification keys per source, fetched lazily and kept fresh without letting token traffic
//! drive traffic to the identity provider:
//! - a key set older than [`MAX_AGE`] is refetched (Microsoft's advice: check daily);
//! - an unknown key id triggers at most one refetch per `min_refetch_interval`, because the
//!   key id is chosen by whoever sent the token;
//! - one fetch at a time per source: validations that wait for it share its outcome, success
//!   or failure, instead of fetching again;
//! - when a refetch fails, keys we already hold keep working for up to [`MAX_STALE`]; with
//!   nothing usable we fail closed with `key_source_unavailable`.

use super::fetch::FetchError;
use super::jwks::{KeyId, KeySet, TrustedKey};
use super::reject::{RejectReason, Rejection};
use futures_util::future::BoxFuture;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

pub(crate) const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// How long keys stay usable while their source cannot be reached. Long enough to ride out an
/// outage, short enough that a key the provider withdrew does not live on for weeks.
pub(crate) const MAX_STALE: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// While stale keys still serve, a failed refresh is retried after this long rather than on
/// every request, so an outage does not add a doomed fetch to each validation.
const STALE_RETRY: Duration = Duration::from_secs(60);

/// Loads a complete key set from somewhere; implemented by [`super::fetch::RemoteKeys`] and by
/// test doubles.
pub(crate) trait KeyFetcher: Send + Sync {
    fn fetch(&self) -> BoxFuture<'_, Result<KeySet, FetchError>>;
    /// The configured location, for logs.
    fn source(&self) -> &str;
}

/// Keys for one token issuer: fixed at start-up (a `jwks_file`) or fetched and cached.
pub(crate) enum KeySource {
    Fixed(Arc<KeySet>),
    Cached(KeyCache),
}

impl KeySource {
    pub(crate) async fn get(
        &self,
        id: KeyId<'_>,
        now: Instant,
    ) -> Result<Arc<TrustedKey>, Rejection> {
        match self {
            Self::Fixed(keys) => keys.get(id).ok_or_else(unknown_key),
            Self::Cached(cache) => cache.get(id, now).await,
        }
    }
}

#[derive(Clone)]
struct Snapshot {
    keys: Arc<KeySet>,
    fetched_at: Instant,
}

/// Fetch bookkeeping; its mutex is also what makes fetching single-flight.
#[derive(Default)]
struct Book {
    last_failure: Option<Instant>,
    last_miss_refetch: Option<Instant>,
}

pub(crate) struct KeyCache {
    fetcher: Box<dyn KeyFetcher>,
    min_refetch_interval: Duration,
    fetch_timeout: Duration,
    snapshot: RwLock<Option<Snapshot>>,
    /// Counts failed fetches, so a validation can tell that the fetch it waited for failed.
    failures: AtomicU64,
    book: tokio::sync::Mutex<Book>,
}

impl KeyCache {
    /// `fetch_timeout` bounds each request of a fetch.
    pub(crate) fn new(
        fetcher: Box<dyn KeyFetcher>,
        min_refetch_interval: Duration,
        fetch_timeout: Duration,
    ) -> Self {
        Self {
            fetcher,
            min_refetch_interval,
            fetch_timeout,
            snapshot: RwLock::new(None),
            failures: AtomicU64::new(0),
            book: tokio::sync::Mutex::new(Book::default()),
        }
    }

    pub(crate) async fn get(
        &self,
        id: KeyId<'_>,
        now: Instant,
    ) -> Result<Arc<TrustedKey>, Rejection> {
        let failures_seen = self.failures.load(Ordering::Acquire);
        // Fast path without the fetch lock: the common case is a fresh set that has the key.
        let current = self.current();
        if let Some(key) = fresh(current.as_ref(), now).and_then(|s| s.keys.get(id)) {
            return Ok(key);
        }

        let mut book = self.book.lock().await;
        // Whoever held the lock may have just fetched what we need, or failed to.
        let current = self.current();
        if let Some(set) = fresh(current.as_ref(), now) {
            if let Some(key) = set.keys.get(id) {
                return Ok(key);
            }
            let limited = book
                .last_miss_refetch
                .is_some_and(|at| since(at, now) < self.min_refetch_interval);
            if limited {
                return Err(unknown_key());
            }
            book.last_miss_refetch = Some(now);
        } else {
            if self.failures.load(Ordering::Acquire) != failures_seen {
                return stale_or_unavailable(current.as_ref(), id, now);
            }
            let failed_recently = book
                .last_failure
                .is_some_and(|at| since(at, now) < STALE_RETRY);
            if failed_recently && usable(current.as_ref(), now).is_some() {
                return stale_or_unavailable(current.as_ref(), id, now);
            }
        }

        match self.fetch().await {
            Ok(keys) => {
                book.last_failure = None;
                tracing::debug!(
                    source = self.fetcher.source(),
                    keys = keys.len(),
                    "key set fetched"
                );
                let keys = Arc::new(keys);
                let snapshot = Snapshot {
                    keys: keys.clone(),
                    fetched_at: now,
                };
                *self
                    .snapshot
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
                keys.get(id).ok_or_else(unknown_key)
            }
            Err(error) => {
                book.last_failure = Some(now);
                self.failures.fetch_add(1, Ordering::AcqRel);
                tracing::warn!(source = self.fetcher.source(), %error, "key set fetch failed");
                stale_or_unavailable(current.as_ref(), id, now)
            }
        }
    }

    fn current(&self) -> Option<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn fetch(&self) -> Result<KeySet, FetchError> {
        // OpenID discovery makes two requests, each bounded by the client timeout.
        match tokio::time::timeout(self.fetch_timeout * 2, self.fetcher.fetch()).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout),
        }
    }
}

fn fresh(snapshot: Option<&Snapshot>, now: Instant) -> Option<&Snapshot> {
    snapshot.filter(|s| age(s, now) < MAX_AGE)
}

fn usable(snapshot: Option<&Snapshot>, now: Instant) -> Option<&Snapshot> {
    snapshot.filter(|s| age(s, now) < MAX_STALE)
}

fn stale_or_unavailable(
    current: Option<&Snapshot>,
    id: KeyId<'_>,
    now: Instant,
) -> Result<Arc<TrustedKey>, Rejection> {
    usable(current, now)
        .and_then(|s| s.keys.get(id))
        .ok_or_else(|| {
            Rejection::new(
                RejectReason::KeySourceUnavailable,
                "the signing keys cannot be loaded right now; try again in a minute",
            )
        })
}

fn age(snapshot: &Snapshot, now: Instant) -> Duration {
    since(snapshot.fetched_at, now)
}

/// Callers pass the time they started, which can be earlier than a fetch that finished while
/// they waited; that counts as zero.
fn since(then: Instant, now: Instant) -> Duration {
    now.saturating_duration_since(then)
}

pub(crate) fn unknown_key() -> Rejection {
    Rejection::new(
        RejectReason::UnknownKey,
        "the token was signed with a key this service does not know",
    )
}
