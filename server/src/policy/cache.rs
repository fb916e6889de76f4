//! The rooms behind recently dialled aliases, kept for a moment: a Conferencing Node asks for
//! the same alias on every call and every participant, and most aliases it asks about are not
//! ours at all. An entry holds what storage had for the alias (unknown ones too) with the
//! windows of a slightly wider interval than one request needs, so the open/closed decision is
//! still made per request, to the second, from the entry; each room's answer is rendered once
//! per entry. An entry is used only while it is younger than `[policy] cache_seconds` and no
//! write went through this instance's store since it was filled; past half its time, the first
//! request that uses it has it read again in the background, so busy aliases are not left to
//! wait for storage. A change made by another instance is seen within `cache_seconds`.

use super::ServiceResult;
use crate::store::{AliasLookup, PolicyCandidate, Store, StoreError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Entries kept at most; past it the cache starts over (an alias is one query away).
const CAPACITY: usize = 50_000;

/// The rooms holding one alias, as storage had them, each with its answer once rendered.
pub struct Rooms {
    pub candidates: Vec<PolicyCandidate>,
    rendered: Vec<OnceLock<ServiceResult>>,
}

impl Rooms {
    pub fn new(candidates: Vec<PolicyCandidate>) -> Self {
        let rendered = candidates.iter().map(|_| OnceLock::new()).collect();
        Self {
            candidates,
            rendered,
        }
    }

    /// The answer for the room `candidate` (one of `self.candidates`), rendered on first use.
    pub fn answer_for(
        &self,
        candidate: &PolicyCandidate,
        render: impl FnOnce() -> ServiceResult,
    ) -> ServiceResult {
        let index = self
            .candidates
            .iter()
            .position(|known| std::ptr::eq(known, candidate))
            .expect("the candidate is one of these rooms");
        self.rendered[index].get_or_init(render).clone()
    }
}

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
    rooms: Arc<Rooms>,
    refreshing: AtomicBool,
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
    pub async fn rooms(
        self: &Arc<Self>,
        store: &Store,
        lookup: AliasLookup<'_>,
        from: i64,
        to: i64,
    ) -> Result<Arc<Rooms>, StoreError> {
        if self.fresh_for.is_zero() {
            let candidates = store.policy_candidates(lookup, from, to).await?;
            return Ok(Arc::new(Rooms::new(candidates)));
        }
        let key = match lookup {
            AliasLookup::Alias(alias) => Key::Alias(alias.to_string()),
            AliasLookup::Numeric(digits) => Key::Numeric(digits.to_string()),
        };
        let generation = store.generation();
        if let Some((rooms, refresh)) = self.current(&key, generation, from, to) {
            if refresh {
                let (cache, store, key) = (self.clone(), store.clone(), key.clone());
                tokio::spawn(async move {
                    if let Err(error) = cache.fill(&store, key, generation, from, to).await {
                        tracing::warn!(%error, "policy: background read failed");
                    }
                });
            }
            return Ok(rooms);
        }
        self.fill(store, key, generation, from, to).await
    }

    /// Reads the alias's rooms, with a margin that covers every request while the entry is
    /// fresh, and keeps them.
    async fn fill(
        &self,
        store: &Store,
        key: Key,
        generation: u64,
        from: i64,
        to: i64,
    ) -> Result<Arc<Rooms>, StoreError> {
        let margin = i64::try_from(self.fresh_for.as_millis()).unwrap_or(0);
        let lookup = match &key {
            Key::Alias(alias) => AliasLookup::Alias(alias),
            Key::Numeric(digits) => AliasLookup::Numeric(digits),
        };
        let rooms = Arc::new(Rooms::new(
            store.policy_candidates(lookup, from, to + margin).await?,
        ));
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
                rooms: rooms.clone(),
                refreshing: AtomicBool::new(false),
            },
        );
        Ok(rooms)
    }

    /// A current entry covering the interval, and whether this caller should have it read
    /// again (past half its time, and nobody else is doing it).
    fn current(
        &self,
        key: &Key,
        generation: u64,
        from: i64,
        to: i64,
    ) -> Option<(Arc<Rooms>, bool)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        let age = entry.filled_at.elapsed();
        let fresh = entry.generation == generation && age < self.fresh_for;
        let covers = entry.from <= from && to <= entry.to;
        if !(fresh && covers) {
            return None;
        }
        let refresh = age >= self.fresh_for / 2 && !entry.refreshing.swap(true, Ordering::AcqRel);
        Some((entry.rooms.clone(), refresh))
    }
}
