//! Turning a decision into what the worker stores and what it answers: storage changes for
//! [`crate::store::Store::apply_meeting_changes`] and the rendered [`Answer`].

use super::connector::Answer;
use super::provision::ProvisionedRoom;
use crate::domain::{Alias, IntegrationId, NumericAlias};
use crate::scheduling::{
    Change, ConferenceRecord, MeetingMessage, MeetingWindow, MessageKind, Reply, Schedule,
};
use crate::store::{Conference, ConferenceWindow, StoreChange};
use crate::templates::{RenderError, SharedValues, Templates};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// The room a booking uses: the marker's reservation or the meeting's stored conference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub reservation_id: Option<Uuid>,
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
}

#[derive(Debug, thiserror::Error)]
pub enum OutcomeError {
    #[error("the decision books a room but no reservation or conference provides one")]
    NoRoom,
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The storage changes of a plan; `provisioned` is the room drawn for a plan that provisions one.
pub fn store_changes(
    integration: &IntegrationId,
    changes: &[Change],
    room: Option<&Room>,
    provisioned: Option<&ProvisionedRoom>,
) -> Result<Vec<StoreChange>, OutcomeError> {
    let mut stored = Vec::with_capacity(changes.len() + 2);
    for change in changes {
        match change {
            Change::ProvisionVmr(record) => {
                let provisioned = provisioned.ok_or(OutcomeError::NoRoom)?;
                stored.extend(provisioned.store_changes(&record.global_object_id));
                stored.push(StoreChange::SaveConference(Box::new(conference(
                    integration,
                    record,
                    &provisioned.room(),
                ))));
            }
            other => stored.extend(store_change(integration, other, room)?),
        }
    }
    Ok(stored)
}

/// The one storage change a change maps to; `None` for those that store nothing themselves.
fn store_change(
    integration: &IntegrationId,
    change: &Change,
    room: Option<&Room>,
) -> Result<Option<StoreChange>, OutcomeError> {
    Ok(Some(match change {
        Change::MarkReservationUsed {
            reservation_id,
            global_object_id,
        } => StoreChange::MarkReservationUsed {
            reservation_id: *reservation_id,
            global_object_id: global_object_id.clone(),
        },
        Change::ReleaseReservation { reservation_id } => StoreChange::ReleaseReservation {
            reservation_id: *reservation_id,
        },
        Change::StoreConference(record) => StoreChange::SaveConference(Box::new(conference(
            integration,
            record,
            room.ok_or(OutcomeError::NoRoom)?,
        ))),
        Change::UpdateOccurrence {
            global_object_id,
            original_start,
            window,
        } => StoreChange::MoveOccurrence {
            global_object_id: global_object_id.clone(),
            window: ConferenceWindow {
                original_start: millis(*original_start),
                start: millis(window.start),
                end: millis(window.end),
            },
        },
        Change::CancelOccurrence {
            global_object_id,
            original_start,
        } => StoreChange::CancelOccurrence {
            global_object_id: global_object_id.clone(),
            original_start: millis(*original_start),
        },
        Change::RemoveConference { global_object_id } => StoreChange::RemoveConference {
            global_object_id: global_object_id.clone(),
        },
        // A provisioned room needs the drawn room (see `store_changes`); instructions travel
        // in the answer.
        Change::ProvisionVmr(_) | Change::SendInstructions(_) => return Ok(None),
    }))
}

fn conference(integration: &IntegrationId, record: &ConferenceRecord, room: &Room) -> Conference {
    let windows: Vec<MeetingWindow> = match &record.schedule {
        Schedule::Single(window) => vec![*window],
        Schedule::Series(series) => series.occurrences.clone(),
    };
    let first_start = match &record.schedule {
        Schedule::Single(window) => window.start,
        Schedule::Series(series) => series.first_start,
    };
    Conference {
        integration: integration.clone(),
        global_object_id: record.global_object_id.clone(),
        reservation_id: record.reservation_id.or(room.reservation_id),
        alias: room.alias.clone(),
        numeric_alias: room.numeric_alias.clone(),
        subject: record.subject.clone(),
        organizer_email: record.organizer.email.clone(),
        organizer_name: record.organizer.name.clone(),
        reserved_by: record.reserved_by.clone(),
        is_series: record.schedule.is_series(),
        first_start: millis(first_start),
        last_end: record.schedule.last_end().map(millis),
        windows: windows
            .iter()
            .map(|window| ConferenceWindow {
                original_start: millis(window.start),
                start: millis(window.start),
                end: millis(window.end),
            })
            .collect(),
    }
}

/// The answer for the message: the plan's reply rendered from the integration's templates, or
/// for a message that needs no reply, removal from the calendar (cancellations) or the inbox.
pub fn answer(
    templates: &Templates,
    shared: &SharedValues,
    message: &MeetingMessage,
    reply: Option<&Reply>,
    room: Option<&Room>,
) -> Result<Answer, OutcomeError> {
    let (start, end) = first_window(&message.schedule);
    Ok(match reply {
        Some(Reply::Accept(template)) => {
            let room = room.ok_or(OutcomeError::NoRoom)?;
            let values = json!({
                "alias": room.alias.as_str(),
                "numeric_alias": room.numeric_alias.as_str(),
                "subject": message.subject,
                "start_time": start.map(display_time),
                "end_time": end.map(display_time),
            });
            Answer::Accept {
                body_html: templates.render(template.template(), &shared.with(values))?,
            }
        }
        Some(Reply::Decline(template)) => {
            let values = match template {
                crate::scheduling::DeclineTemplate::AliasConflict { alias } => {
                    json!({ "alias": alias.as_str() })
                }
                crate::scheduling::DeclineTemplate::GeneralError { correlation_id } => {
                    json!({ "correlation_id": correlation_id })
                }
                _ => json!({}),
            };
            Answer::Decline {
                body_html: templates.render(template.template(), &shared.with(values))?,
            }
        }
        None if message.kind == MessageKind::Cancellation => Answer::RemoveFromCalendar,
        None => Answer::Discard,
    })
}

/// The general-error decline, for a message the worker could not process.
pub fn general_error(
    templates: &Templates,
    shared: &SharedValues,
    correlation_id: &str,
) -> Result<Answer, OutcomeError> {
    let template = crate::scheduling::DeclineTemplate::GeneralError {
        correlation_id: correlation_id.to_string(),
    };
    Ok(Answer::Decline {
        body_html: templates.render(
            template.template(),
            &shared.with(json!({ "correlation_id": correlation_id })),
        )?,
    })
}

pub(super) fn first_window(
    schedule: &Schedule,
) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    match schedule {
        Schedule::Single(window) => (Some(window.start), Some(window.end)),
        Schedule::Series(series) => (
            Some(series.first_start),
            series.occurrences.first().map(|w| w.end),
        ),
    }
}

pub(super) fn display_time(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_else(|_| at.to_string())
}

pub fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
