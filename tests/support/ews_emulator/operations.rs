//! The EWS operations: read the request's body element, act on the store, write the
//! `m:<Op>Response` element.

use roxmltree::Node;

use super::calendar_view;
use super::meetings::{self, Disposition, Reply};
use super::organizer;
use super::render::{item_xml, Shape};
use super::soap::{
    child, children, elements, escape, is, parse_date_time, text_at, ResponseMessages,
    MESSAGES_NS as M, TYPES_NS as T,
};
use super::state::{Folder, ItemKind, Person, Store, StoredItem, SyncChange};

/// The operations this emulator answers.
pub const OPERATIONS: [&str; 6] = [
    "SyncFolderItems",
    "GetItem",
    "CreateItem",
    "DeleteItem",
    "FindItem",
    "UpdateItem",
];

/// The static name of a supported operation.
pub fn supported(name: &str) -> Option<&'static str> {
    OPERATIONS.into_iter().find(|op| *op == name)
}

/// The response element and its response codes.
pub type Answer = (String, Vec<String>);

const NOT_FOUND: &str = "The specified object was not found in the store.";

/// Runs `operation` (already known to be supported) for `mailbox`.
pub fn run(operation: &'static str, body: Node, store: &mut Store, mailbox: &str) -> Answer {
    match operation {
        "SyncFolderItems" => sync_folder_items(body, store, mailbox),
        "GetItem" => get_item(body, store, mailbox),
        "CreateItem" => create_item(body, store, mailbox),
        "DeleteItem" => delete_item(body, store, mailbox),
        "UpdateItem" => organizer::update_item(body, store, mailbox),
        _ => find_item(body, store, mailbox),
    }
}

/// How many response messages a request gets (one per item for batched operations).
pub fn message_count(operation: &str, body: Node) -> usize {
    let count = match operation {
        "GetItem" | "DeleteItem" => child(body, M, "ItemIds")
            .map(|ids| elements(ids).count())
            .unwrap_or(0),
        "CreateItem" => child(body, M, "Items")
            .map(|items| elements(items).count())
            .unwrap_or(0),
        "UpdateItem" => child(body, M, "ItemChanges")
            .map(|changes| elements(changes).count())
            .unwrap_or(0),
        _ => 1,
    };
    count.max(1)
}

/// The same error in every response message of a request.
pub fn error_for_all(
    operation: &'static str,
    count: usize,
    code: &str,
    text: &str,
    message_xml: &str,
) -> Answer {
    let mut messages = ResponseMessages::new(operation);
    for _ in 0..count {
        messages.error_with_xml(code, text, message_xml);
    }
    messages.finish()
}

/// The folder a `SyncFolderId`/`ParentFolderIds` names, checked against the acting mailbox.
fn target_folder(parent: Option<Node>, mailbox: &str) -> Result<Folder, (&'static str, String)> {
    let id = parent
        .and_then(|p| child(p, T, "DistinguishedFolderId"))
        .ok_or((
            "ErrorFolderNotFound",
            "Only distinguished folders are known.".to_owned(),
        ))?;
    if let Some(owner) = text_at(id, &["Mailbox", "EmailAddress"]) {
        if !owner.eq_ignore_ascii_case(mailbox) {
            return Err((
                "ErrorAccessDenied",
                "The folder belongs to another mailbox.".to_owned(),
            ));
        }
    }
    let name = id.attribute("Id").unwrap_or_default();
    Folder::from_distinguished_id(name).ok_or((
        "ErrorFolderNotFound",
        format!("The folder {name} is not available."),
    ))
}

