//! Request envelopes for the five operations the service uses. Each one validates against the
//! EWS schema: header blocks in schema order, the body child carrying its own `xmlns:m` and
//! `xmlns:t`, and every value escaped.

use super::types::{ItemId, ItemTarget, Response, ServerVersion};
use super::xml::{XmlWriter, MESSAGES_NS, SOAP_NS, TYPES_NS};
use crate::domain::EmailAddress;
use time::{format_description::FormatItem, macros::format_description, OffsetDateTime, UtcOffset};

/// Largest `MaxChangesReturned` EWS accepts.
pub const MAX_SYNC_CHANGES: u16 = 512;

/// Properties fetched for each item by `GetItem` (all in the schema's `FieldURI` enumeration).
pub const GET_ITEM_FIELDS: [&str; 14] = [
    "item:ItemClass",
    "item:Subject",
    "item:Body",
    "item:DateTimeReceived",
    "calendar:Start",
    "calendar:End",
    "calendar:Organizer",
    "calendar:UID",
    "calendar:CalendarItemType",
    "calendar:Recurrence",
    "calendar:RecurrenceId",
    "meetingRequest:MeetingRequestType",
    "calendar:StartTimeZoneId",
    // Cancellations carry no Organizer in the schema; their sender is the organizer.
    "message:From",
];

const CALENDAR_VIEW_FIELDS: [&str; 5] = [
    "calendar:Start",
    "calendar:End",
    "calendar:UID",
    "calendar:CalendarItemType",
    // Names an occurrence across moves, so a series' windows can be matched to its updates.
    "calendar:RecurrenceId",
];

const UTC_SECONDS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// The SOAP header of every request: the schema version, and the mailbox acted as, if any.
#[derive(Debug, Clone, Copy)]
pub struct RequestHeader<'a> {
    pub version: ServerVersion,
    pub impersonate: Option<&'a EmailAddress>,
}

/// Writes the envelope around the body child that `body` writes after its opening tag.
fn envelope(
    header: &RequestHeader<'_>,
    operation: &'static str,
    attributes: &[(&str, &str)],
    body: impl FnOnce(&mut XmlWriter),
) -> String {
    let mut w = XmlWriter::new();
    w.start(
        "soap:Envelope",
        &[("xmlns:soap", SOAP_NS), ("xmlns:t", TYPES_NS)],
    );
    w.start("soap:Header", &[]);
    w.empty(
        "t:RequestServerVersion",
        &[("Version", header.version.as_str())],
    );
    if let Some(mailbox) = header.impersonate {
        w.start("t:ExchangeImpersonation", &[])
            .start("t:ConnectingSID", &[])
            .text_element("t:PrimarySmtpAddress", &[], mailbox.as_str())
            .end()
            .end();
    }
    w.end().start("soap:Body", &[]);
    let mut body_attributes = vec![("xmlns:m", MESSAGES_NS), ("xmlns:t", TYPES_NS)];
    body_attributes.extend_from_slice(attributes);
    w.start(operation, &body_attributes);
    body(&mut w);
    w.end().end().end();
    w.finish()
}

fn item_shape(w: &mut XmlWriter, body_text: bool, fields: &[&str]) {
    w.start("m:ItemShape", &[])
        .text_element("t:BaseShape", &[], "IdOnly");
    if body_text {
        w.text_element("t:BodyType", &[], "Text");
    }
    if !fields.is_empty() {
        w.start("t:AdditionalProperties", &[]);
        for field in fields {
            w.empty("t:FieldURI", &[("FieldURI", field)]);
        }
        w.end();
    }
    w.end();
}

fn item_id(w: &mut XmlWriter, element: &'static str, id: &ItemId) {
    match &id.change_key {
        Some(change_key) => w.empty(element, &[("Id", &id.id), ("ChangeKey", change_key)]),
        None => w.empty(element, &[("Id", &id.id)]),
    };
}

fn item_ids(w: &mut XmlWriter, ids: &[ItemId]) {
    w.start("m:ItemIds", &[]);
    for id in ids {
        item_id(w, "t:ItemId", id);
    }
    w.end();
}

fn utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(UTC_SECONDS)
        .expect("years 0..=9999 format")
}

/// `SyncFolderItems` on the inbox; `max_changes` is clamped to 1..=512.
pub fn sync_folder_items(
    header: &RequestHeader<'_>,
    sync_state: Option<&str>,
    max_changes: u16,
) -> String {
    let max_changes = max_changes.clamp(1, MAX_SYNC_CHANGES).to_string();
    envelope(header, "m:SyncFolderItems", &[], |w| {
        item_shape(w, false, &[]);
        w.start("m:SyncFolderId", &[])
            .empty("t:DistinguishedFolderId", &[("Id", "inbox")])
            .end();
        if let Some(state) = sync_state {
            w.text_element("m:SyncState", &[], state);
        }
        w.text_element("m:MaxChangesReturned", &[], &max_changes);
    })
}

