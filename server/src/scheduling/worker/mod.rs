//! The mailbox worker of one integration: syncs the equipment resource's inbox, decides each
//! meeting message with [`crate::scheduling::decide`], stores the outcome and answers it.
//!
//! Exactly once: each item version gets a journal entry. Storage changes and the answer to send
//! are committed together (`received` → `applied`); the answer is sent and the entry closed
//! (`done`) afterwards. A worker stopped before the commit decides again (nothing was stored);
//! one stopped after it sends the stored answer, unless the message already left the inbox (the
//! answer went out before the stop). The sync state is saved only when every item of a page is
//! done, so a stop never skips a message.

mod carry_out;
mod connector;
mod give_up;
mod instructions;
mod outcome;
mod provision;
mod series_windows;
#[cfg(test)]
mod tests;

pub use connector::SeriesOccurrence;
pub use connector::{
    Answer, ConnectorError, ConnectorFuture, InboxPage, MailboxConnector, OrganizerUpdate,
    OrganizerUpdateOutcome, OutgoingAnswer,
};
pub use outcome::{OutcomeError, Room};

use super::{
    decide, ItemIdentity, MeetingMessage, Policy, StoredConference, StoredReservation, StoredState,
};
use crate::config::IntegrationSettings;
use crate::domain::{AliasMarker, EmailAddress, IntegrationId, UserIdentity};
use crate::store::{JournalEntry, JournalState, Operation, Outcome, Store, StoreError};
use crate::templates::SharedValues;
use outcome::millis;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Inbox pages synced per cycle at most; the rest waits for the next cycle.
const MAX_PAGES_PER_CYCLE: usize = 64;
/// Pickups of one item version before it is declined with the general error.
const MAX_ATTEMPTS: u32 = 5;
/// Answers per call to Exchange.
const MAX_ANSWERS_PER_CALL: usize = 50;
/// Unfinished journal entries resumed per cycle at most.
const MAX_RESUMED_PER_CYCLE: u32 = 512;

pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

#[derive(Clone)]
pub struct MailboxWorker {
    store: Store,
    connector: Arc<dyn MailboxConnector>,
    integration: Arc<IntegrationSettings>,
    shared: SharedValues,
    policy: Policy,
    clock: Clock,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Messages taken to `done` in this cycle (resumed ones included).
    pub done: usize,
    /// Messages left for a later cycle because a step failed.
    pub failed: usize,
    /// Entries of an earlier, interrupted cycle completed in this one.
    pub resumed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the mailbox cannot be synced: {0}")]
    Sync(ConnectorError),
}

impl MailboxWorker {
    pub fn new(
        store: Store,
        connector: Arc<dyn MailboxConnector>,
        integration: Arc<IntegrationSettings>,
        shared: SharedValues,
        policy: Policy,
        clock: Clock,
    ) -> Self {
        Self {
            store,
            connector,
            integration,
            shared,
            policy,
            clock,
        }
    }

    fn id(&self) -> &IntegrationId {
        &self.integration.id
    }

    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    /// One round: finish what an earlier round left, then sync and process every new message.
    pub async fn run_once(&self) -> Result<CycleReport, WorkerError> {
        let mut report = CycleReport::default();
        let left: Vec<Pending> = self
            .store
            .unfinished_journal_entries(self.id(), MAX_RESUMED_PER_CYCLE)
            .await?
            .into_iter()
            .filter(|entry| entry.state == JournalState::Applied)
            .map(Pending::from_entry)
            .collect();
        for finished in self.finish_all(&left, Resume::Yes).await? {
            if finished {
                report.done += 1;
                report.resumed += 1;
            } else {
                report.failed += 1;
            }
        }
        let mut sync_state = self.store.mailbox_sync(self.id()).await?.sync_state;
        for _ in 0..MAX_PAGES_PER_CYCLE {
            let page = match self.connector.sync_inbox(sync_state.as_deref()).await {
                Ok(page) => page,
                Err(ConnectorError::SyncStateInvalid) if sync_state.is_some() => {
                    // Start over: every item in the inbox comes again, and the journal
                    // skips the ones already done.
                    self.log_failure(None, None, "sync", "sync_state_invalid", None)
                        .await?;
                    sync_state = None;
                    continue;
                }
                Err(error) => {
                    self.store
                        .save_sync_failure(self.id(), &error.to_string(), millis(self.now()))
                        .await?;
                    self.log_failure(None, None, "sync", error.code(), None)
                        .await?;
                    return Err(WorkerError::Sync(error));
                }
            };
            let failed = self.process_page(&page.items, &mut report).await?;
            if failed > 0 {
                // Keep the old state: the page comes again and the failed items with it.
                report.failed += failed;
                break;
            }
            sync_state = Some(page.sync_state.clone());
            self.store
                .save_sync_success(self.id(), sync_state.as_deref(), 0, millis(self.now()))
                .await?;
            if page.complete {
                break;
            }
        }
        // Last, once the cycle's answers went out: the calendar shows their effect.
        self.store_awaited_series_windows().await?;
        Ok(report)
    }

