//! What the janitor changes: open reservations past their lifetime expire, and the conferences
//! of meetings long over go, with their windows, freeing their alias. Each batch is one
//! transaction together with its lines in the operations log. Every statement re-checks its
//! condition on the rows it changes, so two instances working at once never act on a row twice.

use super::{Store, StoreError};
use crate::domain::IntegrationId;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

/// The operations-log action of an expired reservation.
pub const EXPIRE_ACTION: &str = "expire_reservation";
/// The operations-log action of a conference removed after its meeting ended.
pub const REMOVE_ACTION: &str = "remove_conference";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredReservation {
    pub id: Uuid,
    pub alias: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedConference {
    pub global_object_id: String,
    pub alias: String,
    pub reservation_id: Option<Uuid>,
}

impl Store {
    /// Moves at most `limit` of the integration's `reserved` reservations whose `expires_at` is
    /// not after `now` to `expired` (their alias is free again), and logs each.
    pub async fn expire_reservations(
        &self,
        integration: &IntegrationId,
        now: i64,
        limit: u32,
    ) -> Result<Vec<ExpiredReservation>, StoreError> {
        let mut transaction = self.writer().begin().await?;
        let rows = sqlx::query(
            "UPDATE reservations SET state = 'expired', updated_at = $1 \
             WHERE integration = $2 AND state = 'reserved' AND expires_at <= $1 AND id IN ( \
             SELECT id FROM reservations WHERE integration = $2 AND state = 'reserved' \
             AND expires_at <= $1 ORDER BY expires_at, id LIMIT $3) \
             RETURNING id, alias",
        )
        .bind(now)
        .bind(integration.as_str())
        .bind(i64::from(limit))
        .fetch_all(&mut *transaction)
        .await?;
        let expired = rows
            .iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                Ok(ExpiredReservation {
                    id: parse_id(&id)?,
                    alias: row.try_get("alias")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let lines: Vec<LogLine<'_>> = expired
            .iter()
            .map(|reservation| LogLine {
                global_object_id: None,
                detail: format!("alias {}", reservation.alias),
            })
            .collect();
        log_lines(&mut transaction, integration, EXPIRE_ACTION, &lines, now).await?;
        transaction.commit().await?;
        Ok(expired)
    }

    /// Removes at most `limit` of the integration's conferences with a known last end before
    /// `ended_before` and no window ending at or after it (open-ended series stay), with their
    /// windows; their reservations become `deleted`, as when a meeting is cancelled.
    pub async fn remove_ended_conferences(
        &self,
        integration: &IntegrationId,
        ended_before: i64,
        now: i64,
        limit: u32,
    ) -> Result<Vec<RemovedConference>, StoreError> {
        let mut transaction = self.writer().begin().await?;
        // The outer condition repeats `last_end`, so a conference a worker moved to the future
        // meanwhile is re-checked and kept.
        let rows = sqlx::query(
            "DELETE FROM conferences WHERE integration = $1 AND last_end IS NOT NULL \
             AND last_end < $2 AND global_object_id IN ( \
             SELECT c.global_object_id FROM conferences c WHERE c.integration = $1 \
             AND c.last_end IS NOT NULL AND c.last_end < $2 AND NOT EXISTS ( \
             SELECT 1 FROM conference_windows w WHERE w.integration = c.integration \
             AND w.global_object_id = c.global_object_id AND w.end_at >= $2) \
             ORDER BY c.last_end, c.global_object_id LIMIT $3) \
             RETURNING global_object_id, alias, reservation_id",
        )
        .bind(integration.as_str())
        .bind(ended_before)
        .bind(i64::from(limit))
        .fetch_all(&mut *transaction)
        .await?;
        let removed = rows
            .iter()
            .map(|row| {
                Ok(RemovedConference {
                    global_object_id: row.try_get("global_object_id")?,
                    alias: row.try_get("alias")?,
                    reservation_id: row
                        .try_get::<Option<String>, _>("reservation_id")?
                        .as_deref()
                        .map(parse_id)
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if !removed.is_empty() {
            // Windows explicitly, rather than trusting ON DELETE CASCADE: SQLite applies it
            // only on connections with foreign keys switched on.
            let sql = format!(
                "DELETE FROM conference_windows WHERE integration = $1 AND global_object_id IN {}",
                in_list(2, removed.len())
            );
            let mut query = sqlx::query(&sql).bind(integration.as_str());
            for conference in &removed {
                query = query.bind(conference.global_object_id.as_str());
            }
            query.execute(&mut *transaction).await?;
        }
        let reservations: Vec<String> = removed
            .iter()
            .filter_map(|c| c.reservation_id.map(|id| id.to_string()))
            .collect();
        if !reservations.is_empty() {
            let sql = format!(
                "UPDATE reservations SET state = 'deleted', updated_at = $1 \
                 WHERE integration = $2 AND state IN ('reserved', 'used') AND id IN {}",
                in_list(3, reservations.len())
            );
            let mut query = sqlx::query(&sql).bind(now).bind(integration.as_str());
            for id in &reservations {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *transaction).await?;
        }
        let lines: Vec<LogLine<'_>> = removed
            .iter()
            .map(|conference| LogLine {
                global_object_id: Some(&conference.global_object_id),
                detail: format!("alias {}, meeting over", conference.alias),
            })
            .collect();
        log_lines(&mut transaction, integration, REMOVE_ACTION, &lines, now).await?;
        transaction.commit().await?;
        Ok(removed)
    }
}

fn parse_id(id: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(id).map_err(|e| StoreError::Corrupt(format!("reservation id: {e}")))
}

/// `($first, $first+1, …)` with `count` parameters.
fn in_list(first: usize, count: usize) -> String {
    let placeholders: Vec<String> = (first..first + count).map(|n| format!("${n}")).collect();
    format!("({})", placeholders.join(", "))
}

struct LogLine<'a> {
    global_object_id: Option<&'a str>,
    detail: String,
}

/// One successful operation per line, written with one statement.
async fn log_lines(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    action: &str,
    lines: &[LogLine<'_>],
    now: i64,
) -> Result<(), StoreError> {
    if lines.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..lines.len())
        .map(|n| {
            let first = 4 + 2 * n;
            format!("($1, $2, ${first}, $3, 'ok', ${})", first + 1)
        })
        .collect();
    let sql = format!(
        "INSERT INTO operations_log (at, integration, global_object_id, action, outcome, \
         detail) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(now)
        .bind(integration.as_str())
        .bind(action);
    for line in lines {
        query = query.bind(line.global_object_id).bind(line.detail.as_str());
    }
    query.execute(connection).await?;
    Ok(())
}
