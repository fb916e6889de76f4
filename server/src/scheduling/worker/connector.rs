//! The one interface the worker needs from Exchange, so EWS and Microsoft Graph connectors are
//! interchangeable and the worker can be tested against an in-memory mailbox.

use crate::scheduling::{ItemIdentity, MeetingMessage, MeetingWindow};
use std::future::Future;
use std::pin::Pin;

pub type ConnectorFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ConnectorError>> + Send + 'a>>;

/// The inbox items that are new or changed since the last sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    pub items: Vec<ItemIdentity>,
    /// Where the next sync continues; saved once every item of the page is processed.
    pub sync_state: String,
    /// False when more changes wait behind this page.
    pub complete: bool,
}

/// What the worker sends for one message. Stored in the journal before it is sent, so a
/// restart sends the same thing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Answer {
    Accept {
        body_html: String,
    },
    Decline {
        body_html: String,
    },
    /// A cancellation: take the meeting (or occurrence) off the resource's calendar.
    RemoveFromCalendar,
    /// Nothing to answer (a response, a notification): just clear it from the inbox.
    Discard,
    /// A meeting the service provisioned a room for: first the organizer's own meeting gets
    /// the joining instructions (acting as the organizer, so Exchange sends them to every
    /// attendee), then the resource accepts with `body_html`. When the organizer's meeting
    /// cannot be updated, the resource accepts with `fallback_body_html` instead, which
    /// carries the instructions to the organizer.
    AcceptAfterOrganizerUpdate {
        body_html: String,
        fallback_body_html: String,
        update: Box<OrganizerUpdate>,
    },
}

/// The joining instructions to add to the organizer's own copy of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrganizerUpdate {
    pub organizer: String,
    /// iCalUId / CleanGlobalObjectId of the meeting.
    pub global_object_id: String,
    /// The meeting's (first) window in Unix milliseconds, where to look for it.
    pub start: i64,
    pub end: i64,
    pub instructions_html: String,
    pub location: String,
    /// Found in a body that already carries the instructions, so a repeat adds nothing.
    pub marker: String,
}

/// How an [`OrganizerUpdate`] went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizerUpdateOutcome {
    /// The meeting carries the instructions (now, or since an earlier attempt).
    Updated,
    /// It cannot be done (no right to act as the organizer, meeting not in their calendar…);
    /// `code` says why, for the operations log.
    Refused { code: String },
}

/// One occurrence of a recurring series as the resource's calendar shows it: an exception at
/// its moved time, cancelled occurrences left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesOccurrence {
    /// Where the occurrence was before any change; names it across moves.
    pub original_start: time::OffsetDateTime,
    pub window: MeetingWindow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingAnswer {
    pub item: ItemIdentity,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// The saved sync state is unknown to Exchange: sync again from the start.
    #[error("the inbox sync state is no longer valid")]
    SyncStateInvalid,
    /// The item is not there (any more).
    #[error("the item is gone")]
    ItemGone,
    /// Not a meeting request or cancellation (a response, a plain message): cleared unanswered.
    #[error("not a meeting message")]
    NotAMeetingMessage,
    /// `code` is stable (an EWS response code, an HTTP status…) for the operations log.
    #[error("{code}: {message}")]
    Failed {
        code: String,
        message: String,
        /// Worth trying again later (throttling, timeouts, 5xx).
        retryable: bool,
    },
}

impl ConnectorError {
    pub fn code(&self) -> &str {
        match self {
            Self::SyncStateInvalid => "sync_state_invalid",
            Self::ItemGone => "item_gone",
            Self::NotAMeetingMessage => "not_a_meeting_message",
            Self::Failed { code, .. } => code,
        }
    }
}

pub trait MailboxConnector: Send + Sync {
    /// New and changed inbox items since `sync_state` (`None`: from the start).
    fn sync_inbox<'a>(&'a self, sync_state: Option<&'a str>) -> ConnectorFuture<'a, InboxPage>;

    /// Reads the messages, one result per item, in order. The worker fills in the correlation id.
    fn read_messages<'a>(
        &'a self,
        items: &'a [ItemIdentity],
    ) -> ConnectorFuture<'a, Vec<Result<MeetingMessage, ConnectorError>>>;

    /// Sends the answers (as few calls as the protocol allows), one result per answer, in order.
    /// Every answered message leaves the inbox.
    fn send_answers<'a>(
        &'a self,
        answers: &'a [OutgoingAnswer],
    ) -> ConnectorFuture<'a, Vec<Result<(), ConnectorError>>>;

    /// Whether this version of the item still waits in the inbox, i.e. was not answered yet.
    fn still_waiting<'a>(&'a self, item: &'a ItemIdentity) -> ConnectorFuture<'a, bool>;

    /// The occurrences of the series `global_object_id` in the resource's calendar that overlap
    /// `[from, to)`, ordered by original start. The calendar expands the series (time zones,
    /// daylight-saving changes, exceptions); the connector splits the range into as many calls
    /// as the protocol needs.
    fn series_occurrences<'a>(
        &'a self,
        global_object_id: &'a str,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
    ) -> ConnectorFuture<'a, Vec<SeriesOccurrence>>;

    /// Adds the instructions to the organizer's own meeting and sends it to every attendee,
    /// acting as the organizer. An `Err` is worth trying again later; a connector that cannot
    /// act as organizers refuses, and the instructions go to the organizer instead.
    fn update_organizer_meeting<'a>(
        &'a self,
        update: &'a OrganizerUpdate,
    ) -> ConnectorFuture<'a, OrganizerUpdateOutcome> {
        let _ = update;
        Box::pin(async {
            Ok(OrganizerUpdateOutcome::Refused {
                code: "not_supported".into(),
            })
        })
    }
}