    /// Processes the page's items; returns how many failed.
    async fn process_page(
        &self,
        items: &[ItemIdentity],
        report: &mut CycleReport,
    ) -> Result<usize, WorkerError> {
        if items.is_empty() {
            return Ok(0);
        }
        let messages = match self.connector.read_messages(items).await {
            Ok(messages) => messages,
            Err(error) => {
                self.log_failure(None, None, "read", error.code(), None)
                    .await?;
                return Ok(items.len());
            }
        };
        let mut failed = 0;
        let mut fresh = Vec::new();
        let mut resumed = Vec::new();
        for (item, message) in items.iter().zip(messages) {
            let step = match message {
                Ok(message) => self.process(message).await?,
                // Deleted or moved by someone else before we read it: nothing to answer.
                Err(ConnectorError::ItemGone) => Step::AlreadyDone,
                Err(ConnectorError::NotAMeetingMessage) => self.clear(item).await?,
                Err(error) => self.unreadable(item, &error).await?,
            };
            match step {
                Step::Done => report.done += 1,
                Step::AlreadyDone => {}
                Step::Failed => failed += 1,
                Step::Answer(pending, Resume::No) => fresh.push(pending),
                Step::Answer(pending, Resume::Yes) => resumed.push(pending),
            }
        }
        // The page's answers go out together: one call for many messages.
        for (pending, resume) in [(fresh, Resume::No), (resumed, Resume::Yes)] {
            for finished in self.finish_all(&pending, resume).await? {
                if finished {
                    report.done += 1;
                } else {
                    failed += 1;
                }
            }
        }
        Ok(failed)
    }

    /// Processes one message up to its answer (storage changed, answer stored).
    async fn process(&self, mut message: MeetingMessage) -> Result<Step, WorkerError> {
        let now = self.now();
        let entry = self
            .store
            .journal_pickup(
                self.id(),
                &message.item.item_id,
                &message.item.change_key,
                &uuid::Uuid::new_v4().to_string(),
                millis(now),
            )
            .await?;
        message.correlation_id = entry.correlation_id.clone();
        match entry.state {
            JournalState::Done => return Ok(Step::AlreadyDone),
            JournalState::Applied => {
                return Ok(Step::Answer(Pending::from_entry(entry), Resume::Yes))
            }
            JournalState::Received => {}
        }
        if entry.attempts > MAX_ATTEMPTS {
            tracing::error!(correlation_id = %entry.correlation_id, attempts = entry.attempts, "giving up on a message");
            return self
                .give_up(&message.item, &entry, Some(&message.global_object_id))
                .await;
        }
        let (stored, room) = self.stored_state(&message).await?;
        let gid = message.global_object_id.clone();
        let decision = decide(&message, &stored, now, &self.policy);
        let Some(reply) = self
            .carry_out(&message, &entry, decision, room, now)
            .await?
        else {
            // Another worker applied it meanwhile; it also answers.
            return Ok(Step::AlreadyDone);
        };
        let entry = JournalEntry {
            state: JournalState::Applied,
            reply: Some(reply),
            global_object_id: Some(gid),
            ..entry
        };
        Ok(Step::Answer(Pending::from_entry(entry), Resume::No))
    }

    /// Clears a message that is not about a meeting from the inbox, unanswered.
    async fn clear(&self, item: &ItemIdentity) -> Result<Step, WorkerError> {
        let outgoing = [OutgoingAnswer {
            item: item.clone(),
            answer: Answer::Discard,
        }];
        let cleared = match self.connector.send_answers(&outgoing).await {
            Ok(mut results) => results.pop().unwrap_or(Ok(())),
            Err(error) => Err(error),
        };
        match cleared {
            Ok(()) | Err(ConnectorError::ItemGone) => Ok(Step::Done),
            Err(error) => {
                self.log_failure(None, Some(item), "discard", error.code(), None)
                    .await?;
                Ok(Step::Failed)
            }
        }
    }

    fn general_error(&self, entry: &JournalEntry) -> Result<Answer, WorkerError> {
        outcome::general_error(
            &self.integration.templates,
            &self.shared,
            &entry.correlation_id,
        )
        .map_err(|error| {
            // Templates are checked at load with these values, so this cannot happen.
            WorkerError::Store(StoreError::Corrupt(format!(
                "general error template: {error}"
            )))
        })
    }

