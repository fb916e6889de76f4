//! The add-in of each integration: its manifest id (created once) and the manifest version
//! counter with the fingerprint of the content it was counted for.

use super::{Store, StoreError};
use crate::domain::IntegrationId;
use sqlx::Row;
use uuid::Uuid;

/// Rounds of [`Store::record_manifest_fingerprint`] before giving up: each lost round means
/// another writer recorded a different fingerprint in between, which only happens while
/// instances with different configurations share the database.
const MAX_FINGERPRINT_ROUNDS: usize = 8;

impl Store {
    /// The add-in id of `integration`, created (a random GUID) on first use. Concurrent first
    /// calls agree on one id.
    pub async fn addin_id(&self, integration: &IntegrationId) -> Result<Uuid, StoreError> {
        let now = time::OffsetDateTime::now_utc();
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO integrations (id, addin_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(integration.as_str())
        .bind(Uuid::new_v4().to_string())
        .bind(now_ms)
        .execute(self.writer())
        .await?;
        let stored: String = sqlx::query_scalar("SELECT addin_id FROM integrations WHERE id = $1")
            .bind(integration.as_str())
            .fetch_one(self.writer())
            .await?;
        Uuid::parse_str(&stored)
            .map_err(|e| StoreError::Corrupt(format!("add-in id of `{integration}`: {e}")))
    }

    /// Records that `integration`'s manifests now have content `fingerprint` and returns their
    /// version: the stored one if the fingerprint is the recorded one, else that plus one. The
    /// update compares and sets in one statement, so concurrent callers with the same new
    /// content raise the version once. Call [`Store::addin_id`] first.
    pub async fn record_manifest_fingerprint(
        &self,
        integration: &IntegrationId,
        fingerprint: &str,
    ) -> Result<u64, StoreError> {
        for _ in 0..MAX_FINGERPRINT_ROUNDS {
            let raised: Option<i64> = sqlx::query_scalar(
                "UPDATE integrations SET manifest_fingerprint = $1, \
                 manifest_version = manifest_version + 1 \
                 WHERE id = $2 AND manifest_fingerprint <> $1 RETURNING manifest_version",
            )
            .bind(fingerprint)
            .bind(integration.as_str())
            .fetch_optional(self.writer())
            .await?;
            if let Some(version) = raised {
                return version_of(integration, version);
            }
            let row = sqlx::query(
                "SELECT manifest_version, manifest_fingerprint FROM integrations WHERE id = $1",
            )
            .bind(integration.as_str())
            .fetch_optional(self.writer())
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("integration `{integration}` has no add-in row"))
            })?;
            let stored: String = row.try_get("manifest_fingerprint")?;
            if stored == fingerprint {
                return version_of(integration, row.try_get("manifest_version")?);
            }
        }
        Err(StoreError::Corrupt(format!(
            "the manifest of integration `{integration}` changed {MAX_FINGERPRINT_ROUNDS} times \
             while its version was being recorded; do instances with different configurations \
             share this database?"
        )))
    }
}

fn version_of(integration: &IntegrationId, version: i64) -> Result<u64, StoreError> {
    u64::try_from(version).map_err(|_| {
        StoreError::Corrupt(format!(
            "manifest version {version} of `{integration}` is negative"
        ))
    })
}
