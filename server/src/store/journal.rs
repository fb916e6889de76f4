//! The message journal: every version (item id + change key) of a meeting message the worker
//! picked up, and how far its processing got. A worker that stops at any step finds the entry
//! on restart and completes it from there, so no message is lost and none is answered twice.

use super::{Store, StoreError};
use crate::domain::IntegrationId;
use sqlx::Row;

/// `Received` → `Applied` (storage changed and the reply to send stored, in one transaction, so
/// a restart sends the same reply) → `Done` (replied, and gone from the inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalState {
    Received,
    Applied,
    Done,
}

impl JournalState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Applied => "applied",
            Self::Done => "done",
        }
    }

    fn parse(value: &str) -> Result<Self, StoreError> {
        Ok(match value {
            "received" => Self::Received,
            "applied" => Self::Applied,
            "done" => Self::Done,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown journal state `{other}`"
                )))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub item_id: String,
    pub change_key: String,
    pub state: JournalState,
    /// Given at first pickup and kept across retries, so every log line of the item shares it.
    pub correlation_id: String,
    pub global_object_id: Option<String>,
    /// The reply to send, as the worker serialized it, once `Applied`.
    pub reply: Option<String>,
    /// Pickups so far, this one included.
    pub attempts: u32,
    pub received_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "item_id, change_key, state, correlation_id, global_object_id, reply, \
    attempts, received_at, updated_at";

impl Store {
    /// Records that the worker picked up this item version and returns its entry: a new one in
    /// `Received`, or the existing one (with its first correlation id) counted one more attempt.
    pub async fn journal_pickup(
        &self,
        integration: &IntegrationId,
        item_id: &str,
        change_key: &str,
        correlation_id: &str,
        now: i64,
    ) -> Result<JournalEntry, StoreError> {
        let sql = format!(
            "INSERT INTO message_journal (integration, item_id, change_key, state, correlation_id, \
             attempts, received_at, updated_at) VALUES ($1, $2, $3, 'received', $4, 1, $5, $5) \
             ON CONFLICT (integration, item_id, change_key) DO UPDATE \
             SET attempts = message_journal.attempts + 1, updated_at = $5 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(integration.as_str())
            .bind(item_id)
            .bind(change_key)
            .bind(correlation_id)
            .bind(now)
            .fetch_one(self.writer())
            .await?;
        entry_from_row(&row)
    }

    /// Moves the entry from `from` to `to` (storing the meeting's id and the reply when given)
    /// only if it is still in `from`; returns whether this caller made the move.
    #[allow(clippy::too_many_arguments)]
    pub async fn journal_advance(
        &self,
        integration: &IntegrationId,
        item_id: &str,
        change_key: &str,
        from: JournalState,
        to: JournalState,
        global_object_id: Option<&str>,
        reply: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE message_journal SET state = $1, \
             global_object_id = COALESCE($2, global_object_id), reply = COALESCE($3, reply), \
             updated_at = $4 \
             WHERE integration = $5 AND item_id = $6 AND change_key = $7 AND state = $8",
        )
        .bind(to.as_str())
        .bind(global_object_id)
        .bind(reply)
        .bind(now)
        .bind(integration.as_str())
        .bind(item_id)
        .bind(change_key)
        .bind(from.as_str())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn journal_entry(
        &self,
        integration: &IntegrationId,
        item_id: &str,
        change_key: &str,
    ) -> Result<Option<JournalEntry>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM message_journal \
             WHERE integration = $1 AND item_id = $2 AND change_key = $3"
        );
        let row = sqlx::query(&sql)
            .bind(integration.as_str())
            .bind(item_id)
            .bind(change_key)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(entry_from_row).transpose()
    }

    /// How many item versions wait to be finished.
    pub async fn count_unfinished_journal_entries(
        &self,
        integration: &IntegrationId,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM message_journal WHERE integration = $1 AND state <> 'done'",
        )
        .bind(integration.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Entries a stopped worker left unfinished, oldest first: completed before new mail.
    pub async fn unfinished_journal_entries(
        &self,
        integration: &IntegrationId,
        limit: u32,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM message_journal WHERE integration = $1 AND state <> 'done' \
             ORDER BY received_at, item_id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(integration.as_str())
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<JournalEntry, StoreError> {
    Ok(JournalEntry {
        item_id: row.try_get("item_id")?,
        change_key: row.try_get("change_key")?,
        state: JournalState::parse(&row.try_get::<String, _>("state")?)?,
        correlation_id: row.try_get("correlation_id")?,
        global_object_id: row.try_get("global_object_id")?,
        reply: row.try_get("reply")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        received_at: row.try_get("received_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
