//! A meeting's life in the resource mailbox: request, sync, GetItem, accept or decline,
//! cancellation; change keys; sync states and paging; DeleteItem.

use vmr_scheduler_tests::ews_emulator::{Folder, ItemKind};

use crate::client::{
    create_item_body, delete_item_body, emulator, parse_sync, response_object, sync_body, Client,
    Sync, M, ORGANIZER, RESOURCE, T,
};
use crate::{at, invite};

fn one_change<'a>(sync: &'a Sync, kind: &str) -> &'a crate::client::Change {
    assert_eq!(sync.changes.len(), 1, "{:?}", sync.changes);
    assert_eq!(sync.changes[0].kind, kind, "{:?}", sync.changes);
    &sync.changes[0]
}

#[tokio::test]
async fn accepting_a_request_books_the_calendar_and_answers_the_organizer() {
    let ews = emulator();
    let client = Client::new(&ews);
    let first = client.sync(RESOURCE, "inbox", None, 100).await;
    assert!(first.changes.is_empty() && first.includes_last);

    let meeting = invite("uid-accept", at(2026, 12, 3, 10, 1));
    let id = ews.send_meeting(&meeting);
    let sync = client
        .sync(RESOURCE, "inbox", Some(&first.state), 100)
        .await;
    let created = one_change(&sync, "Create");
    assert_eq!(created.element, "MeetingRequest");
    assert_eq!(created.id, id);
    assert_eq!(
        created.item_class.as_deref(),
        Some("IPM.Schedule.Meeting.Request")
    );

    let get = client.get_items(&[&id]).await;
    assert_eq!(get.code_list(), ["NoError"]);
    assert_eq!(
        get.first_text(T, "ItemClass").as_deref(),
        Some("IPM.Schedule.Meeting.Request")
    );
    assert_eq!(
        get.first_text(T, "Subject").as_deref(),
        Some("Planning uid-accept")
    );
    assert_eq!(
        get.first_text(T, "Body").as_deref(),
        Some("Join via meet.4711@vmr.example.org")
    );
    assert_eq!(get.first_text(T, "UID").as_deref(), Some("uid-accept"));
    assert_eq!(
        get.first_text(T, "Start").as_deref(),
        Some("2026-12-03T09:00:00Z")
    );
    assert_eq!(
        get.first_text(T, "End").as_deref(),
        Some("2026-12-03T10:00:00Z")
    );
    assert_eq!(
        get.first_text(T, "EmailAddress").as_deref(),
        Some(ORGANIZER)
    );
    assert_eq!(get.first_text(T, "Name").as_deref(), Some("Alice Example"));
    assert_eq!(
        get.first_text(T, "CalendarItemType").as_deref(),
        Some("Single")
    );
    assert_eq!(
        get.first_text(T, "MeetingRequestType").as_deref(),
        Some("NewMeetingRequest")
    );
    assert_eq!(
        get.first_text(T, "StartTimeZoneId").as_deref(),
        Some("W. Europe Standard Time")
    );
    assert_eq!(get.first_text(T, "Recurrence"), None);

    let accept = response_object(
        "AcceptItem",
        &created.id,
        Some(&created.change_key),
        "<p>Booked in VMR meet.4711</p>",
    );
    let answer = client.call(&create_item_body(&[accept])).await;
    assert_eq!(answer.code_list(), ["NoError"], "{}", answer.text);

    let calendar = ews.folder(RESOURCE, Folder::Calendar);
    assert_eq!(calendar.len(), 1);
    assert_eq!(calendar[0].kind, ItemKind::CalendarItem);
    assert_eq!(calendar[0].uid(), Some("uid-accept"));
    let responses = ews.folder(ORGANIZER, Folder::Inbox);
    assert_eq!(
        responses.len(),
        1,
        "the organizer's mailbox exists implicitly"
    );
    assert_eq!(responses[0].item_class, "IPM.Schedule.Meeting.Resp.Pos");
    assert_eq!(responses[0].body, "<p>Booked in VMR meet.4711</p>");
    assert_eq!(ews.folder(RESOURCE, Folder::SentItems).len(), 1);
    assert!(ews.folder(RESOURCE, Folder::Inbox).is_empty());
    let deleted = ews.folder(RESOURCE, Folder::DeletedItems);
    assert_eq!(deleted.len(), 1);
    assert_ne!(deleted[0].id, id, "a moved item gets a new id");

    let after = client.sync(RESOURCE, "inbox", Some(&sync.state), 100).await;
    assert_eq!(one_change(&after, "Delete").id, id);
    let calendar_sync = client.sync(RESOURCE, "calendar", None, 100).await;
    assert_eq!(one_change(&calendar_sync, "Create").element, "CalendarItem");

    // The request is gone from the inbox: answering it again fails.
    let again = response_object("AcceptItem", &id, Some(&created.change_key), "<p>x</p>");
    let answer = client.call(&create_item_body(&[again])).await;
    assert_eq!(answer.code_list(), ["ErrorItemNotFound"]);
    assert!(ews.schema_errors().is_empty(), "{:?}", ews.schema_errors());
}

