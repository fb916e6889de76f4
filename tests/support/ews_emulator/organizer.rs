//! The organizer's side of a meeting: the meeting in their calendar with its attendees, and
//! `UpdateItem` of it, which (as Exchange does with `SendMeetingInvitationsOrCancellations`)
//! sends the updated meeting request to every attendee.

use roxmltree::Node;

use super::meetings::{self, calendar_item};
use super::operations::Answer;
use super::soap::{child, elements, escape, ResponseMessages, MESSAGES_NS as M, TYPES_NS as T};
use super::state::{CalendarItemType, Folder, ItemKind, Meeting, Person, Store, StoredItem};
use super::{Invite, UpdateScope};

type Failure = (&'static str, String);

/// The meeting in the organizer's calendar and its request in every attendee's inbox (the
/// invite's resource first). Returns the organizer's calendar item id.
pub fn organize(store: &mut Store, invite: &Invite, other_attendees: &[&str]) -> String {
    let meeting = Meeting {
        uid: invite.uid.clone(),
        organizer: Person {
            name: invite.organizer.0.clone(),
            smtp: invite.organizer.1.clone(),
        },
        start: invite.start,
        end: invite.end,
        time_zone: invite.time_zone.clone(),
        recurrence: invite.recurrence.clone(),
        recurrence_id: None,
        calendar_item_type: if invite.recurrence.is_some() {
            CalendarItemType::RecurringMaster
        } else {
            CalendarItemType::Single
        },
        request_type: None,
        modified_occurrences: Default::default(),
        deleted_occurrences: Default::default(),
    };
    let id = store.put(
        &invite.organizer.1,
        Folder::Calendar,
        calendar_item(&invite.subject, &invite.body_html, meeting),
    );
    let mut attendees = vec![invite.resource.clone()];
    attendees.extend(other_attendees.iter().map(|a| (*a).to_owned()));
    for attendee in &attendees {
        let request = Invite {
            resource: attendee.clone(),
            ..invite.clone()
        };
        meetings::deliver_request(store, &request, None);
    }
    store.set_attendees(&invite.uid, attendees);
    id
}

/// `UpdateItem`: body and location of items in the acting mailbox.
pub fn update_item(body: Node, store: &mut Store, mailbox: &str) -> Answer {
    let mut messages = ResponseMessages::new("UpdateItem");
    let never_overwrite = body.attribute("ConflictResolution") == Some("NeverOverwrite");
    let send = matches!(
        body.attribute("SendMeetingInvitationsOrCancellations"),
        Some("SendToAllAndSaveCopy" | "SendOnlyToAll")
    );
    for change in child(body, M, "ItemChanges").into_iter().flat_map(elements) {
        match update_one(change, store, mailbox, never_overwrite, send) {
            Ok(item) => messages.success(&format!(
                "<m:Items><t:CalendarItem><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/>\
                 </t:CalendarItem></m:Items>",
                escape(&item.id),
                escape(&item.change_key)
            )),
            Err((code, text)) => messages.error(code, &text),
        }
    }
    messages.finish()
}

fn update_one(
    change: Node,
    store: &mut Store,
    mailbox: &str,
    never_overwrite: bool,
    send: bool,
) -> Result<StoredItem, Failure> {
    let id_node = child(change, T, "ItemId").ok_or((
        "ErrorInvalidRequest",
        "Only changes by ItemId are supported.".to_owned(),
    ))?;
    let id = id_node.attribute("Id").unwrap_or_default();
    let (folder, mut item) = store.find(mailbox, id).ok_or((
        "ErrorItemNotFound",
        "The specified object was not found in the store.".to_owned(),
    ))?;
    if never_overwrite
        && id_node
            .attribute("ChangeKey")
            .is_some_and(|key| key != item.change_key)
    {
        return Err((
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key \
             passed in the request does not match the current change key for the item."
                .to_owned(),
        ));
    }
    for update in child(change, T, "Updates").into_iter().flat_map(elements) {
        set_field(&mut item, update)?;
    }
    store.update(mailbox, folder, item);
    let (_, updated) = store.find(mailbox, id).expect("just stored");
    let organizes = updated.kind == ItemKind::CalendarItem
        && updated
            .meeting
            .as_ref()
            .is_some_and(|m| m.organizer.smtp.eq_ignore_ascii_case(mailbox));
    if send && organizes {
        send_update(store, &updated);
    }
    Ok(updated)
}

/// One `SetItemField` of the body or location.
fn set_field(item: &mut StoredItem, update: Node) -> Result<(), Failure> {
    let field = child(update, T, "FieldURI")
        .and_then(|f| f.attribute("FieldURI"))
        .unwrap_or_default();
    let value = |name: &str| {
        elements(update)
            .find(|e| e.tag_name().name() != "FieldURI")
            .and_then(|holder| child(holder, T, name))
    };
    match (update.tag_name().name(), field) {
        ("SetItemField", "item:Body") => {
            let body = value("Body");
            item.body = body.and_then(|b| b.text()).unwrap_or_default().to_owned();
            item.body_is_html = body.and_then(|b| b.attribute("BodyType")) == Some("HTML");
        }
        ("SetItemField", "calendar:Location") => {
            item.location = value("Location").and_then(|l| l.text()).map(str::to_owned);
        }
        (kind, field) => {
            return Err((
                "ErrorInvalidPropertySet",
                format!("{kind} of {field} is not supported."),
            ))
        }
    }
    Ok(())
}

/// The updated meeting request, in the inbox of every attendee.
fn send_update(store: &mut Store, item: &StoredItem) {
    let Some(meeting) = &item.meeting else {
        return;
    };
    for attendee in store.attendees(&meeting.uid) {
        let invite = Invite {
            uid: meeting.uid.clone(),
            organizer: (
                meeting.organizer.name.clone(),
                meeting.organizer.smtp.clone(),
            ),
            resource: attendee,
            subject: item.subject.clone(),
            body_html: item.body.clone(),
            start: meeting.start,
            end: meeting.end,
            time_zone: meeting.time_zone.clone(),
            recurrence: meeting.recurrence.clone(),
        };
        meetings::deliver_request(store, &invite, Some(UpdateScope::WholeSeries));
    }
}
