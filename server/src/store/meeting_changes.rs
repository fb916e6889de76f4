//! Carrying out a meeting message's decision in storage: every change, and the journal entry
//! moving from `received` to `applied` with the reply still to send, in one transaction. A
//! worker that stops before the commit left nothing behind and decides again; one that stops
//! after it finds the reply in the journal and sends exactly that.

use super::conferences::{
    cancel_occurrence_in, move_occurrence_in, remove_conference_in, save_conference_in,
};
use super::reservations::insert_reservations;
use super::{Backend, Conference, ConferenceWindow, NewReservation, Store, StoreError};
use crate::domain::IntegrationId;
use sqlx::AnyConnection;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChange {
    /// The reservation now belongs to this meeting.
    MarkReservationUsed {
        reservation_id: Uuid,
        global_object_id: String,
    },
    /// A reservation no meeting holds any more: its alias is free again.
    ReleaseReservation {
        reservation_id: Uuid,
    },
    SaveConference(Box<Conference>),
    MoveOccurrence {
        global_object_id: String,
        window: ConferenceWindow,
    },
    CancelOccurrence {
        global_object_id: String,
        original_start: i64,
    },
    /// Removes the conference and frees its reservation's alias.
    RemoveConference {
        global_object_id: String,
    },
    /// A new reservation, for a room the service provisions itself. Its alias must be free:
    /// when it is taken, nothing is applied (see [`Store::try_apply_meeting_changes`]).
    InsertReservation(Box<NewReservation>),
}

/// What [`Store::try_apply_meeting_changes`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyOutcome {
    Applied,
    /// The journal entry is no longer `received`: someone else applied it. Nothing changed.
    NotReceived,
    /// A reservation to insert collides with a live alias, numeric alias or marker. Nothing
    /// changed; the caller may try again with other values.
    AliasTaken,
}

/// The journal entry the changes belong to.
#[derive(Debug, Clone, Copy)]
pub struct JournalKey<'a> {
    pub integration: &'a IntegrationId,
    pub item_id: &'a str,
    pub change_key: &'a str,
}

impl Store {
    /// Applies `changes` and moves the journal entry from `received` to `applied`, storing
    /// `reply` and the meeting's id, all or nothing. Returns false (and changes nothing) when
    /// the entry is no longer `received`: someone else applied it.
    pub async fn apply_meeting_changes(
        &self,
        key: JournalKey<'_>,
        global_object_id: Option<&str>,
        changes: &[StoreChange],
        reply: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let outcome = self
            .try_apply_meeting_changes(key, global_object_id, changes, reply, now)
            .await?;
        Ok(outcome == ApplyOutcome::Applied)
    }

    /// Like [`Self::apply_meeting_changes`], telling a taken alias from an entry applied
    /// elsewhere.
    pub async fn try_apply_meeting_changes(
        &self,
        key: JournalKey<'_>,
        global_object_id: Option<&str>,
        changes: &[StoreChange],
        reply: Option<&str>,
        now: i64,
    ) -> Result<ApplyOutcome, StoreError> {
        let mut transaction = self.writer().begin().await?;
        let claimed = sqlx::query(
            "UPDATE message_journal SET state = 'applied', reply = $1, \
             global_object_id = COALESCE($2, global_object_id), updated_at = $3 \
             WHERE integration = $4 AND item_id = $5 AND change_key = $6 AND state = 'received'",
        )
        .bind(reply)
        .bind(global_object_id)
        .bind(now)
        .bind(key.integration.as_str())
        .bind(key.item_id)
        .bind(key.change_key)
        .execute(&mut *transaction)
        .await?;
        if claimed.rows_affected() != 1 {
            transaction.rollback().await?;
            return Ok(ApplyOutcome::NotReceived);
        }
        for change in changes {
            let applied = apply(
                &mut transaction,
                self.backend(),
                key.integration,
                change,
                now,
            )
            .await?;
            if !applied {
                transaction.rollback().await?;
                return Ok(ApplyOutcome::AliasTaken);
            }
        }
        transaction.commit().await?;
        Ok(ApplyOutcome::Applied)
    }
}

/// Applies one change; false when a reservation to insert collided (nothing was written).
async fn apply(
    connection: &mut AnyConnection,
    backend: Backend,
    integration: &IntegrationId,
    change: &StoreChange,
    now: i64,
) -> Result<bool, StoreError> {
    match change {
        StoreChange::InsertReservation(new) => {
            let stored = insert_reservations(
                &mut *connection,
                backend,
                std::slice::from_ref(new.as_ref()),
            )
            .await?;
            return Ok(!stored.is_empty());
        }
        StoreChange::MarkReservationUsed {
            reservation_id,
            global_object_id,
        } => {
            sqlx::query(
                "UPDATE reservations SET state = 'used', used_by_meeting = $1, updated_at = $2 \
                 WHERE id = $3 AND integration = $4 AND state IN ('reserved', 'used')",
            )
            .bind(global_object_id.as_str())
            .bind(now)
            .bind(reservation_id.to_string())
            .bind(integration.as_str())
            .execute(connection)
            .await?;
        }
        StoreChange::ReleaseReservation { reservation_id } => {
            sqlx::query(
                "UPDATE reservations SET state = 'deleted', updated_at = $1 \
                 WHERE id = $2 AND integration = $3 AND state IN ('reserved', 'used')",
            )
            .bind(now)
            .bind(reservation_id.to_string())
            .bind(integration.as_str())
            .execute(connection)
            .await?;
        }
        StoreChange::SaveConference(conference) => {
            save_conference_in(connection, conference, now).await?;
        }
        StoreChange::MoveOccurrence {
            global_object_id,
            window,
        } => {
            move_occurrence_in(connection, integration, global_object_id, *window).await?;
        }
        StoreChange::CancelOccurrence {
            global_object_id,
            original_start,
        } => {
            cancel_occurrence_in(connection, integration, global_object_id, *original_start)
                .await?;
        }
        StoreChange::RemoveConference { global_object_id } => {
            remove_conference_in(connection, integration, global_object_id, now).await?;
        }
    }
    Ok(true)
}