#[tokio::test]
async fn declining_leaves_no_calendar_item_and_sends_a_negative_response() {
    let ews = emulator();
    let client = Client::new(&ews);
    let accepted = ews.send_meeting(&invite("uid-decline", at(2026, 12, 4, 9, 1)));
    let key = ews.item(RESOURCE, &accepted).expect("request").1.change_key;
    let accept = response_object("AcceptItem", &accepted, Some(&key), "<p>ok</p>");
    assert_eq!(
        client.call(&create_item_body(&[accept])).await.code_list(),
        ["NoError"]
    );
    assert_eq!(ews.folder(RESOURCE, Folder::Calendar).len(), 1);

    // An update the resource declines removes the booked meeting.
    let mut update = invite("uid-decline", at(2026, 12, 4, 15, 1));
    update.subject = "Moved".into();
    let id = ews.send_update(
        &update,
        vmr_scheduler_tests::ews_emulator::UpdateScope::WholeSeries,
    );
    let get = client.get_items(&[&id]).await;
    assert_eq!(
        get.first_text(T, "MeetingRequestType").as_deref(),
        Some("FullUpdate")
    );
    let key = ews.item(RESOURCE, &id).expect("update").1.change_key;
    let decline = response_object("DeclineItem", &id, Some(&key), "<p>VMR busy</p>");
    assert_eq!(
        client.call(&create_item_body(&[decline])).await.code_list(),
        ["NoError"]
    );

    assert!(ews.folder(RESOURCE, Folder::Calendar).is_empty());
    assert!(ews.folder(RESOURCE, Folder::Inbox).is_empty());
    let classes: Vec<String> = ews
        .folder(ORGANIZER, Folder::Inbox)
        .into_iter()
        .map(|i| i.item_class)
        .collect();
    assert_eq!(
        classes,
        [
            "IPM.Schedule.Meeting.Resp.Pos",
            "IPM.Schedule.Meeting.Resp.Neg"
        ]
    );
    let declined = &ews.folder(ORGANIZER, Folder::Inbox)[1];
    assert_eq!(declined.subject, "Declined: Moved");
    assert_eq!(declined.body, "<p>VMR busy</p>");
}

