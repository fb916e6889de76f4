//! Scheduling: what the service does with a meeting message that reached the equipment-resource
//! mailbox. This module is the functional core only: the caller (the mailbox worker) reads the
//! message and the stored state, calls [`decide`], then performs the returned [`Decision`].
//! Keeping the rules free of I/O lets every rule be tested to the second without Exchange.

mod decision;
pub mod status;
#[cfg(test)]
mod tests;
pub mod worker;

pub use decision::{
    decide, AcceptTemplate, Change, ConferenceRecord, Decision, DeclineTemplate,
    InstructionsDelivery, Note, Plan, Reply,
};

use crate::domain::{Alias, EmailAddress, NumericAlias};
use crate::store::ReservationState;
use time::OffsetDateTime;
use uuid::Uuid;

/// What kind of meeting message arrived. Anything else the connector saw (a response, a
/// forwarded notification, …) arrives as `Unsupported` so it is answered rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    Request,
    Cancellation,
    Unsupported(String),
}

/// Exchange's identity of one version of an item: a new change key means a new version, so the
/// pair tells a re-delivered message from a real update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemIdentity {
    pub item_id: String,
    pub change_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer {
    pub email: EmailAddress,
    pub name: Option<String>,
}

/// A start and an end, as sent by Exchange (no buffers: the platform adds them when it answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingWindow {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl MeetingWindow {
    /// A window that ends at or before its start cannot be booked.
    pub fn is_valid(&self) -> bool {
        self.end > self.start
    }
}

/// When the meeting takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Single(MeetingWindow),
    /// A recurring series shares one VMR for all its occurrences.
    Series(Series),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub first_start: OffsetDateTime,
    /// `None` for a series without an end date.
    pub last_end: Option<OffsetDateTime>,
    /// The occurrences the connector expanded; may be empty for an open-ended series.
    pub occurrences: Vec<MeetingWindow>,
}

impl Schedule {
    /// When the last minute of the meeting ends; `None` for an open-ended series.
    pub fn last_end(&self) -> Option<OffsetDateTime> {
        match self {
            Self::Single(window) => Some(window.end),
            Self::Series(series) => series.last_end,
        }
    }

    pub fn is_series(&self) -> bool {
        matches!(self, Self::Series(_))
    }

    /// Whether the connector handed over something bookable: every window ends after it starts.
    pub fn is_valid(&self) -> bool {
        match self {
            Self::Single(window) => window.is_valid(),
            Self::Series(series) => {
                series.last_end.is_none_or(|end| end > series.first_start)
                    && series.occurrences.iter().all(MeetingWindow::is_valid)
            }
        }
    }
}

/// What part of an already sent meeting an update or cancellation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateScope {
    WholeMeeting,
    WholeSeries,
    /// One occurrence of a series, named by where it was before any change.
    Occurrence {
        original_start: OffsetDateTime,
    },
}

/// One meeting message as the connector read it from the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingMessage {
    pub kind: MessageKind,
    pub item: ItemIdentity,
    /// iCalUId / CleanGlobalObjectId: the same for every version of the meeting.
    pub global_object_id: String,
    pub organizer: Organizer,
    pub subject: String,
    /// The body as text, searched for [`crate::domain::AliasMarker::PATTERN`].
    pub body_text: String,
    /// For an occurrence update, the occurrence's new window as a single meeting.
    pub schedule: Schedule,
    /// `None` for a new meeting; what the organizer changed otherwise.
    pub update: Option<UpdateScope>,
    /// Assigned by the worker when it picked up the item; quoted in the general-error decline
    /// so an administrator can find the log lines.
    pub correlation_id: String,
}

/// The reservation the message's marker points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReservation {
    pub id: Uuid,
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
    pub state: ReservationState,
    /// Who clicked the add-in button; may differ from the organizer (a delegate).
    pub reserved_by: EmailAddress,
    /// The global object id of the meeting that used the alias, once used.
    pub used_by_meeting: Option<String>,
}

/// The conference already scheduled for the message's global object id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConference {
    /// `None` for a conference provisioned without a reservation.
    pub reservation_id: Option<Uuid>,
    pub alias: Alias,
    pub schedule: Schedule,
}

/// Everything [`decide`] needs from storage, loaded by the caller beforehand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredState {
    pub reservation: Option<StoredReservation>,
    pub conference: Option<StoredConference>,
    /// The last item version processed for this meeting, so a re-delivery does nothing.
    pub last_processed: Option<ItemIdentity>,
}

/// What to do with a meeting that reached the mailbox without a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmarkedMeetings {
    /// Decline it: only meetings booked with the add-in get a room.
    Decline,
    /// Give it a new room. Sending instructions as the organizer needs impersonation rights.
    Provision { organizer_impersonation: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub unmarked: UnmarkedMeetings,
}
