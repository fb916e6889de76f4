//! Conferences: the room of one meeting (a single meeting or a whole series), and the windows
//! in which it is open. Times are Unix milliseconds.

use super::{Store, StoreError};
use crate::domain::{Alias, EmailAddress, IntegrationId, NumericAlias};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conference {
    pub integration: IntegrationId,
    /// The meeting's id across all its versions (iCalendar UID / clean global object id).
    pub global_object_id: String,
    /// `None` for a room provisioned for a meeting booked without the add-in.
    pub reservation_id: Option<Uuid>,
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
    pub subject: String,
    pub organizer_email: EmailAddress,
    pub organizer_name: Option<String>,
    /// Who reserved the alias, when a delegate booked the meeting for the organizer.
    pub reserved_by: Option<EmailAddress>,
    pub is_series: bool,
    pub first_start: i64,
    /// `None` for a series without an end.
    pub last_end: Option<i64>,
    /// Ordered by original start. A single meeting has one.
    pub windows: Vec<ConferenceWindow>,
}

/// One occurrence (or the single meeting), named by its start before any change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConferenceWindow {
    pub original_start: i64,
    pub start: i64,
    pub end: i64,
}

const COLUMNS: &str = "integration, global_object_id, reservation_id, alias, numeric_alias, \
    subject, organizer_email, organizer_name, reserved_by, is_series, first_start, last_end";

impl Store {
    pub async fn conference(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
    ) -> Result<Option<Conference>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM conferences WHERE integration = $1 AND global_object_id = $2"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(integration.as_str())
            .bind(global_object_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let mut conference = conference_from_row(&row)?;
        conference.windows = sqlx::query(
            "SELECT original_start, start_at, end_at FROM conference_windows \
             WHERE integration = $1 AND global_object_id = $2 ORDER BY original_start",
        )
        .bind(integration.as_str())
        .bind(global_object_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(ConferenceWindow {
                original_start: row.try_get("original_start")?,
                start: row.try_get("start_at")?,
                end: row.try_get("end_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(Some(conference))
    }

    /// Stores the conference whole, replacing an earlier version of the same meeting (its
    /// windows included), in one transaction.
    pub async fn save_conference(
        &self,
        conference: &Conference,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut transaction = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO conferences (integration, global_object_id, reservation_id, alias, \
             numeric_alias, subject, organizer_email, organizer_name, reserved_by, is_series, \
             first_start, last_end, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             ON CONFLICT (integration, global_object_id) DO UPDATE SET \
             reservation_id = $3, alias = $4, numeric_alias = $5, subject = $6, \
             organizer_email = $7, organizer_name = $8, reserved_by = $9, is_series = $10, \
             first_start = $11, last_end = $12, updated_at = $13",
        )
        .bind(conference.integration.as_str())
        .bind(conference.global_object_id.as_str())
        .bind(conference.reservation_id.map(|id| id.to_string()))
        .bind(conference.alias.as_str())
        .bind(conference.numeric_alias.as_str())
        .bind(conference.subject.as_str())
        .bind(conference.organizer_email.as_str())
        .bind(conference.organizer_name.as_deref())
        .bind(conference.reserved_by.as_ref().map(EmailAddress::as_str))
        .bind(i64::from(conference.is_series))
        .bind(conference.first_start)
        .bind(conference.last_end)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(
            "DELETE FROM conference_windows WHERE integration = $1 AND global_object_id = $2",
        )
        .bind(conference.integration.as_str())
        .bind(conference.global_object_id.as_str())
        .execute(&mut *transaction)
        .await?;
        for window in &conference.windows {
            insert_window(&mut transaction, conference, window).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Moves one occurrence (added if the series did not list it); false if there is no such
    /// conference.
    pub async fn move_occurrence(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
        window: ConferenceWindow,
    ) -> Result<bool, StoreError> {
        let Some(conference) = self.conference(integration, global_object_id).await? else {
            return Ok(false);
        };
        let mut transaction = self.writer().begin().await?;
        sqlx::query(
            "DELETE FROM conference_windows WHERE integration = $1 AND global_object_id = $2 \
             AND original_start = $3",
        )
        .bind(integration.as_str())
        .bind(global_object_id)
        .bind(window.original_start)
        .execute(&mut *transaction)
        .await?;
        insert_window(&mut transaction, &conference, &window).await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// Drops one occurrence; returns whether it was there.
    pub async fn cancel_occurrence(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
        original_start: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM conference_windows WHERE integration = $1 AND global_object_id = $2 \
             AND original_start = $3",
        )
        .bind(integration.as_str())
        .bind(global_object_id)
        .bind(original_start)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes the conference and its windows; returns whether it existed.
    pub async fn remove_conference(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
    ) -> Result<bool, StoreError> {
        let mut transaction = self.writer().begin().await?;
        // Explicitly, rather than trusting ON DELETE CASCADE: SQLite applies it only on
        // connections with foreign keys switched on.
        sqlx::query(
            "DELETE FROM conference_windows WHERE integration = $1 AND global_object_id = $2",
        )
        .bind(integration.as_str())
        .bind(global_object_id)
        .execute(&mut *transaction)
        .await?;
        let done =
            sqlx::query("DELETE FROM conferences WHERE integration = $1 AND global_object_id = $2")
                .bind(integration.as_str())
                .bind(global_object_id)
                .execute(&mut *transaction)
                .await?;
        transaction.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

async fn insert_window(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    conference: &Conference,
    window: &ConferenceWindow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO conference_windows (integration, global_object_id, original_start, \
         start_at, end_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(conference.integration.as_str())
    .bind(conference.global_object_id.as_str())
    .bind(window.original_start)
    .bind(window.start)
    .bind(window.end)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

fn conference_from_row(row: &AnyRow) -> Result<Conference, StoreError> {
    let corrupt = |what: &str, error: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("conferences.{what}: {error}"))
    };
    let text = |column: &str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    let email =
        |value: String, what: &str| EmailAddress::parse(&value).map_err(|e| corrupt(what, &e));
    Ok(Conference {
        integration: IntegrationId::parse(&text("integration")?)
            .map_err(|e| corrupt("integration", &e))?,
        global_object_id: text("global_object_id")?,
        reservation_id: row
            .try_get::<Option<String>, _>("reservation_id")?
            .map(|id| Uuid::parse_str(&id).map_err(|e| corrupt("reservation_id", &e)))
            .transpose()?,
        alias: Alias::parse(&text("alias")?).map_err(|e| corrupt("alias", &e))?,
        numeric_alias: NumericAlias::parse(&text("numeric_alias")?)
            .map_err(|e| corrupt("numeric_alias", &e))?,
        subject: text("subject")?,
        organizer_email: email(text("organizer_email")?, "organizer_email")?,
        organizer_name: row.try_get("organizer_name")?,
        reserved_by: row
            .try_get::<Option<String>, _>("reserved_by")?
            .map(|value| email(value, "reserved_by"))
            .transpose()?,
        is_series: row.try_get::<i64, _>("is_series")? != 0,
        first_start: row.try_get("first_start")?,
        last_end: row.try_get("last_end")?,
        windows: Vec::new(),
    })
}