#[tokio::test]
async fn remove_item_takes_a_cancelled_meeting_out_of_the_calendar() {
    let ews = emulator();
    let client = Client::new(&ews);
    let id = ews.send_meeting(&invite("uid-cancel", at(2026, 12, 5, 11, 1)));
    let key = ews.item(RESOURCE, &id).expect("request").1.change_key;
    let accept = response_object("AcceptItem", &id, Some(&key), "<p>ok</p>");
    client.call(&create_item_body(&[accept])).await;
    let inbox = client.sync(RESOURCE, "inbox", None, 100).await;

    let cancellation = ews.send_cancellation("uid-cancel", ORGANIZER, RESOURCE, None);
    let sync = client
        .sync(RESOURCE, "inbox", Some(&inbox.state), 100)
        .await;
    let created = one_change(&sync, "Create");
    assert_eq!(created.element, "MeetingCancellation");
    assert_eq!(
        created.item_class.as_deref(),
        Some("IPM.Schedule.Meeting.Canceled")
    );
    let get = client.get_items(&[&cancellation]).await;
    assert_eq!(get.first_text(T, "UID").as_deref(), Some("uid-cancel"));
    assert_eq!(
        get.first_text(T, "Subject").as_deref(),
        Some("Canceled: Planning uid-cancel")
    );
    assert_eq!(
        get.first_text(T, "Start").as_deref(),
        Some("2026-12-05T10:00:00Z")
    );

    // An accept on a cancellation is refused; RemoveItem works.
    let wrong = response_object(
        "AcceptItem",
        &created.id,
        Some(&created.change_key),
        "<p>x</p>",
    );
    let remove = response_object("RemoveItem", &created.id, Some(&created.change_key), "");
    let answer = client.call(&create_item_body(&[wrong, remove])).await;
    assert_eq!(answer.code_list(), ["ErrorInvalidReferenceItem", "NoError"]);
    assert!(ews.folder(RESOURCE, Folder::Calendar).is_empty());
    assert!(ews.folder(RESOURCE, Folder::Inbox).is_empty());
    assert_eq!(ews.folder(RESOURCE, Folder::DeletedItems).len(), 3);
    assert_eq!(
        ews.folder(ORGANIZER, Folder::Inbox).len(),
        1,
        "no response to a removal"
    );
}

#[tokio::test]
async fn change_keys_guard_response_objects() {
    let ews = emulator();
    let client = Client::new(&ews);
    let first = ews.send_meeting(&invite("uid-keys-1", at(2026, 12, 7, 8, 1)));
    let second = ews.send_meeting(&invite("uid-keys-2", at(2026, 12, 7, 9, 1)));
    let key = ews.item(RESOURCE, &first).expect("first").1.change_key;
    let second_key = ews.item(RESOURCE, &second).expect("second").1.change_key;
    assert_ne!(key, second_key);
    let batch = [
        response_object("AcceptItem", &first, None, "<p>a</p>"),
        response_object("AcceptItem", &first, Some(&second_key), "<p>a</p>"),
        response_object("AcceptItem", "AAMkADunknown", Some(&key), "<p>a</p>"),
        response_object("AcceptItem", &first, Some(&key), "<p>a</p>"),
        response_object("DeclineItem", &second, Some(&second_key), "<p>b</p>"),
    ];
    let answer = client.call(&create_item_body(&batch)).await;
    assert_eq!(
        answer.code_list(),
        [
            "ErrorChangeKeyRequiredForWriteOperations",
            "ErrorIrresolvableConflict",
            "ErrorItemNotFound",
            "NoError",
            "NoError"
        ]
    );
    let classes: Vec<String> = ews
        .folder(ORGANIZER, Folder::Inbox)
        .into_iter()
        .map(|i| i.item_class)
        .collect();
    assert_eq!(
        classes,
        [
            "IPM.Schedule.Meeting.Resp.Pos",
            "IPM.Schedule.Meeting.Resp.Neg"
        ]
    );
}

