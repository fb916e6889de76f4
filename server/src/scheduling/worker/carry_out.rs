//! From a decision to a stored outcome: the storage changes and the answer to send, committed
//! with the journal step. A plan that provisions a room draws one and, should its alias be
//! taken meanwhile, draws again, so the answer always names the room that was stored.

use super::connector::Answer;
use super::instructions::with_instructions;
use super::outcome::{self, millis, OutcomeError, Room};
use super::provision::{self, ProvisionedRoom};
use super::{MailboxWorker, WorkerError};
use crate::scheduling::{Change, Decision, MeetingMessage, Plan};
use crate::store::{ApplyOutcome, JournalEntry, JournalKey, Operation, Outcome, StoreChange};
use time::OffsetDateTime;

/// Operations-log action of a room provisioned for a meeting booked without the add-in.
pub const PROVISION_ACTION: &str = "provision";

impl MailboxWorker {
    /// Stores the decision's outcome and moves the journal entry to `applied`; returns the
    /// answer stored, or `None` when another worker applied the entry meanwhile.
    pub(super) async fn carry_out(
        &self,
        message: &MeetingMessage,
        entry: &JournalEntry,
        decision: Decision,
        room: Option<Room>,
        now: OffsetDateTime,
    ) -> Result<Option<String>, WorkerError> {
        let plan = match decision {
            Decision::AlreadyProcessed => None,
            Decision::Act(plan) => Some(plan),
        };
        let provisions = plan.as_ref().is_some_and(|plan| {
            plan.changes
                .iter()
                .any(|change| matches!(change, Change::ProvisionVmr(_)))
        });
        let attempts = if provisions {
            provision::MAX_ATTEMPTS
        } else {
            1
        };
        for _ in 0..attempts {
            let provisioned = provisions.then(|| {
                ProvisionedRoom::draw(&self.integration, &message.organizer.email, millis(now))
            });
            let (changes, answer) = match &plan {
                None => (Vec::new(), Answer::Discard),
                Some(plan) => {
                    self.outcome(message, entry, plan, room.as_ref(), provisioned.as_ref())?
                }
            };
            let reply = serde_json::to_string(&answer).expect("answers serialize");
            match self.apply(message, &changes, &reply, now).await? {
                ApplyOutcome::Applied => {
                    if let Some(provisioned) = provisioned.filter(|_| !changes.is_empty()) {
                        self.log_provisioned(message, entry, &provisioned).await?;
                    }
                    return Ok(Some(reply));
                }
                ApplyOutcome::NotReceived => return Ok(None),
                ApplyOutcome::AliasTaken => continue,
            }
        }
        tracing::error!(integration = %self.id(), correlation_id = %entry.correlation_id, "no free alias for a provisioned room; the alias space is nearly full");
        let reply = serde_json::to_string(&self.general_error(entry)?).expect("answers serialize");
        Ok(match self.apply(message, &[], &reply, now).await? {
            ApplyOutcome::Applied => Some(reply),
            ApplyOutcome::NotReceived | ApplyOutcome::AliasTaken => None,
        })
    }

    /// The plan's storage changes and rendered answer; the general-error decline without
    /// changes if the plan cannot be carried out.
    fn outcome(
        &self,
        message: &MeetingMessage,
        entry: &JournalEntry,
        plan: &Plan,
        stored_room: Option<&Room>,
        provisioned: Option<&ProvisionedRoom>,
    ) -> Result<(Vec<StoreChange>, Answer), WorkerError> {
        let drawn = provisioned.map(ProvisionedRoom::room);
        let room = drawn.as_ref().or(stored_room);
        let rendered = outcome::store_changes(self.id(), &plan.changes, stored_room, provisioned)
            .and_then(|changes| {
                let answer = outcome::answer(
                    &self.integration.templates,
                    &self.shared,
                    message,
                    plan.reply.as_ref(),
                    room,
                )?;
                Ok((
                    changes,
                    self.instructions(answer, plan, message, provisioned)?,
                ))
            });
        match rendered {
            Ok(rendered) => Ok(rendered),
            Err(error) => {
                tracing::error!(correlation_id = %entry.correlation_id, %error, "cannot carry out the decision");
                Ok((Vec::new(), self.general_error(entry)?))
            }
        }
    }

    /// The answer with the provisioned room's instructions, if the plan sends them.
    fn instructions(
        &self,
        answer: Answer,
        plan: &Plan,
        message: &MeetingMessage,
        provisioned: Option<&ProvisionedRoom>,
    ) -> Result<Answer, OutcomeError> {
        let delivery = plan.changes.iter().find_map(|change| match change {
            Change::SendInstructions(delivery) => Some(*delivery),
            _ => None,
        });
        match (delivery, provisioned) {
            (Some(delivery), Some(provisioned)) => with_instructions(
                answer,
                delivery,
                &self.integration,
                &self.shared,
                message,
                provisioned,
            ),
            (Some(_), None) => Err(OutcomeError::NoRoom),
            (None, _) => Ok(answer),
        }
    }

    async fn apply(
        &self,
        message: &MeetingMessage,
        changes: &[StoreChange],
        reply: &str,
        now: OffsetDateTime,
    ) -> Result<ApplyOutcome, WorkerError> {
        let key = JournalKey {
            integration: self.id(),
            item_id: &message.item.item_id,
            change_key: &message.item.change_key,
        };
        Ok(self
            .store
            .try_apply_meeting_changes(
                key,
                Some(&message.global_object_id),
                changes,
                Some(reply),
                millis(now),
            )
            .await?)
    }

    async fn log_provisioned(
        &self,
        message: &MeetingMessage,
        entry: &JournalEntry,
        provisioned: &ProvisionedRoom,
    ) -> Result<(), WorkerError> {
        let room = provisioned.room();
        tracing::info!(integration = %self.id(), alias = %room.alias, correlation_id = %entry.correlation_id, "room provisioned for a meeting booked without the add-in");
        self.store
            .record_operation(&Operation {
                at: millis(self.now()),
                integration: self.id().clone(),
                global_object_id: Some(message.global_object_id.clone()),
                item_id: Some(message.item.item_id.clone()),
                action: PROVISION_ACTION.to_string(),
                outcome: Outcome::Ok,
                error_code: None,
                correlation_id: Some(entry.correlation_id.clone()),
                detail: Some(format!(
                    "{} ({}) for {}",
                    room.alias, room.numeric_alias, message.organizer.email
                )),
            })
            .await?;
        Ok(())
    }
}
