//! Joining instructions of a provisioned room: rendered into the stored answer (the resource's
//! acceptance, or an update of the organizer's own meeting where the service may act as
//! organizers), and that update made just before the acceptance goes out.

use super::connector::{Answer, ConnectorError, OrganizerUpdate, OrganizerUpdateOutcome};
use super::outcome::{first_window, millis, OutcomeError};
use super::provision::ProvisionedRoom;
use super::{MailboxWorker, Pending, WorkerError};
use crate::config::IntegrationSettings;
use crate::scheduling::{InstructionsDelivery, MeetingMessage};
use crate::store::{Operation, Outcome};
use crate::templates::SharedValues;

/// Operations-log action of an acceptance that carries the instructions because the
/// organizer's meeting could not be updated.
pub const FALLBACK_ACTION: &str = "instructions_to_organizer";

/// The acceptance of a meeting with a provisioned room, with the room's instructions on their
/// way by `delivery`. Any other answer is returned as it is.
pub fn with_instructions(
    accept: Answer,
    delivery: InstructionsDelivery,
    integration: &IntegrationSettings,
    shared: &SharedValues,
    message: &MeetingMessage,
    provisioned: &ProvisionedRoom,
) -> Result<Answer, OutcomeError> {
    let Answer::Accept { body_html } = accept else {
        return Ok(accept);
    };
    let room = provisioned.room();
    let context = integration.joining_context(
        room.alias,
        room.numeric_alias,
        provisioned.marker().clone(),
        shared.clone(),
    );
    let instructions_html = integration.templates.joining_instructions(&context)?;
    let fallback_body_html = format!("{body_html}\n{instructions_html}");
    Ok(match delivery {
        InstructionsDelivery::ReplyToOrganizer => Answer::Accept {
            body_html: fallback_body_html,
        },
        InstructionsDelivery::AsOrganizer => {
            let (start, end) = first_window(&message.schedule);
            let start = start.map(millis).unwrap_or_default();
            Answer::AcceptAfterOrganizerUpdate {
                body_html,
                fallback_body_html,
                update: Box::new(OrganizerUpdate {
                    organizer: message.organizer.email.to_string(),
                    global_object_id: message.global_object_id.clone(),
                    start,
                    end: end.map(millis).unwrap_or(start),
                    instructions_html,
                    location: integration.templates.location(&context)?,
                    marker: provisioned.marker().as_str().to_string(),
                }),
            }
        }
    })
}

impl MailboxWorker {
    /// What goes to Exchange for a stored answer. An acceptance that first updates the
    /// organizer's meeting makes that update here; if it is refused, the acceptance carrying
    /// the instructions goes out instead and the operations log says so. `Err`: the update
    /// failed for now; the entry stays `applied` and is tried again.
    pub(super) async fn answer_to_send(
        &self,
        pending: &Pending,
    ) -> Result<Result<Answer, ConnectorError>, WorkerError> {
        let Answer::AcceptAfterOrganizerUpdate {
            body_html,
            fallback_body_html,
            update,
        } = &pending.answer
        else {
            return Ok(Ok(pending.answer.clone()));
        };
        let body_html = match self.connector.update_organizer_meeting(update).await {
            Ok(OrganizerUpdateOutcome::Updated) => body_html,
            Ok(OrganizerUpdateOutcome::Refused { code }) => {
                tracing::warn!(integration = %self.id(), %code, correlation_id = %pending.correlation_id, "cannot update the organizer's meeting; the instructions go to the organizer");
                self.store
                    .record_operation(&Operation {
                        at: millis(self.now()),
                        integration: self.id().clone(),
                        global_object_id: pending.global_object_id.clone(),
                        item_id: Some(pending.item.item_id.clone()),
                        action: FALLBACK_ACTION.to_string(),
                        outcome: Outcome::Ok,
                        error_code: Some(code),
                        correlation_id: Some(pending.correlation_id.clone()),
                        detail: Some(format!(
                            "the meeting of {} was not updated; the acceptance carries the \
                             joining instructions",
                            update.organizer
                        )),
                    })
                    .await?;
                fallback_body_html
            }
            Err(error) => return Ok(Err(error)),
        };
        Ok(Ok(Answer::Accept {
            body_html: body_html.clone(),
        }))
    }
}