#[tokio::test]
async fn sync_pages_with_max_changes_and_rejects_foreign_states() {
    let ews = emulator();
    let client = Client::new(&ews);
    let ids: Vec<String> = (0..5)
        .map(|n| ews.deliver_message(RESOURCE, &format!("note {n}"), "hello"))
        .collect();
    // Created and deleted before the first sync: never shown.
    let gone = ews.deliver_message(RESOURCE, "short-lived", "bye");
    let answer = client.call(&delete_item_body(&[&gone], "HardDelete")).await;
    assert_eq!(answer.code_list(), ["NoError"]);

    let mut state: Option<String> = None;
    let mut seen = Vec::new();
    for _ in 0..10 {
        let page = client.sync(RESOURCE, "inbox", state.as_deref(), 2).await;
        assert!(page.changes.len() <= 2);
        seen.extend(page.changes.iter().map(|c| (c.kind.clone(), c.id.clone())));
        state = Some(page.state.clone());
        if page.includes_last {
            break;
        }
    }
    let expected: Vec<(String, String)> =
        ids.iter().map(|id| ("Create".into(), id.clone())).collect();
    assert_eq!(seen, expected);
    let state = state.expect("a sync state");

    // Updates and moves after the last state show up exactly once.
    let moved = client
        .call(&delete_item_body(&[&ids[1]], "MoveToDeletedItems"))
        .await;
    assert_eq!(moved.code_list(), ["NoError"]);
    let changes = client.sync(RESOURCE, "inbox", Some(&state), 100).await;
    assert_eq!(changes.changes.len(), 1);
    assert_eq!(
        (
            changes.changes[0].kind.as_str(),
            changes.changes[0].id.as_str()
        ),
        ("Delete", ids[1].as_str())
    );
    let deleted_items = client.sync(RESOURCE, "deleteditems", None, 100).await;
    assert_eq!(deleted_items.changes.len(), 1);
    assert_eq!(deleted_items.changes[0].kind, "Create");

    // The same state again replays the same changes (it is not consumed).
    let replay = client.sync(RESOURCE, "inbox", Some(&state), 100).await;
    assert_eq!(replay.changes, changes.changes);

    // A state of another folder, of another mailbox, or garbage is refused.
    ews.add_mailbox(ORGANIZER, "Alice Example");
    for (mailbox, folder, state) in [
        (RESOURCE, "inbox", deleted_items.state.as_str()),
        (ORGANIZER, "inbox", state.as_str()),
        (RESOURCE, "inbox", "bm90IGEgc3RhdGU="),
    ] {
        let answer = client
            .call_as(mailbox, &sync_body(folder, Some(state), 10))
            .await;
        assert_eq!(
            answer.codes(),
            [("Error".into(), "ErrorInvalidSyncStateData".into())]
        );
    }
    let unknown = client
        .call(&delete_item_body(&["AAMkADnothing"], "HardDelete"))
        .await;
    assert_eq!(unknown.code_list(), ["ErrorItemNotFound"]);
    let sync = parse_sync(&client.call(&sync_body("inbox", Some(&state), 100)).await);
    assert_eq!(sync.changes.len(), 1);
}

#[tokio::test]
async fn get_item_batches_answer_in_order_and_honour_the_shape() {
    let ews = emulator();
    let client = Client::new(&ews);
    let note = ews.deliver_message(RESOURCE, "Lunch?", "Pizza at 12");
    let request = ews.send_meeting(&invite("uid-batch", at(2026, 12, 8, 10, 1)));
    let answer = client.get_items(&[&note, "AAMkADmissing", &request]).await;
    assert_eq!(
        answer.code_list(),
        ["NoError", "ErrorItemNotFound", "NoError"]
    );
    assert_eq!(
        answer.all_texts(T, "Subject"),
        ["Lunch?", "Planning uid-batch"]
    );
    assert_eq!(
        answer.all_texts(T, "ItemClass"),
        ["IPM.Note", "IPM.Schedule.Meeting.Request"]
    );
    // IdOnly without additional properties: ids only.
    let bare = format!(
        "<m:GetItem xmlns:m=\"{M}\" xmlns:t=\"{T}\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
         </m:ItemShape><m:ItemIds><t:ItemId Id=\"{request}\"/></m:ItemIds></m:GetItem>"
    );
    let answer = client.call(&bare).await;
    assert_eq!(answer.code_list(), ["NoError"]);
    assert_eq!(answer.first_text(T, "Subject"), None);
    assert!(answer.text.contains(&format!("Id=\"{request}\"")));
}
