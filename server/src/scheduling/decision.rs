//! The rules: one meeting message plus the stored state in, one [`Decision`] out.
//!
//! Two principles keep the rules consistent:
//! - a declined meeting holds no room: a decline removes the meeting's conference (or only the
//!   occurrence it is about) and releases a reservation that no meeting used yet;
//! - whether a request is new or edited follows the stored conference, not the message's flags,
//!   because a lost first version must still produce a booking.

use super::{
    MeetingMessage, MeetingWindow, MessageKind, Organizer, Policy, Schedule, StoredConference,
    StoredReservation, StoredState, UnmarkedMeetings, UpdateScope,
};
use crate::domain::{Alias, AliasMarker, EmailAddress};
use crate::store::ReservationState;
use crate::templates::TemplateName;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// This item version was processed before (a re-delivery): do nothing, reply nothing.
    AlreadyProcessed,
    /// Perform the plan, then record the message's item identity as processed.
    Act(Plan),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// `None` where Exchange expects no answer (cancellations).
    pub reply: Option<Reply>,
    /// Storage and platform changes, in the order to perform them.
    pub changes: Vec<Change>,
    /// Facts worth a log line that do not change the outcome.
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Accept(AcceptTemplate),
    Decline(DeclineTemplate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptTemplate {
    NewSingleMeeting,
    NewRecurringSeries,
    EditedSingleMeeting,
    EditedRecurringSeries,
    EditedOccurrence,
}

impl AcceptTemplate {
    pub fn template(self) -> TemplateName {
        match self {
            Self::NewSingleMeeting => TemplateName::AcceptNewSingleMeeting,
            Self::NewRecurringSeries => TemplateName::AcceptNewRecurringSeries,
            Self::EditedSingleMeeting => TemplateName::AcceptEditedSingleMeeting,
            Self::EditedRecurringSeries => TemplateName::AcceptEditedRecurringSeries,
            Self::EditedOccurrence => TemplateName::AcceptEditedOccurrence,
        }
    }
}

/// A decline, with the values its template needs beyond the shared ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclineTemplate {
    InvalidAliasId,
    AliasConflict { alias: Alias },
    AliasDeleted,
    SingleMeetingPast,
    RecurringSeriesPast,
    GeneralError { correlation_id: String },
}

impl DeclineTemplate {
    pub fn template(&self) -> TemplateName {
        match self {
            Self::InvalidAliasId => TemplateName::DeclineInvalidAliasId,
            Self::AliasConflict { .. } => TemplateName::DeclineAliasConflict,
            Self::AliasDeleted => TemplateName::DeclineAliasDeleted,
            Self::SingleMeetingPast => TemplateName::DeclineSingleMeetingPast,
            Self::RecurringSeriesPast => TemplateName::DeclineRecurringSeriesPast,
            Self::GeneralError { .. } => TemplateName::DeclineGeneralError,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The reservation now belongs to this meeting; its alias can no longer go to another one.
    MarkReservationUsed {
        reservation_id: Uuid,
        global_object_id: String,
    },
    /// The reservation was never used, or was replaced by another: its alias is free again.
    ReleaseReservation { reservation_id: Uuid },
    /// Create the meeting's conference, or replace it whole (subject, organizer, windows).
    StoreConference(ConferenceRecord),
    /// Move one occurrence of a series; the series keeps its room.
    UpdateOccurrence {
        global_object_id: String,
        original_start: OffsetDateTime,
        window: MeetingWindow,
    },
    /// Drop one occurrence of a series; the series keeps its room.
    CancelOccurrence {
        global_object_id: String,
        original_start: OffsetDateTime,
    },
    /// Remove the meeting's conference; the alias it held is released with it.
    RemoveConference { global_object_id: String },
    /// Create a room with a fresh alias for a meeting booked without the add-in.
    ProvisionVmr(ConferenceRecord),
    /// Send the joining instructions of the room just provisioned.
    SendInstructions(InstructionsDelivery),
}

/// How instructions reach attendees of a provisioned meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstructionsDelivery {
    /// Update the meeting as its organizer, so every attendee gets them (needs impersonation).
    AsOrganizer,
    /// Mail them to the organizer, who forwards them.
    ReplyToOrganizer,
}

/// The conference to store for a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceRecord {
    pub global_object_id: String,
    /// `None` for a provisioned room.
    pub reservation_id: Option<Uuid>,
    pub subject: String,
    pub organizer: Organizer,
    /// Who reserved the alias; differs from the organizer when a delegate booked the meeting.
    pub reserved_by: Option<EmailAddress>,
    pub schedule: Schedule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The body held several markers; the first one was used.
    SeveralMarkers {
        ignored: usize,
    },
    /// An update arrived for a meeting never booked; it was treated as new.
    UpdateOfUnknownMeeting,
    /// The organizer replaced the meeting's alias with a new reservation.
    AliasReplaced {
        previous_reservation: Option<Uuid>,
    },
    /// A cancellation arrived for a meeting that holds no room.
    NothingToCancel,
    /// An occurrence changed in a series that holds no room.
    OccurrenceOfUnknownSeries,
    /// The connector delivered windows that end before they start.
    InvalidSchedule,
    UnsupportedKind(String),
}

