//! Per-user token buckets: `burst` reservations at once, refilled at `per_minute`.

use crate::config::RateLimitSettings;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many tracked users, buckets that are full again are forgotten.
const PRUNE_ABOVE: usize = 10_000;

pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    pub fn new() -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; `Err(wait)` says how long until one is available.
    pub fn try_acquire(
        &self,
        key: &str,
        limits: RateLimitSettings,
        now: Instant,
    ) -> Result<(), Duration> {
        let per_second = f64::from(limits.per_minute) / 60.0;
        let capacity = f64::from(limits.burst);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_second
                    < capacity
            });
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_refills_at_the_rate() {
        let limiter = RateLimiter::new();
        let limits = RateLimitSettings {
            per_minute: 60,
            burst: 3,
        };
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.try_acquire("u", limits, start).is_ok());
        }
        let wait = limiter.try_acquire("u", limits, start).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "{wait:?}");
        assert!(
            limiter.try_acquire("other", limits, start).is_ok(),
            "users are independent"
        );
        assert!(limiter
            .try_acquire("u", limits, start + Duration::from_millis(1000))
            .is_ok());
        assert!(limiter
            .try_acquire("u", limits, start + Duration::from_millis(1000))
            .is_err());
    }
}
