//! The values the EWS operations take and return.

use time::{Date, OffsetDateTime};

/// The schema version sent in `RequestServerVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerVersion {
    Exchange2013Sp1,
    Exchange2016,
}

impl ServerVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exchange2013Sp1 => "Exchange2013_SP1",
            Self::Exchange2016 => "Exchange2016",
        }
    }
}

/// An item's id; the change key is required for writes and changes with every modification.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemId {
    pub id: String,
    pub change_key: Option<String>,
}

impl ItemId {
    pub fn new(id: impl Into<String>, change_key: Option<String>) -> Self {
        Self {
            id: id.into(),
            change_key,
        }
    }
}

/// An item to read: the item itself, or the series (recurring master) of an occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemTarget {
    Item(ItemId),
    SeriesOf(ItemId),
}

/// The element an item comes as, which tells its kind without fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    MeetingRequest,
    MeetingCancellation,
    MeetingResponse,
    Message,
    CalendarItem,
    /// Any other item element (`Contact`, `Task`, `PostItem`, …), by local name.
    Other(String),
}

impl ItemKind {
    pub fn from_element(local_name: &str) -> Self {
        match local_name {
            "MeetingRequest" => Self::MeetingRequest,
            "MeetingCancellation" => Self::MeetingCancellation,
            "MeetingResponse" => Self::MeetingResponse,
            "Message" => Self::Message,
            "CalendarItem" => Self::CalendarItem,
            other => Self::Other(other.to_string()),
        }
    }
}

/// One page of inbox changes since `sync_state` was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPage {
    /// Pass this to the next call; persist it once the changes are handled.
    pub sync_state: String,
    /// `false`: more changes are waiting, call again at once.
    pub includes_last: bool,
    pub changes: Vec<SyncChange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncChange {
    Created { id: ItemId, kind: ItemKind },
    Updated { id: ItemId, kind: ItemKind },
    Deleted { id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarItemType {
    Single,
    RecurringMaster,
    Occurrence,
    Exception,
}

impl CalendarItemType {
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "Single" => Some(Self::Single),
            "RecurringMaster" => Some(Self::RecurringMaster),
            "Occurrence" => Some(Self::Occurrence),
            "Exception" => Some(Self::Exception),
            _ => None,
        }
    }
}

/// What the service needs to know of a series' recurrence: its pattern and where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurrenceSummary {
    /// The pattern element's local name, e.g. `WeeklyRecurrence`.
    pub pattern: String,
    pub start_date: Option<Date>,
    /// Set for an `EndDateRecurrence`.
    pub end_date: Option<Date>,
    /// Set for a `NumberedRecurrence`.
    pub occurrences: Option<u32>,
}

impl RecurrenceSummary {
    /// `false` for a `NoEndRecurrence`: the series runs forever.
    pub fn has_end(&self) -> bool {
        self.end_date.is_some() || self.occurrences.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer {
    pub name: Option<String>,
    /// Normally an SMTP address; Exchange may give an X.500 address for internal senders.
    pub email: String,
}

/// A meeting message or other item as `GetItem` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    pub item_class: Option<String>,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub received: Option<OffsetDateTime>,
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
    pub organizer: Option<Organizer>,
    pub uid: Option<String>,
    pub calendar_item_type: Option<CalendarItemType>,
    pub recurrence: Option<RecurrenceSummary>,
    /// For one occurrence of a series: its original start.
    pub recurrence_id: Option<OffsetDateTime>,
    pub meeting_request_type: Option<String>,
    /// Windows time zone name of the start, e.g. `W. Europe Standard Time`.
    pub start_time_zone_id: Option<String>,
}

impl Item {
    /// An item with only its id and kind, every property absent.
    pub fn bare(id: ItemId, kind: ItemKind) -> Self {
        Self {
            id,
            kind,
            item_class: None,
            subject: None,
            body_text: None,
            received: None,
            start: None,
            end: None,
            organizer: None,
            uid: None,
            calendar_item_type: None,
            recurrence: None,
            recurrence_id: None,
            meeting_request_type: None,
            start_time_zone_id: None,
        }
    }
}

/// A reply the resource sends about a meeting message (a response object of `CreateItem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Accept {
        item: ItemId,
        body_html: String,
    },
    Decline {
        item: ItemId,
        body_html: String,
    },
    /// Takes a cancelled meeting off the calendar (the item is the cancellation).
    Remove {
        item: ItemId,
    },
}

/// One entry of the calendar view: a single meeting or one expanded occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub id: ItemId,
    pub uid: Option<String>,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub calendar_item_type: Option<CalendarItemType>,
    /// For an occurrence or exception of a series: its start before any change.
    pub recurrence_id: Option<OffsetDateTime>,
}

/// A calendar view and whether it holds every entry of the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarView {
    pub entries: Vec<CalendarEntry>,
    /// `false` when `max_entries` cut the view short.
    pub includes_last: bool,
}