    /// Sends the stored answers of `applied` entries (those of an earlier attempt only if their
    /// message still waits in the inbox), then closes each entry that went out. One result per
    /// entry: false when its answer could not be sent (the entry stays `applied`).
    async fn finish_all(
        &self,
        pending: &[Pending],
        resume: Resume,
    ) -> Result<Vec<bool>, WorkerError> {
        let mut sent: Vec<Result<(), ConnectorError>> = Vec::with_capacity(pending.len());
        for chunk in pending.chunks(MAX_ANSWERS_PER_CALL) {
            // Only an entry left by an earlier attempt may have been answered already; one
            // applied just now was not, which saves a call per message.
            let mut waiting = Vec::with_capacity(chunk.len());
            let mut outgoing = Vec::with_capacity(chunk.len());
            for entry in chunk {
                let still_waiting = match resume {
                    Resume::Yes => self.connector.still_waiting(&entry.item).await,
                    Resume::No => Ok(true),
                };
                // Some answers need a step of their own first (the organizer's meeting).
                waiting.push(match still_waiting {
                    Ok(true) => self.answer_to_send(entry).await?.map(|answer| {
                        outgoing.push(OutgoingAnswer {
                            item: entry.item.clone(),
                            answer,
                        });
                        true
                    }),
                    other => other,
                });
            }
            let mut results = if outgoing.is_empty() {
                Vec::new()
            } else {
                match self.connector.send_answers(&outgoing).await {
                    Ok(results) => results,
                    Err(error) => outgoing.iter().map(|_| Err(error.clone())).collect(),
                }
            }
            .into_iter();
            for waiting in waiting {
                sent.push(match waiting {
                    Ok(true) => results.next().unwrap_or(Ok(())),
                    Ok(false) => Ok(()),
                    Err(error) => Err(error),
                });
            }
        }
        let mut finished = Vec::with_capacity(pending.len());
        for (entry, result) in pending.iter().zip(sent) {
            finished.push(self.close(entry, result).await?);
        }
        Ok(finished)
    }

