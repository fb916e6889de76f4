//! What Exchange does with meeting messages: delivering requests, updates and cancellations
//! to a resource, and the effects of accepting, declining and removing them.

use time::OffsetDateTime;

use super::state::{CalendarItemType, Folder, ItemKind, Meeting, Person, Store, StoredItem};
use super::{Invite, UpdateScope};

/// The reply a resource sends to a meeting request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    Accept,
    Tentative,
    Decline,
}

impl Reply {
    fn item_class(self) -> &'static str {
        match self {
            Reply::Accept => "IPM.Schedule.Meeting.Resp.Pos",
            Reply::Tentative => "IPM.Schedule.Meeting.Resp.Tent",
            Reply::Decline => "IPM.Schedule.Meeting.Resp.Neg",
        }
    }

    fn subject_prefix(self) -> &'static str {
        match self {
            Reply::Accept => "Accepted",
            Reply::Tentative => "Tentative",
            Reply::Decline => "Declined",
        }
    }
}

/// How a response object's result is sent (`MessageDisposition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disposition {
    pub send: bool,
    pub save_copy: bool,
}

fn meeting_message(
    kind: ItemKind,
    item_class: &str,
    subject: String,
    body: String,
    from: Person,
    meeting: Meeting,
) -> StoredItem {
    StoredItem {
        id: String::new(),
        change_key: String::new(),
        kind,
        item_class: item_class.to_owned(),
        subject,
        body,
        body_is_html: true,
        received: OffsetDateTime::now_utc(),
        from: Some(from),
        meeting: Some(meeting),
        location: None,
    }
}

fn organizer(invite: &Invite) -> Person {
    Person {
        name: invite.organizer.0.clone(),
        smtp: invite.organizer.1.clone(),
    }
}

/// A meeting request in the resource's inbox for a new meeting or an update.
pub fn deliver_request(store: &mut Store, invite: &Invite, update: Option<UpdateScope>) -> String {
    let (recurrence, recurrence_id, calendar_item_type) = match update {
        Some(UpdateScope::Occurrence { original_start }) => {
            (None, Some(original_start), CalendarItemType::Exception)
        }
        _ if invite.recurrence.is_some() => (
            invite.recurrence.clone(),
            None,
            CalendarItemType::RecurringMaster,
        ),
        _ => (None, None, CalendarItemType::Single),
    };
    let request_type = if update.is_some() {
        "FullUpdate"
    } else {
        "NewMeetingRequest"
    };
    let meeting = Meeting {
        uid: invite.uid.clone(),
        organizer: organizer(invite),
        start: invite.start,
        end: invite.end,
        time_zone: invite.time_zone.clone(),
        recurrence,
        recurrence_id,
        calendar_item_type,
        request_type: Some(request_type.to_owned()),
        modified_occurrences: Default::default(),
        deleted_occurrences: Default::default(),
    };
    let item = meeting_message(
        ItemKind::MeetingRequest,
        "IPM.Schedule.Meeting.Request",
        invite.subject.clone(),
        invite.body_html.clone(),
        organizer(invite),
        meeting,
    );
    store.put(&invite.resource, Folder::Inbox, item)
}

/// The latest thing the resource knows about meeting `uid`: its calendar item (the series or
/// single meeting) or else the newest meeting request.
fn known_meeting(store: &Store, resource: &str, uid: &str) -> Option<(String, Meeting)> {
    let calendar = store.items(resource, Folder::Calendar);
    let in_calendar = calendar.iter().find(|i| {
        i.uid() == Some(uid)
            && i.meeting
                .as_ref()
                .is_some_and(|m| m.recurrence_id.is_none())
    });
    let latest_request = || {
        Folder::ALL
            .into_iter()
            .flat_map(|f| store.items(resource, f))
            .filter(|i| i.kind == ItemKind::MeetingRequest && i.uid() == Some(uid))
            .max_by_key(|i| i.received)
    };
    in_calendar
        .cloned()
        .or_else(latest_request)
        .and_then(|i| Some((i.subject.clone(), i.meeting?)))
}

