//! Messages the worker cannot get through — unreadable ones, and answers Exchange keeps
//! refusing — are tried a bounded number of times and then given up, with a trace in the
//! operations log, so that one bad message never holds back the inbox behind it.

use super::{millis, MailboxWorker, Pending, Resume, Step, WorkerError, MAX_ATTEMPTS};
use crate::scheduling::worker::connector::{Answer, ConnectorError, OutgoingAnswer};
use crate::scheduling::ItemIdentity;
use crate::store::{JournalEntry, JournalKey, JournalState};

/// Whether trying the same call again cannot help.
pub(super) fn hopeless(error: &ConnectorError) -> bool {
    matches!(
        error,
        ConnectorError::Failed {
            retryable: false,
            ..
        }
    )
}

impl MailboxWorker {
    /// A message that could not be read: read again on later cycles, up to `MAX_ATTEMPTS`
    /// pickups (none when retrying cannot help), then declined with the general-error reply.
    pub(super) async fn unreadable(
        &self,
        item: &ItemIdentity,
        error: &ConnectorError,
    ) -> Result<Step, WorkerError> {
        let entry = self
            .store
            .journal_pickup(
                self.id(),
                &item.item_id,
                &item.change_key,
                &uuid::Uuid::new_v4().to_string(),
                millis(self.now()),
            )
            .await?;
        self.log_failure(
            None,
            Some(item),
            "read",
            error.code(),
            Some(&entry.correlation_id),
        )
        .await?;
        match entry.state {
            JournalState::Done => return Ok(Step::AlreadyDone),
            JournalState::Applied => {
                return Ok(Step::Answer(Pending::from_entry(entry), Resume::Yes))
            }
            JournalState::Received => {}
        }
        if hopeless(error) || entry.attempts > MAX_ATTEMPTS {
            tracing::error!(correlation_id = %entry.correlation_id, attempts = entry.attempts,
                code = error.code(), "cannot read a message; declining it");
            return self.give_up(item, &entry, None).await;
        }
        Ok(Step::Failed)
    }

    /// Declines a message that failed too often, without storage changes.
    pub(super) async fn give_up(
        &self,
        item: &ItemIdentity,
        entry: &JournalEntry,
        global_object_id: Option<&str>,
    ) -> Result<Step, WorkerError> {
        let reply = serde_json::to_string(&self.general_error(entry)?).expect("answers serialize");
        let key = JournalKey {
            integration: self.id(),
            item_id: &item.item_id,
            change_key: &item.change_key,
        };
        self.store
            .apply_meeting_changes(key, global_object_id, &[], Some(&reply), millis(self.now()))
            .await?;
        let entry = JournalEntry {
            item_id: item.item_id.clone(),
            change_key: item.change_key.clone(),
            state: JournalState::Applied,
            reply: Some(reply),
            ..entry.clone()
        };
        Ok(Step::Answer(Pending::from_entry(entry), Resume::No))
    }

    /// An answer Exchange refused for good, `MAX_ATTEMPTS` times: the message leaves the inbox
    /// unanswered (as far as Exchange lets it) and its entry is closed, logged as abandoned.
    pub(super) async fn abandon(
        &self,
        entry: &Pending,
        error: &ConnectorError,
    ) -> Result<bool, WorkerError> {
        tracing::error!(correlation_id = %entry.correlation_id, attempts = entry.attempts,
            code = error.code(), "Exchange keeps refusing an answer; giving the message up");
        let discard = [OutgoingAnswer {
            item: entry.item.clone(),
            answer: Answer::Discard,
        }];
        if let Err(discard_error) = self.connector.send_answers(&discard).await {
            tracing::warn!(correlation_id = %entry.correlation_id, code = discard_error.code(),
                "cannot clear the abandoned message from the inbox");
        }
        self.store
            .journal_advance(
                self.id(),
                &entry.item.item_id,
                &entry.item.change_key,
                JournalState::Applied,
                JournalState::Done,
                None,
                None,
                millis(self.now()),
            )
            .await?;
        self.log_failure(
            entry.global_object_id.as_deref(),
            Some(&entry.item),
            "abandon",
            error.code(),
            Some(&entry.correlation_id),
        )
        .await?;
        Ok(true)
    }
}