/// `GetItem` with the properties of [`GET_ITEM_FIELDS`], bodies as text.
pub fn get_item(header: &RequestHeader<'_>, ids: &[ItemId]) -> String {
    envelope(header, "m:GetItem", &[], |w| {
        item_shape(w, true, &GET_ITEM_FIELDS);
        item_ids(w, ids);
    })
}

/// `CreateItem` with one response object per entry, sent and saved in Sent Items.
pub fn create_item(header: &RequestHeader<'_>, responses: &[Response]) -> String {
    envelope(
        header,
        "m:CreateItem",
        &[("MessageDisposition", "SendAndSaveCopy")],
        |w| {
            w.start("m:Items", &[]);
            for response in responses {
                let (element, item, body) = match response {
                    Response::Accept { item, body_html } => ("t:AcceptItem", item, Some(body_html)),
                    Response::Decline { item, body_html } => {
                        ("t:DeclineItem", item, Some(body_html))
                    }
                    Response::Remove { item } => ("t:RemoveItem", item, None),
                };
                w.start(element, &[]);
                if let Some(body) = body {
                    w.text_element("t:Body", &[("BodyType", "HTML")], body);
                }
                item_id(w, "t:ReferenceItemId", item);
                w.end();
            }
            w.end();
        },
    )
}

/// `DeleteItem`, to Deleted Items or (`hard`) for good.
pub fn delete_item(header: &RequestHeader<'_>, ids: &[ItemId], hard: bool) -> String {
    let delete_type = if hard {
        "HardDelete"
    } else {
        "MoveToDeletedItems"
    };
    envelope(
        header,
        "m:DeleteItem",
        &[("DeleteType", delete_type)],
        |w| {
            item_ids(w, ids);
        },
    )
}

/// `FindItem` with a calendar view of the calendar: occurrences expanded by Exchange.
pub fn find_calendar_view(
    header: &RequestHeader<'_>,
    start: OffsetDateTime,
    end: OffsetDateTime,
    max_entries: u32,
) -> String {
    let max_entries = max_entries.clamp(1, i32::MAX as u32).to_string();
    let (start, end) = (utc(start), utc(end));
    envelope(header, "m:FindItem", &[("Traversal", "Shallow")], |w| {
        item_shape(w, false, &CALENDAR_VIEW_FIELDS);
        w.empty(
            "m:CalendarView",
            &[
                ("MaxEntriesReturned", &max_entries),
                ("StartDate", &start),
                ("EndDate", &end),
            ],
        );
        w.start("m:ParentFolderIds", &[])
            .empty("t:DistinguishedFolderId", &[("Id", "calendar")])
            .end();
    })
}

/// `GetItem` of one item with its body as HTML: the item itself, or the series an
/// occurrence belongs to.
pub fn get_item_html(header: &RequestHeader<'_>, target: &ItemTarget) -> String {
    envelope(header, "m:GetItem", &[], |w| {
        w.start("m:ItemShape", &[])
            .text_element("t:BaseShape", &[], "IdOnly")
            .text_element("t:BodyType", &[], "HTML")
            .start("t:AdditionalProperties", &[])
            .empty("t:FieldURI", &[("FieldURI", "item:Body")])
            .empty("t:FieldURI", &[("FieldURI", "calendar:UID")])
            .end()
            .end();
        w.start("m:ItemIds", &[]);
        match target {
            ItemTarget::Item(id) => item_id(w, "t:ItemId", id),
            ItemTarget::SeriesOf(occurrence) => {
                let mut attributes = vec![("OccurrenceId", occurrence.id.as_str())];
                attributes.extend(
                    occurrence
                        .change_key
                        .as_deref()
                        .map(|key| ("ChangeKey", key)),
                );
                w.empty("t:RecurringMasterItemId", &attributes);
            }
        }
        w.end();
    })
}

/// `UpdateItem` of a calendar item's body and location, sent to every attendee.
/// The change key in `id` must still be current: a concurrent edit is never overwritten.
pub fn update_calendar_item(
    header: &RequestHeader<'_>,
    id: &ItemId,
    body_html: &str,
    location: &str,
) -> String {
    envelope(
        header,
        "m:UpdateItem",
        &[
            ("ConflictResolution", "NeverOverwrite"),
            ("MessageDisposition", "SaveOnly"),
            (
                "SendMeetingInvitationsOrCancellations",
                "SendToAllAndSaveCopy",
            ),
        ],
        |w| {
            w.start("m:ItemChanges", &[]).start("t:ItemChange", &[]);
            item_id(w, "t:ItemId", id);
            w.start("t:Updates", &[]);
            w.start("t:SetItemField", &[])
                .empty("t:FieldURI", &[("FieldURI", "item:Body")])
                .start("t:CalendarItem", &[])
                .text_element("t:Body", &[("BodyType", "HTML")], body_html)
                .end()
                .end();
            w.start("t:SetItemField", &[])
                .empty("t:FieldURI", &[("FieldURI", "calendar:Location")])
                .start("t:CalendarItem", &[])
                .text_element("t:Location", &[], location)
                .end()
                .end();
            w.end().end().end();
        },
    )
}