fn sync_folder_items(body: Node, store: &mut Store, mailbox: &str) -> Answer {
    let mut messages = ResponseMessages::new("SyncFolderItems");
    let shape = Shape::parse(child(body, M, "ItemShape"));
    let folder = match target_folder(child(body, M, "SyncFolderId"), mailbox) {
        Ok(folder) => folder,
        Err((code, text)) => {
            messages.error(code, &text);
            return messages.finish();
        }
    };
    let max = child(body, M, "MaxChangesReturned")
        .and_then(|n| n.text())
        .and_then(|t| t.trim().parse::<usize>().ok())
        .unwrap_or(512)
        .clamp(1, 512);
    let state = child(body, M, "SyncState")
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let from = match state {
        None => 0,
        Some(state) => match store.parse_sync_state(mailbox, folder, state) {
            Some(version) => version,
            None => {
                messages.error(
                    "ErrorInvalidSyncStateData",
                    "Synchronization state data is corrupt or otherwise invalid.",
                );
                return messages.finish();
            }
        },
    };
    let Some(owner) = store.mailbox(mailbox) else {
        messages.error("ErrorNonExistentMailbox", "The mailbox does not exist.");
        return messages.finish();
    };
    let (changes, reached, includes_last) = owner.folder(folder).changes_since(from, max);
    let mut xml = String::new();
    for change in &changes {
        match change {
            SyncChange::Create(item) => {
                xml.push_str(&format!("<t:Create>{}</t:Create>", item_xml(item, &shape)))
            }
            SyncChange::Update(item) => {
                xml.push_str(&format!("<t:Update>{}</t:Update>", item_xml(item, &shape)))
            }
            SyncChange::Delete(id) => xml.push_str(&format!(
                "<t:Delete><t:ItemId Id=\"{}\"/></t:Delete>",
                escape(id)
            )),
        }
    }
    let state = store.sync_state(mailbox, folder, reached);
    messages.success(&format!(
        "<m:SyncState>{state}</m:SyncState>\
         <m:IncludesLastItemInRange>{includes_last}</m:IncludesLastItemInRange>\
         <m:Changes>{xml}</m:Changes>"
    ));
    messages.finish()
}

/// An item of the mailbox, or one occurrence of a series in its calendar.
fn lookup(store: &Store, mailbox: &str, id: &str) -> Option<(Folder, StoredItem)> {
    if let Some(found) = store.find(mailbox, id) {
        return Some(found);
    }
    let (master_id, original_start) = Store::parse_occurrence_id(id)?;
    let (folder, master) = store.find(mailbox, &master_id)?;
    calendar_view::find_occurrence(&master, original_start).map(|o| (folder, o))
}

fn get_item(body: Node, store: &mut Store, mailbox: &str) -> Answer {
    let mut messages = ResponseMessages::new("GetItem");
    let shape = Shape::parse(child(body, M, "ItemShape"));
    let ids = child(body, M, "ItemIds");
    for id in ids.into_iter().flat_map(elements) {
        // A RecurringMasterItemId names the series of one of its occurrences.
        let found = match id.attribute("OccurrenceId") {
            Some(occurrence) => Store::parse_occurrence_id(occurrence)
                .and_then(|(master, _)| store.find(mailbox, &master)),
            None => id.attribute("Id").and_then(|id| lookup(store, mailbox, id)),
        };
        match found {
            Some((_, item)) => {
                messages.success(&format!("<m:Items>{}</m:Items>", item_xml(&item, &shape)))
            }
            None => messages.error("ErrorItemNotFound", NOT_FOUND),
        }
    }
    messages.finish()
}