/// A meeting cancellation in the resource's inbox (whole meeting or one occurrence).
pub fn deliver_cancellation(
    store: &mut Store,
    uid: &str,
    organizer_smtp: &str,
    resource: &str,
    occurrence: Option<OffsetDateTime>,
) -> String {
    let known = known_meeting(store, resource, uid);
    let organizer = Person {
        name: store.display_name(organizer_smtp),
        smtp: organizer_smtp.to_owned(),
    };
    let now = OffsetDateTime::now_utc();
    let (subject, mut meeting) = known.unwrap_or_else(|| {
        (
            String::new(),
            Meeting {
                uid: uid.to_owned(),
                organizer: organizer.clone(),
                start: now,
                end: now,
                time_zone: "UTC".to_owned(),
                recurrence: None,
                recurrence_id: None,
                calendar_item_type: CalendarItemType::Single,
                request_type: None,
                modified_occurrences: Default::default(),
                deleted_occurrences: Default::default(),
            },
        )
    });
    meeting.organizer = organizer.clone();
    meeting.request_type = None;
    if let Some(original_start) = occurrence {
        let duration = meeting.end - meeting.start;
        meeting.start = original_start;
        meeting.end = original_start + duration;
        meeting.recurrence = None;
        meeting.recurrence_id = Some(original_start);
        meeting.calendar_item_type = CalendarItemType::Occurrence;
    }
    let item = meeting_message(
        ItemKind::MeetingCancellation,
        "IPM.Schedule.Meeting.Canceled",
        format!("Canceled: {subject}"),
        "<html><body><p>This meeting has been canceled.</p></body></html>".to_owned(),
        organizer,
        meeting,
    );
    store.put(resource, Folder::Inbox, item)
}

/// Accepts or declines a meeting request as Exchange does: calendar effect, request moved to
/// deleted items, response delivered to the organizer (and a copy kept in sent items).
pub fn respond(
    store: &mut Store,
    resource: &str,
    request: &StoredItem,
    reply: Reply,
    body_html: &str,
    disposition: Disposition,
) {
    let Some(meeting) = request.meeting.clone() else {
        return;
    };
    match reply {
        Reply::Accept | Reply::Tentative => {
            put_in_calendar(store, resource, &meeting, &request.subject, &request.body)
        }
        Reply::Decline => {
            remove_from_calendar(store, resource, &meeting.uid, meeting.recurrence_id)
        }
    }
    store.move_item(resource, &request.id, Folder::DeletedItems);
    if !disposition.send {
        return;
    }
    let from = Person {
        name: store.display_name(resource),
        smtp: resource.to_owned(),
    };
    let mut answered = meeting.clone();
    answered.request_type = None;
    let response = meeting_message(
        ItemKind::MeetingResponse,
        reply.item_class(),
        format!("{}: {}", reply.subject_prefix(), request.subject),
        body_html.to_owned(),
        from,
        answered,
    );
    store.put(&meeting.organizer.smtp, Folder::Inbox, response.clone());
    if disposition.save_copy {
        store.put(resource, Folder::SentItems, response);
    }
}

/// Removes a cancelled meeting (or occurrence) from the calendar and files the cancellation.
pub fn remove_cancelled(store: &mut Store, resource: &str, cancellation: &StoredItem) {
    if let Some(meeting) = &cancellation.meeting {
        remove_from_calendar(store, resource, &meeting.uid, meeting.recurrence_id);
    }
    store.move_item(resource, &cancellation.id, Folder::DeletedItems);
}

fn is_series(item: &StoredItem, uid: &str) -> bool {
    item.uid() == Some(uid)
        && item
            .meeting
            .as_ref()
            .is_some_and(|m| m.recurrence.is_some())
}

