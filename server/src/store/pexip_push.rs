//! What the push to Pexip Infinity reads: the conferences an integration still needs a room
//! for, with the organizer's meeting options. Nothing about the remote side is stored; it is
//! read back from Infinity by tag on every reconciliation.

use super::{Store, StoreError};
use crate::domain::{Alias, IntegrationId, MeetingOptions, NumericAlias};
use sqlx::Row;

/// A stored conference as the push needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedConference {
    pub global_object_id: String,
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
    pub subject: String,
    pub organizer_email: String,
    pub organizer_name: Option<String>,
    /// Default options for a room provisioned without a reservation.
    pub options: MeetingOptions,
}

impl Store {
    /// Conferences of `integration` that are not over: the last window (or, without windows,
    /// the stored last end) ends at or after `ended_after`; series without an end are kept.
    pub async fn conferences_to_push(
        &self,
        integration: &IntegrationId,
        ended_after: i64,
    ) -> Result<Vec<PushedConference>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.global_object_id, c.alias, c.numeric_alias, c.subject, c.organizer_email, \
             c.organizer_name, r.host_pin, r.guest_pin, r.guests_allowed \
             FROM conferences c LEFT JOIN reservations r ON r.id = c.reservation_id \
             WHERE c.integration = $1 AND ((c.is_series = 1 AND c.last_end IS NULL) OR \
             COALESCE((SELECT MAX(w.end_at) FROM conference_windows w \
             WHERE w.integration = c.integration AND w.global_object_id = c.global_object_id), \
             c.last_end) >= $2) ORDER BY c.global_object_id",
        )
        .bind(integration.as_str())
        .bind(ended_after)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let corrupt = |what: &str, error: &dyn std::fmt::Display| {
                    StoreError::Corrupt(format!("conferences.{what}: {error}"))
                };
                let host_pin: Option<String> = row.try_get("host_pin")?;
                let guest_pin: Option<String> = row.try_get("guest_pin")?;
                let guests_allowed: Option<i64> = row.try_get("guests_allowed")?;
                Ok(PushedConference {
                    global_object_id: row.try_get("global_object_id")?,
                    alias: Alias::parse(&row.try_get::<String, _>("alias")?)
                        .map_err(|e| corrupt("alias", &e))?,
                    numeric_alias: NumericAlias::parse(&row.try_get::<String, _>("numeric_alias")?)
                        .map_err(|e| corrupt("numeric_alias", &e))?,
                    subject: row.try_get("subject")?,
                    organizer_email: row.try_get("organizer_email")?,
                    organizer_name: row.try_get("organizer_name")?,
                    options: MeetingOptions::parse(
                        host_pin.as_deref(),
                        guest_pin.as_deref(),
                        guests_allowed.map(|allowed| allowed != 0),
                    )
                    .map_err(|e| corrupt("options", &e))?,
                })
            })
            .collect()
    }

    /// Takes or renews the push lease of `integration` (one instance pushes at a time); the
    /// mailbox workers' lease table, under a key of its own.
    pub async fn try_acquire_push_lease(
        &self,
        integration: &IntegrationId,
        holder: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO worker_leases (integration, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (integration) DO UPDATE SET holder = $2, expires_at = $3 \
             WHERE worker_leases.holder = $2 OR worker_leases.expires_at < $4",
        )
        .bind(push_lease_key(integration))
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn release_push_lease(
        &self,
        integration: &IntegrationId,
        holder: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM worker_leases WHERE integration = $1 AND holder = $2")
            .bind(push_lease_key(integration))
            .bind(holder)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// Integration ids hold no `:`, so this key cannot be a mailbox worker's.
fn push_lease_key(integration: &IntegrationId) -> String {
    format!("pexip_push:{integration}")
}