fn create_item(body: Node, store: &mut Store, mailbox: &str) -> Answer {
    let mut messages = ResponseMessages::new("CreateItem");
    let disposition = match body.attribute("MessageDisposition") {
        Some("SendAndSaveCopy") => Disposition {
            send: true,
            save_copy: true,
        },
        Some("SendOnly") => Disposition {
            send: true,
            save_copy: false,
        },
        _ => Disposition {
            send: false,
            save_copy: false,
        },
    };
    let items = child(body, M, "Items");
    for element in items.into_iter().flat_map(elements) {
        let outcome = match element.tag_name().name() {
            "AcceptItem" => {
                response_object(element, store, mailbox, Some(Reply::Accept), disposition)
            }
            "TentativelyAcceptItem" => {
                response_object(element, store, mailbox, Some(Reply::Tentative), disposition)
            }
            "DeclineItem" => {
                response_object(element, store, mailbox, Some(Reply::Decline), disposition)
            }
            "RemoveItem" => response_object(element, store, mailbox, None, disposition),
            "Message" => send_message(element, store, mailbox, disposition),
            other => Err((
                "ErrorInvalidRequest",
                format!("Creating a {other} is not supported."),
            )),
        };
        match outcome {
            Ok(()) => messages.success("<m:Items/>"),
            Err((code, text)) => messages.error(code, &text),
        }
    }
    messages.finish()
}

