//! The policy endpoint's read: the room that holds a dialled alias, its meeting options and its
//! windows near now, in one indexed query (alias or numeric alias index, then the windows by
//! conference and end).

use super::{Store, StoreError};
use crate::domain::{IntegrationId, MeetingOptions};
use sqlx::Row;

/// Which stored alias to match.
#[derive(Debug, Clone, Copy)]
pub enum AliasLookup<'a> {
    Alias(&'a str),
    Numeric(&'a str),
}

/// A conference holding the alias, with the windows that overlap the asked interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCandidate {
    pub integration: IntegrationId,
    pub global_object_id: String,
    pub alias: String,
    pub numeric_alias: String,
    pub subject: String,
    pub organizer_email: String,
    pub organizer_name: Option<String>,
    /// From the reservation; empty for a room provisioned without one.
    pub options: MeetingOptions,
    /// `(start, end)`, Unix ms, ordered by start.
    pub windows: Vec<(i64, i64)>,
}

impl Store {
    /// Conferences holding the alias (several only for a numeric alias reused across
    /// integrations), each with its windows ending at or after `from` and starting at or before
    /// `to`.
    pub async fn policy_candidates(
        &self,
        lookup: AliasLookup<'_>,
        from: i64,
        to: i64,
    ) -> Result<Vec<PolicyCandidate>, StoreError> {
        let (column, value) = match lookup {
            AliasLookup::Alias(alias) => ("alias", alias),
            AliasLookup::Numeric(numeric) => ("numeric_alias", numeric),
        };
        let sql = format!(
            "SELECT c.integration, c.global_object_id, c.alias, c.numeric_alias, c.subject, \
             c.organizer_email, c.organizer_name, r.host_pin, r.guest_pin, r.guests_allowed, \
             w.start_at, w.end_at \
             FROM conferences c \
             LEFT JOIN reservations r ON r.id = c.reservation_id \
             LEFT JOIN conference_windows w ON w.integration = c.integration \
             AND w.global_object_id = c.global_object_id AND w.end_at >= $2 AND w.start_at <= $3 \
             WHERE c.{column} = $1"
        );
        // No ORDER BY or LIMIT: with them PostgreSQL's generic plan walks the primary key to
        // avoid a sort instead of using the alias index. The rows are few (the rooms holding
        // the alias, times their windows near now) and are grouped here.
        let rows = sqlx::query(&sql)
            .bind(value)
            .bind(from)
            .bind(to)
            .fetch_all(self.pool())
            .await?;
        let mut candidates: Vec<PolicyCandidate> = Vec::new();
        for row in &rows {
            let integration: String = row.try_get("integration")?;
            let global_object_id: String = row.try_get("global_object_id")?;
            let window = row
                .try_get::<Option<i64>, _>("start_at")?
                .zip(row.try_get::<Option<i64>, _>("end_at")?);
            let position = candidates.iter().position(|known| {
                known.integration.as_str() == integration
                    && known.global_object_id == global_object_id
            });
            let index = match position {
                Some(index) => index,
                None => {
                    candidates.push(candidate_from_row(row, &integration, global_object_id)?);
                    candidates.len() - 1
                }
            };
            if let Some(window) = window {
                candidates[index].windows.push(window);
            }
        }
        candidates.sort_by(|a, b| {
            (a.integration.as_str(), &a.global_object_id)
                .cmp(&(b.integration.as_str(), &b.global_object_id))
        });
        for candidate in &mut candidates {
            candidate.windows.sort_unstable();
        }
        Ok(candidates)
    }
}

fn candidate_from_row(
    row: &sqlx::any::AnyRow,
    integration: &str,
    global_object_id: String,
) -> Result<PolicyCandidate, StoreError> {
    let corrupt =
        |what: &str, error: &dyn std::fmt::Display| StoreError::Corrupt(format!("{what}: {error}"));
    Ok(PolicyCandidate {
        integration: IntegrationId::parse(integration).map_err(|e| corrupt("integration", &e))?,
        global_object_id,
        alias: row.try_get("alias")?,
        numeric_alias: row.try_get("numeric_alias")?,
        subject: row.try_get("subject")?,
        organizer_email: row.try_get("organizer_email")?,
        organizer_name: row.try_get("organizer_name")?,
        options: MeetingOptions::parse(
            row.try_get::<Option<String>, _>("host_pin")?.as_deref(),
            row.try_get::<Option<String>, _>("guest_pin")?.as_deref(),
            row.try_get::<Option<i64>, _>("guests_allowed")?
                .map(|allowed| allowed != 0),
        )
        .map_err(|e| corrupt("options", &e))?,
        windows: Vec::new(),
    })
}