pub fn decide(
    message: &MeetingMessage,
    stored: &StoredState,
    now: OffsetDateTime,
    policy: &Policy,
) -> Decision {
    if stored.last_processed.as_ref() == Some(&message.item) {
        return Decision::AlreadyProcessed;
    }
    let context = Context {
        message,
        stored,
        now,
    };
    Decision::Act(match &message.kind {
        MessageKind::Request => context.request(policy),
        MessageKind::Cancellation => context.cancellation(),
        MessageKind::Unsupported(kind) => {
            context.general_error(Note::UnsupportedKind(kind.clone()))
        }
    })
}

/// Where the room of a booking comes from.
#[derive(Clone, Copy)]
enum Source<'a> {
    Reservation(&'a StoredReservation),
    Provisioned { organizer_impersonation: bool },
}

struct Context<'a> {
    message: &'a MeetingMessage,
    stored: &'a StoredState,
    now: OffsetDateTime,
}

impl Context<'_> {
    fn request(&self, policy: &Policy) -> Plan {
        if !self.message.schedule.is_valid() {
            return self.general_error(Note::InvalidSchedule);
        }
        let markers = AliasMarker::find_all(&self.message.body_text);
        let mut plan = if markers.is_empty() {
            self.unmarked(policy)
        } else {
            self.marked()
        };
        if markers.len() > 1 {
            plan.notes.insert(
                0,
                Note::SeveralMarkers {
                    ignored: markers.len() - 1,
                },
            );
        }
        plan
    }

    /// The caller looked the reservation up by the first marker of the body.
    fn marked(&self) -> Plan {
        let Some(reservation) = &self.stored.reservation else {
            return self.decline(DeclineTemplate::InvalidAliasId);
        };
        let used_by_this_meeting =
            reservation.used_by_meeting.as_deref() == Some(self.message.global_object_id.as_str());
        match reservation.state {
            ReservationState::Deleted | ReservationState::Expired | ReservationState::Replaced => {
                self.decline(DeclineTemplate::AliasDeleted)
            }
            ReservationState::Used if !used_by_this_meeting => {
                self.decline(DeclineTemplate::AliasConflict {
                    alias: reservation.alias.clone(),
                })
            }
            ReservationState::Reserved | ReservationState::Used => {
                self.book(Source::Reservation(reservation))
            }
        }
    }

    fn unmarked(&self, policy: &Policy) -> Plan {
        let UnmarkedMeetings::Provision {
            organizer_impersonation,
        } = policy.unmarked
        else {
            return self.decline(DeclineTemplate::InvalidAliasId);
        };
        match &self.stored.conference {
            // The marker of a meeting booked with the add-in was removed or edited.
            Some(conference) if conference.reservation_id.is_some() => {
                self.decline(DeclineTemplate::InvalidAliasId)
            }
            _ => self.book(Source::Provisioned {
                organizer_impersonation,
            }),
        }
    }

    fn book(&self, source: Source) -> Plan {
        if self.is_past() {
            return self.decline(self.past_template());
        }
        match (&self.stored.conference, self.occurrence_start()) {
            (None, Some(_)) => self.general_error(Note::OccurrenceOfUnknownSeries),
            (Some(_), Some(original_start)) => self.edit_occurrence(original_start),
            (Some(conference), None) => self.edit_whole(conference, source),
            (None, None) => self.book_new(source),
        }
    }

    fn book_new(&self, source: Source) -> Plan {
        let template = if self.message.schedule.is_series() {
            AcceptTemplate::NewRecurringSeries
        } else {
            AcceptTemplate::NewSingleMeeting
        };
        let changes = match source {
            Source::Reservation(reservation) => {
                let mut changes = Vec::new();
                if reservation.state == ReservationState::Reserved {
                    changes.push(self.mark_used(reservation));
                }
                changes.push(Change::StoreConference(self.record(Some(reservation))));
                changes
            }
            Source::Provisioned {
                organizer_impersonation,
            } => vec![
                Change::ProvisionVmr(self.record(None)),
                Change::SendInstructions(if organizer_impersonation {
                    InstructionsDelivery::AsOrganizer
                } else {
                    InstructionsDelivery::ReplyToOrganizer
                }),
            ],
        };
        let notes = if self.message.update.is_some() {
            vec![Note::UpdateOfUnknownMeeting]
        } else {
            Vec::new()
        };
        Plan {
            reply: Some(Reply::Accept(template)),
            changes,
            notes,
        }
    }

    fn edit_whole(&self, conference: &StoredConference, source: Source) -> Plan {
        let template = if self.message.schedule.is_series() {
            AcceptTemplate::EditedRecurringSeries
        } else {
            AcceptTemplate::EditedSingleMeeting
        };
        let reservation = match source {
            Source::Reservation(reservation) => Some(reservation),
            Source::Provisioned { .. } => None,
        };
        let mut plan = accept(template, Vec::new());
        if let Some(new) = reservation.filter(|r| Some(r.id) != conference.reservation_id) {
            plan.changes.push(self.mark_used(new));
            plan.changes.extend(
                conference
                    .reservation_id
                    .map(|reservation_id| Change::ReleaseReservation { reservation_id }),
            );
            plan.notes.push(Note::AliasReplaced {
                previous_reservation: conference.reservation_id,
            });
        }
        plan.changes
            .push(Change::StoreConference(self.record(reservation)));
        plan
    }

    fn edit_occurrence(&self, original_start: OffsetDateTime) -> Plan {
        let Schedule::Single(window) = self.message.schedule else {
            return self.general_error(Note::InvalidSchedule);
        };
        accept(
            AcceptTemplate::EditedOccurrence,
            vec![Change::UpdateOccurrence {
                global_object_id: self.message.global_object_id.clone(),
                original_start,
                window,
            }],
        )
    }

    /// Exchange expects no answer to a cancellation, and an attendee cannot decline one, so
    /// the only effect is to free the room.
    fn cancellation(&self) -> Plan {
        if self.stored.conference.is_none() {
            return Plan {
                notes: vec![Note::NothingToCancel],
                ..Plan::default()
            };
        }
        Plan {
            changes: vec![self.free_room()],
            ..Plan::default()
        }
    }

    fn decline(&self, template: DeclineTemplate) -> Plan {
        let mut changes = Vec::new();
        if self.stored.conference.is_some() {
            changes.push(self.free_room());
        }
        if let Some(reservation) = self
            .stored
            .reservation
            .as_ref()
            .filter(|r| r.state == ReservationState::Reserved)
        {
            changes.push(Change::ReleaseReservation {
                reservation_id: reservation.id,
            });
        }
        Plan {
            reply: Some(Reply::Decline(template)),
            changes,
            notes: Vec::new(),
        }
    }

    fn general_error(&self, note: Note) -> Plan {
        let mut plan = self.decline(DeclineTemplate::GeneralError {
            correlation_id: self.message.correlation_id.clone(),
        });
        plan.notes.push(note);
        plan
    }

    /// Removes what the message is about: one occurrence, or the whole meeting.
    fn free_room(&self) -> Change {
        let global_object_id = self.message.global_object_id.clone();
        match self.occurrence_start() {
            Some(original_start) => Change::CancelOccurrence {
                global_object_id,
                original_start,
            },
            None => Change::RemoveConference { global_object_id },
        }
    }

    /// A meeting that ends exactly now is still bookable; one second earlier it is not.
    /// An open-ended series is never in the past.
    fn is_past(&self) -> bool {
        self.message
            .schedule
            .last_end()
            .is_some_and(|end| end < self.now)
    }

    fn past_template(&self) -> DeclineTemplate {
        if self.message.schedule.is_series() && self.occurrence_start().is_none() {
            DeclineTemplate::RecurringSeriesPast
        } else {
            DeclineTemplate::SingleMeetingPast
        }
    }

    fn occurrence_start(&self) -> Option<OffsetDateTime> {
        match self.message.update {
            Some(UpdateScope::Occurrence { original_start }) => Some(original_start),
            _ => None,
        }
    }

    fn mark_used(&self, reservation: &StoredReservation) -> Change {
        Change::MarkReservationUsed {
            reservation_id: reservation.id,
            global_object_id: self.message.global_object_id.clone(),
        }
    }

    fn record(&self, reservation: Option<&StoredReservation>) -> ConferenceRecord {
        ConferenceRecord {
            global_object_id: self.message.global_object_id.clone(),
            reservation_id: reservation.map(|r| r.id),
            subject: self.message.subject.clone(),
            organizer: self.message.organizer.clone(),
            reserved_by: reservation.map(|r| r.reserved_by.clone()),
            schedule: self.message.schedule.clone(),
        }
    }
}

fn accept(template: AcceptTemplate, changes: Vec<Change>) -> Plan {
    Plan {
        reply: Some(Reply::Accept(template)),
        changes,
        notes: Vec::new(),
    }
}
