//! Mailboxes, folders and items, with a per-folder change log for SyncFolderItems.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use time::OffsetDateTime;

use super::recurrence::Recurrence;

/// The distinguished folders every mailbox has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Folder {
    Inbox,
    Calendar,
    SentItems,
    DeletedItems,
}

impl Folder {
    pub const ALL: [Folder; 4] = [
        Folder::Inbox,
        Folder::Calendar,
        Folder::SentItems,
        Folder::DeletedItems,
    ];

    /// The `DistinguishedFolderId Id` value.
    pub fn distinguished_id(self) -> &'static str {
        match self {
            Folder::Inbox => "inbox",
            Folder::Calendar => "calendar",
            Folder::SentItems => "sentitems",
            Folder::DeletedItems => "deleteditems",
        }
    }

    pub fn from_distinguished_id(id: &str) -> Option<Folder> {
        Folder::ALL.into_iter().find(|f| f.distinguished_id() == id)
    }
}

/// Which EWS item element an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Message,
    MeetingRequest,
    MeetingCancellation,
    MeetingResponse,
    CalendarItem,
}

impl ItemKind {
    /// The element name in the types namespace.
    pub fn element(self) -> &'static str {
        match self {
            ItemKind::Message => "Message",
            ItemKind::MeetingRequest => "MeetingRequest",
            ItemKind::MeetingCancellation => "MeetingCancellation",
            ItemKind::MeetingResponse => "MeetingResponse",
            ItemKind::CalendarItem => "CalendarItem",
        }
    }
}

/// `t:CalendarItemType` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarItemType {
    Single,
    RecurringMaster,
    Occurrence,
    Exception,
}

impl CalendarItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarItemType::Single => "Single",
            CalendarItemType::RecurringMaster => "RecurringMaster",
            CalendarItemType::Occurrence => "Occurrence",
            CalendarItemType::Exception => "Exception",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub smtp: String,
}

/// The calendar part of meeting messages and calendar items.
#[derive(Clone, Debug, PartialEq)]
pub struct Meeting {
    pub uid: String,
    pub organizer: Person,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// Windows time zone id of the series (or single meeting).
    pub time_zone: String,
    pub recurrence: Option<Recurrence>,
    /// For one occurrence of a series: its original start.
    pub recurrence_id: Option<OffsetDateTime>,
    pub calendar_item_type: CalendarItemType,
    /// `t:MeetingRequestType` of a meeting request.
    pub request_type: Option<String>,
    /// Occurrences of a series moved by an accepted update: original start → (start, end).
    pub modified_occurrences: BTreeMap<OffsetDateTime, (OffsetDateTime, OffsetDateTime)>,
    /// Original starts of occurrences removed from a series.
    pub deleted_occurrences: BTreeSet<OffsetDateTime>,
}

/// One item in a mailbox folder.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredItem {
    pub id: String,
    pub change_key: String,
    pub kind: ItemKind,
    pub item_class: String,
    pub subject: String,
    pub body: String,
    pub body_is_html: bool,
    pub received: OffsetDateTime,
    pub from: Option<Person>,
    pub meeting: Option<Meeting>,
    /// `calendar:Location`, as an update set it.
    pub location: Option<String>,
}

impl StoredItem {
    pub fn uid(&self) -> Option<&str> {
        self.meeting.as_ref().map(|m| m.uid.as_str())
    }
}

/// What a sync returns for one item.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncChange {
    Create(StoredItem),
    Update(StoredItem),
    Delete(String),
}

#[derive(Clone, Debug)]
enum Change {
    Created(StoredItem),
    Updated(StoredItem),
    Deleted(String),
}

impl Change {
    fn id(&self) -> &str {
        match self {
            Change::Created(item) | Change::Updated(item) => &item.id,
            Change::Deleted(id) => id,
        }
    }
}

#[derive(Clone, Debug)]
struct LogEntry {
    version: u64,
    change: Change,
}

/// A folder's items plus the log of every change, numbered by folder version.
#[derive(Default, Debug)]
pub struct FolderStore {
    pub items: Vec<StoredItem>,
    version: u64,
    log: Vec<LogEntry>,
}

impl FolderStore {
    pub fn version(&self) -> u64 {
        self.version
    }

    fn record(&mut self, change: Change) {
        self.version += 1;
        self.log.push(LogEntry {
            version: self.version,
            change,
        });
    }

    fn insert(&mut self, item: StoredItem) {
        self.record(Change::Created(item.clone()));
        self.items.push(item);
    }

