//! Conferences: the room of one meeting (a single meeting or a whole series), and the windows
//! in which it is open. Times are Unix milliseconds.

use super::{Store, StoreError};
use crate::domain::{Alias, EmailAddress, IntegrationId, NumericAlias};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
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

/// Windows per INSERT statement: 5 parameters each keeps a statement far below the parameter
/// limits of both databases.
const WINDOWS_PER_INSERT: usize = 200;

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
        save_conference_in(&mut transaction, conference, now).await?;
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
        let mut transaction = self.writer().begin().await?;
        let moved =
            move_occurrence_in(&mut transaction, integration, global_object_id, window).await?;
        transaction.commit().await?;
        Ok(moved)
    }

    /// Drops one occurrence; returns whether it was there.
    pub async fn cancel_occurrence(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
        original_start: i64,
    ) -> Result<bool, StoreError> {
        let mut connection = self.writer().acquire().await?;
        cancel_occurrence_in(
            &mut connection,
            integration,
            global_object_id,
            original_start,
        )
        .await
    }

    /// Series saved whole whose occurrences are still to be read from the resource's calendar,
    /// oldest save first; those with an answer not yet sent (a journal entry still `applied`)
    /// are left out, because the calendar does not show that answer's effect yet.
    pub async fn series_awaiting_windows(
        &self,
        integration: &IntegrationId,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT c.global_object_id FROM conferences c \
             WHERE c.integration = $1 AND c.series_windows_pending = 1 AND NOT EXISTS ( \
             SELECT 1 FROM message_journal j WHERE j.integration = c.integration \
             AND j.global_object_id = c.global_object_id AND j.state = 'applied') \
             ORDER BY c.updated_at, c.global_object_id LIMIT $2",
        )
        .bind(integration.as_str())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    /// Replaces every window of a conference with `windows` (a series' occurrences read from
    /// the resource's calendar) and clears its wait for them, in one transaction; false
    /// (nothing written) if there is no such conference.
    pub async fn replace_conference_windows(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
        windows: &[ConferenceWindow],
    ) -> Result<bool, StoreError> {
        let mut transaction = self.writer().begin().await?;
        let found = sqlx::query(
            "UPDATE conferences SET series_windows_pending = 0 \
             WHERE integration = $1 AND global_object_id = $2",
        )
        .bind(integration.as_str())
        .bind(global_object_id)
        .execute(&mut *transaction)
        .await?;
        if found.rows_affected() != 1 {
            transaction.rollback().await?;
            return Ok(false);
        }
        delete_windows(&mut transaction, integration, global_object_id, None).await?;
        for chunk in windows.chunks(WINDOWS_PER_INSERT) {
            insert_windows(&mut transaction, integration, global_object_id, chunk).await?;
        }
        transaction.commit().await?;
        Ok(true)
    }

    /// Removes the conference and its windows, and frees the alias of its reservation; returns
    /// whether it existed.
    pub async fn remove_conference(
        &self,
        integration: &IntegrationId,
        global_object_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut transaction = self.writer().begin().await?;
        let removed =
            remove_conference_in(&mut transaction, integration, global_object_id, now).await?;
        transaction.commit().await?;
        Ok(removed)
    }
}

pub(super) async fn save_conference_in(
    connection: &mut AnyConnection,
    conference: &Conference,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO conferences (integration, global_object_id, reservation_id, alias, \
         numeric_alias, subject, organizer_email, organizer_name, reserved_by, is_series, \
         first_start, last_end, created_at, updated_at, series_windows_pending) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $10) \
         ON CONFLICT (integration, global_object_id) DO UPDATE SET \
         reservation_id = $3, alias = $4, numeric_alias = $5, subject = $6, \
         organizer_email = $7, organizer_name = $8, reserved_by = $9, is_series = $10, \
         first_start = $11, last_end = $12, updated_at = $13, series_windows_pending = $10",
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
    .execute(&mut *connection)
    .await?;
    delete_windows(
        connection,
        &conference.integration,
        &conference.global_object_id,
        None,
    )
    .await?;
    for window in &conference.windows {
        insert_window(
            connection,
            &conference.integration,
            &conference.global_object_id,
            window,
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn move_occurrence_in(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    global_object_id: &str,
    window: ConferenceWindow,
) -> Result<bool, StoreError> {
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM conferences WHERE integration = $1 AND global_object_id = $2",
    )
    .bind(integration.as_str())
    .bind(global_object_id)
    .fetch_optional(&mut *connection)
    .await?;
    if exists.is_none() {
        return Ok(false);
    }
    delete_windows(
        connection,
        integration,
        global_object_id,
        Some(window.original_start),
    )
    .await?;
    insert_window(connection, integration, global_object_id, &window).await?;
    Ok(true)
}

pub(super) async fn cancel_occurrence_in(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    global_object_id: &str,
    original_start: i64,
) -> Result<bool, StoreError> {
    Ok(delete_windows(
        connection,
        integration,
        global_object_id,
        Some(original_start),
    )
    .await?
        == 1)
}

pub(super) async fn remove_conference_in(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    global_object_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    // Windows explicitly, rather than trusting ON DELETE CASCADE: SQLite applies it only on
    // connections with foreign keys switched on.
    delete_windows(connection, integration, global_object_id, None).await?;
    let reservation: Option<Option<String>> = sqlx::query_scalar(
        "DELETE FROM conferences WHERE integration = $1 AND global_object_id = $2 \
         RETURNING reservation_id",
    )
    .bind(integration.as_str())
    .bind(global_object_id)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(reservation) = reservation else {
        return Ok(false);
    };
    if let Some(id) = reservation {
        sqlx::query(
            "UPDATE reservations SET state = 'deleted', updated_at = $1 \
             WHERE id = $2 AND state IN ('reserved', 'used')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    }
    Ok(true)
}

/// Inserts `windows` with one statement.
async fn insert_windows(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    global_object_id: &str,
    windows: &[ConferenceWindow],
) -> Result<(), StoreError> {
    if windows.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..windows.len())
        .map(|n| {
            let first = 3 + 3 * n;
            format!("($1, $2, ${}, ${}, ${})", first, first + 1, first + 2)
        })
        .collect();
    let sql = format!(
        "INSERT INTO conference_windows (integration, global_object_id, original_start, \
         start_at, end_at) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql)
        .bind(integration.as_str())
        .bind(global_object_id);
    for window in windows {
        query = query
            .bind(window.original_start)
            .bind(window.start)
            .bind(window.end);
    }
    query.execute(connection).await?;
    Ok(())
}

/// Deletes the windows of a conference, or only the one with `original_start`; returns how many.
async fn delete_windows(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    global_object_id: &str,
    original_start: Option<i64>,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM conference_windows WHERE integration = $1 AND global_object_id = $2 \
         AND ($3 IS NULL OR original_start = $3)",
    )
    .bind(integration.as_str())
    .bind(global_object_id)
    .bind(original_start)
    .execute(connection)
    .await?;
    Ok(done.rows_affected())
}

async fn insert_window(
    connection: &mut AnyConnection,
    integration: &IntegrationId,
    global_object_id: &str,
    window: &ConferenceWindow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO conference_windows (integration, global_object_id, original_start, \
         start_at, end_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(integration.as_str())
    .bind(global_object_id)
    .bind(window.original_start)
    .bind(window.start)
    .bind(window.end)
    .execute(connection)
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