    /// Closes the entry if its answer went out (or its message is gone); logs otherwise.
    async fn close(
        &self,
        entry: &Pending,
        sent: Result<(), ConnectorError>,
    ) -> Result<bool, WorkerError> {
        let gid = entry.global_object_id.as_deref();
        let action = action_name(&entry.answer);
        if let Err(error) = sent {
            if give_up::hopeless(&error) && entry.attempts >= MAX_ATTEMPTS {
                return self.abandon(entry, &error).await;
            }
            if error != ConnectorError::ItemGone {
                self.log_failure(
                    gid,
                    Some(&entry.item),
                    action,
                    error.code(),
                    Some(&entry.correlation_id),
                )
                .await?;
                return Ok(false);
            }
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
        self.store
            .record_operation(&Operation {
                at: millis(self.now()),
                integration: self.id().clone(),
                global_object_id: gid.map(str::to_string),
                item_id: Some(entry.item.item_id.clone()),
                action: action.to_string(),
                outcome: Outcome::Ok,
                error_code: None,
                correlation_id: Some(entry.correlation_id.clone()),
                detail: None,
            })
            .await?;
        Ok(true)
    }

    /// What `decide` needs from storage: the reservation of the body's first marker and the
    /// meeting's conference; plus the room a booking would use.
    async fn stored_state(
        &self,
        message: &MeetingMessage,
    ) -> Result<(StoredState, Option<Room>), WorkerError> {
        let mut state = StoredState::default();
        let mut room = None;
        let conference = self
            .store
            .conference(self.id(), &message.global_object_id)
            .await?;
        if let Some(conference) = &conference {
            room = Some(Room {
                reservation_id: conference.reservation_id,
                alias: conference.alias.clone(),
                numeric_alias: conference.numeric_alias.clone(),
            });
            state.conference = Some(StoredConference {
                reservation_id: self.reservation_for_decision(conference, message).await?,
                alias: conference.alias.clone(),
                schedule: conference_schedule(conference),
            });
        }
        if let Some(marker) = AliasMarker::find_all(&message.body_text).first() {
            if let Some(reservation) = self.store.reservation_by_marker(marker).await? {
                if reservation.integration == *self.id() {
                    let used_by_meeting = self.store.meeting_of_reservation(reservation.id).await?;
                    // A marker that replaces the conference's alias brings its own room.
                    room = Some(Room {
                        reservation_id: Some(reservation.id),
                        alias: reservation.alias.clone(),
                        numeric_alias: reservation.numeric_alias.clone(),
                    });
                    state.reservation = Some(StoredReservation {
                        id: reservation.id,
                        alias: reservation.alias,
                        numeric_alias: reservation.numeric_alias,
                        state: reservation.state,
                        reserved_by: reserved_by(&reservation.user, &message.organizer.email),
                        used_by_meeting,
                    });
                }
            }
        }
        Ok((state, room))
    }

    async fn log_failure(
        &self,
        global_object_id: Option<&str>,
        item: Option<&ItemIdentity>,
        action: &str,
        code: &str,
        correlation_id: Option<&str>,
    ) -> Result<(), StoreError> {
        tracing::warn!(integration = %self.id(), action, code, correlation_id, "mailbox step failed; retrying later");
        self.store
            .record_operation(&Operation {
                at: millis(self.now()),
                integration: self.id().clone(),
                global_object_id: global_object_id.map(str::to_string),
                item_id: item.map(|item| item.item_id.clone()),
                action: action.to_string(),
                outcome: Outcome::Failed,
                error_code: Some(code.to_string()),
                correlation_id: correlation_id.map(str::to_string),
                detail: None,
            })
            .await
    }

    /// Works the mailbox until `shutdown` turns true, holding the integration's lease so that
    /// only one instance does; `holder` names this instance.
    pub async fn run(
        self,
        holder: String,
        poll_interval: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let lease = poll_interval.saturating_mul(3).max(Duration::from_secs(30));
        while !*shutdown.borrow() {
            let now = millis(self.now());
            let expires = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
            match self
                .store
                .try_acquire_lease(self.id(), &holder, now, expires)
                .await
            {
                Ok(true) => {
                    if let Err(error) = self.run_once().await {
                        tracing::warn!(integration = %self.id(), %error, "mailbox cycle failed");
                    }
                }
                Ok(false) => {
                    tracing::debug!(integration = %self.id(), "another instance works this mailbox")
                }
                Err(error) => {
                    tracing::warn!(integration = %self.id(), %error, "cannot take the mailbox lease")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(poll_interval) => {}
                _ = shutdown.changed() => {}
            }
        }
        if let Err(error) = self.store.release_lease(self.id(), &holder).await {
            tracing::warn!(integration = %self.id(), %error, "cannot release the mailbox lease");
        }
    }
}

/// Whether `finish` picks up an entry of an earlier attempt.
#[derive(Clone, Copy)]
enum Resume {
    Yes,
    No,
}

/// How far one message got in this cycle.
enum Step {
    Done,
    /// Finished earlier (a re-delivery, or by another worker).
    AlreadyDone,
    /// A step failed; the message comes again.
    Failed,
    /// Stored; its answer goes out with the page's others.
    Answer(Pending, Resume),
}

/// An `applied` message whose answer is still to send.
struct Pending {
    item: ItemIdentity,
    answer: Answer,
    global_object_id: Option<String>,
    correlation_id: String,
    /// Pickups of the message so far.
    attempts: u32,
}

impl Pending {
    fn from_entry(entry: JournalEntry) -> Self {
        // An answer that does not read back is a stored row from another version: clearing the
        // message is the one answer that is always safe.
        let answer = entry
            .reply
            .as_deref()
            .and_then(|reply| serde_json::from_str(reply).ok())
            .unwrap_or(Answer::Discard);
        Self {
            item: ItemIdentity {
                item_id: entry.item_id,
                change_key: entry.change_key,
            },
            answer,
            global_object_id: entry.global_object_id,
            correlation_id: entry.correlation_id,
            attempts: entry.attempts,
        }
    }
}

fn action_name(answer: &Answer) -> &'static str {
    match answer {
        Answer::Accept { .. } => "accept",
        Answer::Decline { .. } => "decline",
        Answer::RemoveFromCalendar => "remove_from_calendar",
        Answer::Discard => "discard",
        Answer::AcceptAfterOrganizerUpdate { .. } => "accept_with_organizer_update",
    }
}

/// Who reserved the alias; an Exchange identity carries no address, so the organizer stands in.
fn reserved_by(user: &UserIdentity, organizer: &EmailAddress) -> EmailAddress {
    match user {
        UserIdentity::Entra {
            email: Some(email), ..
        } => email.clone(),
        _ => organizer.clone(),
    }
}

fn conference_schedule(conference: &crate::store::Conference) -> super::Schedule {
    use super::{MeetingWindow, Schedule, Series};
    let at = |ms: i64| {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    let windows: Vec<MeetingWindow> = conference
        .windows
        .iter()
        .map(|w| MeetingWindow {
            start: at(w.start),
            end: at(w.end),
        })
        .collect();
    if conference.is_series {
        Schedule::Series(Series {
            first_start: at(conference.first_start),
            last_end: conference.last_end.map(at),
            occurrences: windows,
        })
    } else {
        Schedule::Single(windows.first().copied().unwrap_or(MeetingWindow {
            start: at(conference.first_start),
            end: at(conference.last_end.unwrap_or(conference.first_start)),
        }))
    }
}