    fn replace(&mut self, item: StoredItem) {
        if let Some(slot) = self.items.iter_mut().find(|i| i.id == item.id) {
            *slot = item.clone();
            self.record(Change::Updated(item));
        }
    }

    fn remove(&mut self, id: &str) -> Option<StoredItem> {
        let index = self.items.iter().position(|i| i.id == id)?;
        let item = self.items.remove(index);
        self.record(Change::Deleted(item.id.clone()));
        Some(item)
    }

    /// The net changes after `version`, touching at most `max` items, oldest first; also the
    /// version the client is at afterwards and whether that is the current one.
    ///
    /// Log entries are consumed in order, so the returned version describes exactly the folder
    /// state the client has after applying the changes.
    pub fn changes_since(&self, version: u64, max: usize) -> (Vec<SyncChange>, u64, bool) {
        struct Net {
            existed_before: bool,
            now: Option<StoredItem>,
        }
        let mut order: Vec<String> = Vec::new();
        let mut net: HashMap<String, Net> = HashMap::new();
        let mut reached = version;
        for entry in self.log.iter().filter(|e| e.version > version) {
            let id = entry.change.id().to_owned();
            if !net.contains_key(&id) {
                if order.len() >= max {
                    break;
                }
                order.push(id.clone());
                net.insert(
                    id.clone(),
                    Net {
                        existed_before: !matches!(entry.change, Change::Created(_)),
                        now: None,
                    },
                );
            }
            let slot = net.get_mut(&id).expect("inserted above");
            slot.now = match &entry.change {
                Change::Created(item) | Change::Updated(item) => Some(item.clone()),
                Change::Deleted(_) => None,
            };
            reached = entry.version;
        }
        let changes = order
            .into_iter()
            .filter_map(|id| {
                let Net {
                    existed_before,
                    now,
                } = net.remove(&id)?;
                match (existed_before, now) {
                    (false, Some(item)) => Some(SyncChange::Create(item)),
                    (true, Some(item)) => Some(SyncChange::Update(item)),
                    (true, None) => Some(SyncChange::Delete(id)),
                    (false, None) => None,
                }
            })
            .collect();
        (changes, reached, reached == self.version)
    }
}

pub struct Mailbox {
    pub name: String,
    pub folders: HashMap<Folder, FolderStore>,
}

impl Mailbox {
    fn new(name: &str) -> Self {
        Mailbox {
            name: name.to_owned(),
            folders: Folder::ALL
                .into_iter()
                .map(|f| (f, FolderStore::default()))
                .collect(),
        }
    }

    pub fn folder(&self, folder: Folder) -> &FolderStore {
        &self.folders[&folder]
    }

    /// The folder holding `id` and the item.
    pub fn find(&self, id: &str) -> Option<(Folder, &StoredItem)> {
        Folder::ALL.into_iter().find_map(|f| {
            self.folders[&f]
                .items
                .iter()
                .find(|i| i.id == id)
                .map(|i| (f, i))
        })
    }
}

/// Everything the emulated Exchange organisation stores.
pub struct Store {
    /// Distinguishes this emulator's ids and sync states from any other instance's.
    instance: String,
    mailboxes: HashMap<String, Mailbox>,
    counter: u64,
    /// The attendees (SMTP addresses) of each meeting an organizer's calendar holds, by UID.
    attendees: HashMap<String, Vec<String>>,
}

fn key(smtp: &str) -> String {
    smtp.trim().to_ascii_lowercase()
}

impl Store {
    pub fn new() -> Self {
        Store {
            instance: uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(),
            mailboxes: HashMap::new(),
            counter: 0,
            attendees: HashMap::new(),
        }
    }

    pub fn set_attendees(&mut self, uid: &str, attendees: Vec<String>) {
        self.attendees.insert(uid.to_owned(), attendees);
    }

    /// Who the organizer's updates of meeting `uid` go to.
    pub fn attendees(&self, uid: &str) -> Vec<String> {
        self.attendees.get(uid).cloned().unwrap_or_default()
    }

    pub fn add_mailbox(&mut self, smtp: &str, name: &str) {
        self.mailboxes
            .entry(key(smtp))
            .or_insert_with(|| Mailbox::new(name));
    }

    pub fn mailbox(&self, smtp: &str) -> Option<&Mailbox> {
        self.mailboxes.get(&key(smtp))
    }