fn is_whole(item: &StoredItem, uid: &str) -> bool {
    item.uid() == Some(uid)
        && item
            .meeting
            .as_ref()
            .is_some_and(|m| m.recurrence_id.is_none())
}

fn is_exception(item: &StoredItem, uid: &str, original_start: OffsetDateTime) -> bool {
    item.uid() == Some(uid)
        && item
            .meeting
            .as_ref()
            .is_some_and(|m| m.recurrence_id == Some(original_start))
}

fn put_in_calendar(
    store: &mut Store,
    resource: &str,
    meeting: &Meeting,
    subject: &str,
    body: &str,
) {
    let calendar = store.items(resource, Folder::Calendar);
    let mut entry = meeting.clone();
    entry.request_type = None;
    match meeting.recurrence_id {
        None => {
            entry.calendar_item_type = if entry.recurrence.is_some() {
                CalendarItemType::RecurringMaster
            } else {
                CalendarItemType::Single
            };
            if let Some(existing) = calendar.iter().find(|i| is_whole(i, &meeting.uid)) {
                let mut item = existing.clone();
                if let Some(old) = &existing.meeting {
                    entry.modified_occurrences = old.modified_occurrences.clone();
                    entry.deleted_occurrences = old.deleted_occurrences.clone();
                }
                item.subject = subject.to_owned();
                item.body = body.to_owned();
                item.meeting = Some(entry);
                store.update(resource, Folder::Calendar, item);
            } else {
                store.put(
                    resource,
                    Folder::Calendar,
                    calendar_item(subject, body, entry),
                );
            }
        }
        Some(original_start) => {
            if let Some(master) = calendar.iter().find(|i| is_series(i, &meeting.uid)) {
                let mut item = master.clone();
                if let Some(series) = item.meeting.as_mut() {
                    series
                        .modified_occurrences
                        .insert(original_start, (meeting.start, meeting.end));
                    series.deleted_occurrences.remove(&original_start);
                }
                store.update(resource, Folder::Calendar, item);
            } else if let Some(existing) = calendar
                .iter()
                .find(|i| is_exception(i, &meeting.uid, original_start))
            {
                let mut item = existing.clone();
                item.meeting = Some(entry);
                store.update(resource, Folder::Calendar, item);
            } else {
                entry.calendar_item_type = CalendarItemType::Exception;
                store.put(
                    resource,
                    Folder::Calendar,
                    calendar_item(subject, body, entry),
                );
            }
        }
    }
}

pub fn calendar_item(subject: &str, body: &str, meeting: Meeting) -> StoredItem {
    StoredItem {
        id: String::new(),
        change_key: String::new(),
        kind: ItemKind::CalendarItem,
        item_class: "IPM.Appointment".to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        body_is_html: true,
        received: OffsetDateTime::now_utc(),
        from: None,
        meeting: Some(meeting),
        location: None,
    }
}

fn remove_from_calendar(
    store: &mut Store,
    resource: &str,
    uid: &str,
    occurrence: Option<OffsetDateTime>,
) {
    let calendar = store.items(resource, Folder::Calendar);
    match occurrence {
        None => {
            for item in calendar.iter().filter(|i| i.uid() == Some(uid)) {
                store.move_item(resource, &item.id, Folder::DeletedItems);
            }
        }
        Some(original_start) => {
            if let Some(master) = calendar.iter().find(|i| is_series(i, uid)) {
                let mut item = master.clone();
                if let Some(series) = item.meeting.as_mut() {
                    series.modified_occurrences.remove(&original_start);
                    series.deleted_occurrences.insert(original_start);
                }
                store.update(resource, Folder::Calendar, item);
            }
            for item in calendar
                .iter()
                .filter(|i| is_exception(i, uid, original_start))
            {
                store.move_item(resource, &item.id, Folder::DeletedItems);
            }
        }
    }
}
