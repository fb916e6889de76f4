//! Watches how full each integration's alias space is. Random aliases collide more often as the
//! space fills; past 1% it is time to lengthen the suffix, so we warn in the log and in /healthz.

use crate::config::IntegrationSettings;
use crate::domain::IntegrationId;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Share of the space in use above which we warn.
pub const WARN_ABOVE: f64 = 0.01;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AliasSpaceUsage {
    pub integration: IntegrationId,
    pub live_aliases: u64,
    pub capacity: u64,
    pub usage_percent: f64,
    pub warning: bool,
}

pub struct AliasSpaceMonitor {
    spaces: Vec<(IntegrationId, u64)>,
    last: Mutex<Option<(Instant, Vec<AliasSpaceUsage>)>>,
}

impl AliasSpaceMonitor {
    pub fn new(integrations: &[IntegrationSettings]) -> Self {
        let spaces = integrations
            .iter()
            .map(|i| (i.id.clone(), i.aliases.suffix_length.space()))
            .collect();
        Self {
            spaces,
            last: Mutex::new(None),
        }
    }

    /// Usage no older than `max_age`, counted again when older.
    pub async fn usage(
        &self,
        store: &Store,
        max_age: Duration,
    ) -> Result<Vec<AliasSpaceUsage>, StoreError> {
        if let Some((at, usage)) = self.last.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            if at.elapsed() <= max_age {
                return Ok(usage.clone());
            }
        }
        let mut usage = Vec::with_capacity(self.spaces.len());
        for (integration, capacity) in &self.spaces {
            let live = store.count_live_reservations(integration).await?;
            let share = live as f64 / *capacity as f64;
            if share > WARN_ABOVE {
                tracing::warn!(
                    %integration, live, capacity,
                    "more than 1% of the alias space is in use; collisions grow more likely: raise aliases.suffix_length"
                );
            }
            usage.push(AliasSpaceUsage {
                integration: integration.clone(),
                live_aliases: live,
                capacity: *capacity,
                usage_percent: (share * 100.0 * 1000.0).round() / 1000.0,
                warning: share > WARN_ABOVE,
            });
        }
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), usage.clone()));
        Ok(usage)
    }
}