type Outcome = Result<(), (&'static str, String)>;

/// AcceptItem / TentativelyAcceptItem / DeclineItem (`reply`) or RemoveItem (`None`).
fn response_object(
    element: Node,
    store: &mut Store,
    mailbox: &str,
    reply: Option<Reply>,
    disposition: Disposition,
) -> Outcome {
    let reference = child(element, T, "ReferenceItemId").ok_or((
        "ErrorInvalidReferenceItem",
        "ReferenceItemId is missing.".to_owned(),
    ))?;
    let id = reference.attribute("Id").unwrap_or_default();
    let change_key = reference.attribute("ChangeKey").ok_or((
        "ErrorChangeKeyRequiredForWriteOperations",
        "A change key is required for this operation.".to_owned(),
    ))?;
    let (_, item) = store
        .find(mailbox, id)
        .ok_or(("ErrorItemNotFound", NOT_FOUND.to_owned()))?;
    if item.change_key != change_key {
        return Err((
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed \
             in the request does not match the current change key for the item."
                .to_owned(),
        ));
    }
    let expected = if reply.is_some() {
        ItemKind::MeetingRequest
    } else {
        ItemKind::MeetingCancellation
    };
    if item.kind != expected {
        return Err((
            "ErrorInvalidReferenceItem",
            "The reference item does not support the requested operation.".to_owned(),
        ));
    }
    match reply {
        Some(reply) => {
            let body = text_at(element, &["Body"]).unwrap_or_default();
            meetings::respond(store, mailbox, &item, reply, &body, disposition);
        }
        None => meetings::remove_cancelled(store, mailbox, &item),
    }
    Ok(())
}

/// A plain `t:Message`: delivered to each `ToRecipients` mailbox, copy in sent items.
fn send_message(
    element: Node,
    store: &mut Store,
    mailbox: &str,
    disposition: Disposition,
) -> Outcome {
    let recipients: Vec<String> = child(element, T, "ToRecipients")
        .into_iter()
        .flat_map(|to| children(to, T, "Mailbox"))
        .filter_map(|m| text_at(m, &["EmailAddress"]))
        .collect();
    if recipients.is_empty() {
        return Err((
            "ErrorInvalidRecipients",
            "At least one recipient is required.".to_owned(),
        ));
    }
    let body = child(element, T, "Body");
    let message = StoredItem {
        id: String::new(),
        change_key: String::new(),
        kind: ItemKind::Message,
        item_class: "IPM.Note".to_owned(),
        subject: text_at(element, &["Subject"]).unwrap_or_default(),
        body: body.and_then(|b| b.text()).unwrap_or_default().to_owned(),
        body_is_html: body.and_then(|b| b.attribute("BodyType")) == Some("HTML"),
        received: time::OffsetDateTime::now_utc(),
        from: Some(Person {
            name: store.display_name(mailbox),
            smtp: mailbox.to_owned(),
        }),
        meeting: None,
        location: None,
    };
    if disposition.send {
        for to in &recipients {
            store.put(to, Folder::Inbox, message.clone());
        }
    }
    if disposition.save_copy {
        store.put(mailbox, Folder::SentItems, message);
    }
    Ok(())
}

fn delete_item(body: Node, store: &mut Store, mailbox: &str) -> Answer {
    let mut messages = ResponseMessages::new("DeleteItem");
    let move_to_deleted = body.attribute("DeleteType") == Some("MoveToDeletedItems");
    let ids = child(body, M, "ItemIds");
    for id in ids.into_iter().flat_map(elements) {
        let id = id.attribute("Id").unwrap_or_default();
        let deleted = match store.find(mailbox, id) {
            Some((folder, _)) if !move_to_deleted => store.remove(mailbox, folder, id).is_some(),
            Some(_) => store.move_item(mailbox, id, Folder::DeletedItems).is_some(),
            None => delete_occurrence(store, mailbox, id),
        };
        if deleted {
            messages.success("");
        } else {
            messages.error("ErrorItemNotFound", NOT_FOUND);
        }
    }
    messages.finish()
}

/// Deleting one occurrence removes it from its series.
fn delete_occurrence(store: &mut Store, mailbox: &str, id: &str) -> bool {
    let Some((master_id, original_start)) = Store::parse_occurrence_id(id) else {
        return false;
    };
    let Some((folder, mut master)) = store.find(mailbox, &master_id) else {
        return false;
    };
    if calendar_view::find_occurrence(&master, original_start).is_none() {
        return false;
    }
    if let Some(series) = master.meeting.as_mut() {
        series.modified_occurrences.remove(&original_start);
        series.deleted_occurrences.insert(original_start);
    }
    store.update(mailbox, folder, master);
    true
}

/// Exchange refuses a CalendarView longer than two years (a leap day included).
const MAX_CALENDAR_VIEW_SPAN: time::Duration = time::Duration::days(731);

fn find_item(body: Node, store: &mut Store, mailbox: &str) -> Answer {
    let mut messages = ResponseMessages::new("FindItem");
    let shape = Shape::parse(child(body, M, "ItemShape"));
    let folder = match target_folder(child(body, M, "ParentFolderIds"), mailbox) {
        Ok(folder) => folder,
        Err((code, text)) => {
            messages.error(code, &text);
            return messages.finish();
        }
    };
    let items = store.items(mailbox, folder);
    let (entries, max) = match child(body, M, "CalendarView") {
        Some(view) => {
            let start = view.attribute("StartDate").and_then(parse_date_time);
            let end = view.attribute("EndDate").and_then(parse_date_time);
            let (Some(start), Some(end)) = (start, end) else {
                messages.error("ErrorInvalidRequest", "StartDate and EndDate are required.");
                return messages.finish();
            };
            if end < start {
                messages.error("ErrorInvalidRequest", "EndDate is earlier than StartDate.");
                return messages.finish();
            }
            if end - start > MAX_CALENDAR_VIEW_SPAN {
                messages.error(
                    "ErrorCalendarViewRangeTooBig",
                    "The calendar view range exceeds the maximum range of two years.",
                );
                return messages.finish();
            }
            match calendar_view::view(&items, start, end) {
                Ok(entries) => (entries, max_entries(view)),
                Err(reason) => {
                    messages.error("ErrorInternalServerError", &reason);
                    return messages.finish();
                }
            }
        }
        None => {
            let paging = elements(body).find(|n| is(*n, M, "IndexedPageItemView"));
            (items, paging.map_or(usize::MAX, max_entries))
        }
    };
    let total = entries.len();
    let shown: String = entries
        .iter()
        .take(max)
        .map(|item| item_xml(item, &shape))
        .collect();
    messages.success(&format!(
        "<m:RootFolder TotalItemsInView=\"{total}\" IncludesLastItemInRange=\"{}\">\
         <t:Items>{shown}</t:Items></m:RootFolder>",
        max >= total
    ));
    messages.finish()
}

fn max_entries(view: Node) -> usize {
    view.attribute("MaxEntriesReturned")
        .and_then(|m| m.parse().ok())
        .unwrap_or(usize::MAX)
}
