//! The janitor: open reservations past their lifetime expire, and the conferences of meetings
//! that ended (plus the after-buffer) go, freeing their aliases. Runs every
//! `janitor.interval_seconds` in the service and once with `vmr-scheduler janitor --once`.
//!
//! No lease is needed: each batch is one transaction whose statements re-check their
//! conditions, so two instances at once change (and log) every row once.

pub mod command;
mod cutoffs;

pub use cutoffs::Cutoffs;

use crate::config::Settings;
use crate::domain::IntegrationId;
use crate::store::{ExpiredReservation, RemovedConference, Store, StoreError};
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;

/// Rows per statement and transaction.
pub const BATCH_SIZE: u32 = 500;
/// Batches per kind of work, integration and pass; what is left waits for the next pass.
pub const MAX_BATCHES_PER_PASS: usize = 100;

pub struct Janitor {
    store: Store,
    /// Each integration with its after-buffer.
    integrations: Vec<(IntegrationId, Duration)>,
    batch_size: u32,
}

/// What one pass did for one integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationPass {
    pub integration: IntegrationId,
    pub expired: Vec<ExpiredReservation>,
    pub removed: Vec<RemovedConference>,
    /// The batch limit was reached with work left for the next pass.
    pub more_left: bool,
}

impl Janitor {
    /// Works `integrations`, each with its after-buffer.
    pub fn new(store: Store, integrations: Vec<(IntegrationId, Duration)>) -> Self {
        Self {
            store,
            integrations,
            batch_size: BATCH_SIZE,
        }
    }

    /// Works every configured integration.
    pub fn from_settings(settings: &Settings, store: Store) -> Self {
        let integrations = settings
            .integrations
            .iter()
            .map(|integration| (integration.id.clone(), integration.buffers.after))
            .collect();
        Self::new(store, integrations)
    }

    /// Smaller batches, to watch the batching work.
    pub fn with_batch_size(mut self, batch_size: u32) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// One pass over every configured integration at `now` (Unix milliseconds).
    pub async fn run_once(&self, now: i64) -> Result<Vec<IntegrationPass>, StoreError> {
        let mut passes = Vec::with_capacity(self.integrations.len());
        for (integration, after_buffer) in &self.integrations {
            let cutoffs = Cutoffs::at(now, *after_buffer);
            let limit = self.batch_size;
            let (expired, expiry_left) = drain(limit, || {
                self.store
                    .expire_reservations(integration, cutoffs.expired_at_or_before, limit)
            })
            .await?;
            let (removed, removal_left) = drain(limit, || {
                self.store
                    .remove_ended_conferences(integration, cutoffs.ended_before, now, limit)
            })
            .await?;
            passes.push(IntegrationPass {
                integration: integration.clone(),
                expired,
                removed,
                more_left: expiry_left || removal_left,
            });
        }
        Ok(passes)
    }

    /// A pass every `interval` until `shutdown` turns true; the first after one interval, so a
    /// restart loop cannot hammer the database.
    pub async fn run(self, interval: Duration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                // A dropped sender can never say stop: stop now rather than spin.
                changed = shutdown.changed() => match changed {
                    Ok(()) => continue,
                    Err(_) => return,
                },
            }
            match self.run_once(unix_millis(OffsetDateTime::now_utc())).await {
                Ok(passes) => {
                    for pass in &passes {
                        let (expired, removed) = (pass.expired.len(), pass.removed.len());
                        if expired + removed > 0 || pass.more_left {
                            tracing::info!(
                                integration = %pass.integration, expired, removed,
                                more_left = pass.more_left, "janitor pass"
                            );
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "janitor pass failed"),
            }
        }
    }
}

/// Runs `batch` until it returns fewer than `limit` rows, at most [`MAX_BATCHES_PER_PASS`]
/// times; also says whether the last batch was full (more may be left).
async fn drain<T, F, Fut>(limit: u32, mut batch: F) -> Result<(Vec<T>, bool), StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<T>, StoreError>>,
{
    let full = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut done = Vec::new();
    for _ in 0..MAX_BATCHES_PER_PASS {
        let rows = batch().await?;
        let more = rows.len() >= full;
        done.extend(rows);
        if !more {
            return Ok((done, false));
        }
    }
    Ok((done, true))
}

pub fn unix_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// What a pass did, for people: one summary line per integration, then one line per change.
pub fn render_text(passes: &[IntegrationPass]) -> String {
    let mut text = String::new();
    for pass in passes {
        text.push_str(&format!(
            "{}: {} reservation(s) expired, {} conference(s) removed{}\n",
            pass.integration,
            pass.expired.len(),
            pass.removed.len(),
            if pass.more_left {
                " (more left for the next pass)"
            } else {
                ""
            }
        ));
        for reservation in &pass.expired {
            text.push_str(&format!("  expired {}\n", reservation.alias));
        }
        for conference in &pass.removed {
            text.push_str(&format!(
                "  removed {} ({})\n",
                conference.alias, conference.global_object_id
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn draining_stops_at_a_short_batch() {
        let mut sizes = vec![3, 3, 1].into_iter();
        let (rows, more) = drain(3, || {
            let size = sizes.next().expect("no batch after a short one");
            async move { Ok(vec![0u8; size]) }
        })
        .await
        .unwrap();
        assert_eq!(rows.len(), 7);
        assert!(!more);
    }

    #[tokio::test]
    async fn draining_is_bounded() {
        let mut calls = 0;
        let (rows, more) = drain(2, || {
            calls += 1;
            async { Ok(vec![(); 2]) }
        })
        .await
        .unwrap();
        assert_eq!(calls, MAX_BATCHES_PER_PASS);
        assert_eq!(rows.len(), 2 * MAX_BATCHES_PER_PASS);
        assert!(more, "a full last batch may have left work");
    }

    #[test]
    fn the_report_names_every_change() {
        let pass = IntegrationPass {
            integration: IntegrationId::parse("main").unwrap(),
            expired: vec![ExpiredReservation {
                id: uuid::Uuid::nil(),
                alias: "meet123456@vc.example.com".into(),
            }],
            removed: vec![RemovedConference {
                global_object_id: "gid-1".into(),
                alias: "meet654321@vc.example.com".into(),
                reservation_id: None,
            }],
            more_left: false,
        };
        assert_eq!(
            render_text(&[pass]),
            "main: 1 reservation(s) expired, 1 conference(s) removed\n  \
             expired meet123456@vc.example.com\n  removed meet654321@vc.example.com (gid-1)\n"
        );
    }
}
