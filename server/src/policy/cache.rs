//! The rooms behind recently dialled aliases, kept for a moment: a Conferencing Node asks for
//! the same alias on every call and every participant, and most aliases it asks about are not
//! ours at all. An entry holds what storage had for the alias (unknown ones too) with the
//! windows of a slightly wider interval than one request needs, so the open/closed decision is
//! still made per request, to the second, from the entry. It is used only while it is younger
//! than `[policy] cache_seconds` and no write went through this instance's store since it was
//! filled; a change made by another instance is seen within `cache_seconds`.

use crate::store::{AliasLookup, PolicyCandidate, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Entries kept at most; past it the cache starts over (an alias is one query away).
const CAPACITY: usize = 50_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Alias(String),
    Numeric(String),
}

struct Entry {
    generation: u64,
    filled_at: Instant,
    /// The query interval it was filled for, Unix ms.
    from: i64,
    to: i64,
    candidates: Arc<Vec<PolicyCandidate>>,
}

pub struct PolicyCache {
    entries: RwLock<HashMap<Key, Entry>>,
    fresh_for: Duration,
}

impl PolicyCache {
    /// Entries answer for `fresh_for`; zero turns the cache off.
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            entries: RwLock::default(),
            fresh_for,
        }
    }

    /// The rooms holding the alias with their windows overlapping `[from, to]`: from the cache
    /// when an entry covers that interval and is still current, else from storage.
    pub async fn candidates(
        &self,
        store: &Store,
        lookup: AliasLookup<'_>,
        from: i64,
        to: i64,
    ) -> Result<Arc<Vec<PolicyCandidate>>, StoreError> {
        let key = match lookup {
            AliasLookup::Alias(alias) => Key::Alias(alias.to_string()),
            AliasLookup::Numeric(digits) => Key::Numeric(digits.to_string()),
        };
        if self.fresh_for.is_zero() {
            return Ok(Arc::new(store.policy_candidates(lookup, from, to).await?));
        }
        let generation = store.generation();
        if let Some(hit) = self.current(&key, generation, from, to) {
            return Ok(hit);
        }
        // Wide enough for every request while the entry is fresh.
        let margin = i64::try_from(self.fresh_for.as_millis()).unwrap_or(0);
        let candidates = Arc::new(store.policy_candidates(lookup, from, to + margin).await?);
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation,
                filled_at: Instant::now(),
                from,
                to: to + margin,
                candidates: candidates.clone(),
            },
        );
        Ok(candidates)
    }

    fn current(
        &self,
        key: &Key,
        generation: u64,
        from: i64,
        to: i64,
    ) -> Option<Arc<Vec<PolicyCandidate>>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        let fresh = entry.generation == generation && entry.filled_at.elapsed() < self.fresh_for;
        let covers = entry.from <= from && to <= entry.to;
        (fresh && covers).then(|| entry.candidates.clone())
    }
}