    fn mailbox_mut(&mut self, smtp: &str) -> &mut Mailbox {
        let k = key(smtp);
        self.mailboxes
            .entry(k)
            .or_insert_with(|| Mailbox::new(smtp))
    }

    pub fn display_name(&self, smtp: &str) -> String {
        self.mailbox(smtp)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| smtp.to_owned())
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A fresh, opaque, base64 item id.
    pub fn new_id(&mut self) -> String {
        let n = self.next();
        let raw = format!("{}-item-{n:012}", self.instance);
        format!("AAMkAD{}", STANDARD.encode(raw))
    }

    /// A fresh change key.
    pub fn new_change_key(&mut self) -> String {
        let n = self.next();
        format!("CQAAABYAAAB{}", STANDARD.encode(n.to_be_bytes()))
    }

    /// Adds `item` (whose id and change key are replaced) to a folder; creates the mailbox
    /// if needed. Returns the id.
    pub fn put(&mut self, smtp: &str, folder: Folder, mut item: StoredItem) -> String {
        item.id = self.new_id();
        item.change_key = self.new_change_key();
        let id = item.id.clone();
        self.mailbox_mut(smtp)
            .folders
            .get_mut(&folder)
            .expect("every folder exists")
            .insert(item);
        id
    }

    /// Stores a changed item in place with a new change key.
    pub fn update(&mut self, smtp: &str, folder: Folder, mut item: StoredItem) {
        item.change_key = self.new_change_key();
        self.mailbox_mut(smtp)
            .folders
            .get_mut(&folder)
            .expect("every folder exists")
            .replace(item);
    }

    pub fn remove(&mut self, smtp: &str, folder: Folder, id: &str) -> Option<StoredItem> {
        self.mailbox_mut(smtp)
            .folders
            .get_mut(&folder)
            .expect("every folder exists")
            .remove(id)
    }

    /// Moves an item; like Exchange it gets a new id there. Returns the new id.
    pub fn move_item(&mut self, smtp: &str, id: &str, to: Folder) -> Option<String> {
        let (from, _) = self.mailbox(smtp)?.find(id)?;
        if from == to {
            return Some(id.to_owned());
        }
        let item = self.remove(smtp, from, id)?;
        Some(self.put(smtp, to, item))
    }

    pub fn find(&self, smtp: &str, id: &str) -> Option<(Folder, StoredItem)> {
        self.mailbox(smtp)?.find(id).map(|(f, i)| (f, i.clone()))
    }

    pub fn items(&self, smtp: &str, folder: Folder) -> Vec<StoredItem> {
        self.mailbox(smtp)
            .map(|m| m.folder(folder).items.clone())
            .unwrap_or_default()
    }

    /// The sync state token for a folder at `version`.
    pub fn sync_state(&self, smtp: &str, folder: Folder, version: u64) -> String {
        let raw = format!(
            "{}\n{}\n{}\n{version}",
            self.instance,
            key(smtp),
            folder.distinguished_id()
        );
        format!("H4sIAAAA{}", STANDARD.encode(raw))
    }

    /// The version a sync state stands for, if it was issued by this store for this folder.
    pub fn parse_sync_state(&self, smtp: &str, folder: Folder, state: &str) -> Option<u64> {
        let raw = STANDARD
            .decode(state.trim().strip_prefix("H4sIAAAA")?)
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let parts: Vec<&str> = raw.split('\n').collect();
        let [instance, mailbox, folder_id, version] = parts.as_slice() else {
            return None;
        };
        let version: u64 = version.parse().ok()?;
        let current = self.mailbox(smtp)?.folder(folder).version();
        let matches = *instance == self.instance
            && *mailbox == key(smtp)
            && *folder_id == folder.distinguished_id()
            && version <= current;
        matches.then_some(version)
    }

    /// An id for one occurrence of the series `master_id`.
    pub fn occurrence_id(master_id: &str, original_start: OffsetDateTime) -> String {
        let raw = format!("{master_id}\n{}", original_start.unix_timestamp());
        format!("AAMkOC{}", STANDARD.encode(raw))
    }

    /// The series id and original start an occurrence id denotes.
    pub fn parse_occurrence_id(id: &str) -> Option<(String, OffsetDateTime)> {
        let raw = STANDARD.decode(id.strip_prefix("AAMkOC")?).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (master, unix) = raw.split_once('\n')?;
        let start = OffsetDateTime::from_unix_timestamp(unix.parse().ok()?).ok()?;
        Some((master.to_owned(), start))
    }
}
