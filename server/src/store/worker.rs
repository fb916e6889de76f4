//! What the mailbox workers keep between polls: the lease that lets one instance work an
//! integration's mailbox, the sync state of its inbox, and the operations log.

use super::{Store, StoreError};
use crate::domain::IntegrationId;
use sqlx::Row;

/// The inbox watch of one integration, as `vmr-scheduler status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailboxSync {
    /// Exchange's opaque state; `None` before the first sync or after it was found invalid.
    pub sync_state: Option<String>,
    /// Items seen but not processed yet at the last sync.
    pub backlog: u64,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
        }
    }
}

/// One line of the operations log: what was done, to which meeting, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Unix milliseconds.
    pub at: i64,
    pub integration: IntegrationId,
    pub global_object_id: Option<String>,
    pub item_id: Option<String>,
    /// What was done, e.g. `accept`, `decline`, `sync`, `remove_conference`.
    pub action: String,
    pub outcome: Outcome,
    /// A stable code for failures and declines (e.g. `invalid_alias_id`, `ErrorServerBusy`).
    pub error_code: Option<String>,
    pub correlation_id: Option<String>,
    pub detail: Option<String>,
}

impl Store {
    /// Takes or renews the lease on `integration`'s mailbox for `holder` until `expires_at`.
    /// Succeeds when nobody holds it, `holder` already does, or the holder's lease ran out
    /// before `now`; one statement, so two instances cannot both win.
    pub async fn try_acquire_lease(
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
        .bind(integration.as_str())
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease up, if `holder` has it, so another instance can take over at once.
    pub async fn release_lease(
        &self,
        integration: &IntegrationId,
        holder: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM worker_leases WHERE integration = $1 AND holder = $2")
            .bind(integration.as_str())
            .bind(holder)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn mailbox_sync(
        &self,
        integration: &IntegrationId,
    ) -> Result<MailboxSync, StoreError> {
        let row = sqlx::query(
            "SELECT sync_state, backlog, last_success_at, last_error, last_error_at \
             FROM mailbox_sync WHERE integration = $1",
        )
        .bind(integration.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(MailboxSync::default());
        };
        Ok(MailboxSync {
            sync_state: row.try_get("sync_state")?,
            backlog: u64::try_from(row.try_get::<i64, _>("backlog")?).unwrap_or(0),
            last_success_at: row.try_get("last_success_at")?,
            last_error: row.try_get("last_error")?,
            last_error_at: row.try_get("last_error_at")?,
        })
    }

    /// Records a successful sync: the new state (or `None` to start over) and the backlog.
    pub async fn save_sync_success(
        &self,
        integration: &IntegrationId,
        sync_state: Option<&str>,
        backlog: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mailbox_sync (integration, sync_state, backlog, last_success_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (integration) DO UPDATE \
             SET sync_state = $2, backlog = $3, last_success_at = $4",
        )
        .bind(integration.as_str())
        .bind(sync_state)
        .bind(i64::try_from(backlog).unwrap_or(i64::MAX))
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Records why the last sync failed; the last success and the sync state stay.
    pub async fn save_sync_failure(
        &self,
        integration: &IntegrationId,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mailbox_sync (integration, last_error, last_error_at) VALUES ($1, $2, $3) \
             ON CONFLICT (integration) DO UPDATE SET last_error = $2, last_error_at = $3",
        )
        .bind(integration.as_str())
        .bind(error)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub async fn record_operation(&self, operation: &Operation) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO operations_log (at, integration, global_object_id, item_id, action, \
             outcome, error_code, correlation_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(operation.at)
        .bind(operation.integration.as_str())
        .bind(operation.global_object_id.as_deref())
        .bind(operation.item_id.as_deref())
        .bind(operation.action.as_str())
        .bind(operation.outcome.as_str())
        .bind(operation.error_code.as_deref())
        .bind(operation.correlation_id.as_deref())
        .bind(operation.detail.as_deref())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The newest operations of `integration` first; only failures with `failures_only`.
    pub async fn recent_operations(
        &self,
        integration: &IntegrationId,
        failures_only: bool,
        limit: u32,
    ) -> Result<Vec<Operation>, StoreError> {
        let filter = if failures_only {
            " AND outcome = 'failed'"
        } else {
            ""
        };
        let sql = format!(
            "SELECT at, integration, global_object_id, item_id, action, outcome, error_code, \
             correlation_id, detail FROM operations_log WHERE integration = $1{filter} \
             ORDER BY at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(integration.as_str())
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(operation_from_row).collect()
    }
}

fn operation_from_row(row: &sqlx::any::AnyRow) -> Result<Operation, StoreError> {
    let integration: String = row.try_get("integration")?;
    let outcome: String = row.try_get("outcome")?;
    Ok(Operation {
        at: row.try_get("at")?,
        integration: IntegrationId::parse(&integration)
            .map_err(|e| StoreError::Corrupt(format!("operations_log.integration: {e}")))?,
        global_object_id: row.try_get("global_object_id")?,
        item_id: row.try_get("item_id")?,
        action: row.try_get("action")?,
        outcome: match outcome.as_str() {
            "ok" => Outcome::Ok,
            "failed" => Outcome::Failed,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown operation outcome `{other}`"
                )))
            }
        },
        error_code: row.try_get("error_code")?,
        correlation_id: row.try_get("correlation_id")?,
        detail: row.try_get("detail")?,
    })
}
