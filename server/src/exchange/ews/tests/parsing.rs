//! Realistic answers (schema-valid, as Exchange words them) parsed into typed values.

use super::super::responses::*;
use super::super::{
    CalendarItemType, EwsError, ItemId, ItemKind, Organizer, ResponseCode, SyncChange,
};
use super::fixture;
use std::time::Duration;
use time::macros::{date, datetime};

#[test]
fn sync_page_lists_creations_updates_and_deletions() {
    let page = parse_sync_folder_items(fixture!("sync-folder-items.xml")).unwrap();
    assert_eq!(page.sync_state, "H4sIAAAAAAAEAGNgYGcAAcYA&+/=");
    assert!(!page.includes_last);
    assert_eq!(
        page.changes,
        [
            SyncChange::Created {
                id: ItemId::new("AAMkAGRequest1AAA=", Some("CwAAABYAAAReq1".into())),
                kind: ItemKind::MeetingRequest,
            },
            SyncChange::Created {
                id: ItemId::new("AAMkAGMessage2AAA=", Some("CQAAABYAAAMsg2".into())),
                kind: ItemKind::Message,
            },
            SyncChange::Updated {
                id: ItemId::new("AAMkAGCancel3AAA=", Some("CwAAABYAAACan3".into())),
                kind: ItemKind::MeetingCancellation,
            },
            SyncChange::Created {
                id: ItemId::new("AAMkAGPost4AAA=", Some("CQAAABYAAAPst4".into())),
                kind: ItemKind::Other("PostItem".into()),
            },
            SyncChange::Deleted {
                id: "AAMkAGGone5AAA=".into()
            },
        ]
    );
}

#[test]
fn invalid_sync_state_is_a_response_error() {
    let error = parse_sync_folder_items(fixture!("sync-invalid-state.xml")).unwrap_err();
    assert!(matches!(
        &error,
        EwsError::Response { code: ResponseCode::ErrorInvalidSyncStateData, message }
            if message.contains("invalid")
    ));
    assert!(!error.is_retryable());
}

#[test]
fn get_item_reads_meeting_properties_and_per_item_errors() {
    let results = parse_get_item(fixture!("get-item.xml"), 3).unwrap();
    assert_eq!(results.len(), 3);
    let request = results[0].as_ref().unwrap();
    assert_eq!(request.kind, ItemKind::MeetingRequest);
    assert_eq!(request.id.change_key.as_deref(), Some("CwAAABYAAAReq1"));
    assert_eq!(
        request.item_class.as_deref(),
        Some("IPM.Schedule.Meeting.Request")
    );
    assert_eq!(
        request.subject.as_deref(),
        Some("Weekly sync & review <Team Ü>")
    );
    assert_eq!(
        request.body_text.as_deref(),
        Some("Join: meet.4711@vmr.example.org\nAgenda: “quotes” & more")
    );
    assert_eq!(request.received, Some(datetime!(2026-11-20 08:15:30 UTC)));
    assert_eq!(request.start, Some(datetime!(2026-12-01 09:00 UTC)));
    assert_eq!(request.end, Some(datetime!(2026-12-01 09:30 UTC)));
    assert_eq!(
        request.organizer,
        Some(Organizer {
            name: Some("Zoë Organizer".into()),
            email: "zoe.organizer@example.org".into()
        })
    );
    assert_eq!(
        request.uid.as_deref(),
        Some("040000008200E00074C5B7101A82E0080000000010A1B2C3D4E5F6")
    );
    assert_eq!(
        request.calendar_item_type,
        Some(CalendarItemType::RecurringMaster)
    );
    assert_eq!(
        request.meeting_request_type.as_deref(),
        Some("NewMeetingRequest")
    );
    assert_eq!(
        request.start_time_zone_id.as_deref(),
        Some("W. Europe Standard Time")
    );
    let recurrence = request.recurrence.as_ref().unwrap();
    assert_eq!(recurrence.pattern, "WeeklyRecurrence");
    assert_eq!(recurrence.start_date, Some(date!(2026 - 12 - 01)));
    assert_eq!(recurrence.end_date, Some(date!(2027 - 03 - 30)));
    assert_eq!(recurrence.occurrences, None);
    assert!(recurrence.has_end());
    assert_eq!(request.recurrence_id, None);

    let cancellation = results[1].as_ref().unwrap();
    assert_eq!(cancellation.kind, ItemKind::MeetingCancellation);
    assert_eq!(
        cancellation.recurrence_id,
        Some(datetime!(2026-12-08 09:00 UTC))
    );
    assert_eq!(
        cancellation.calendar_item_type,
        Some(CalendarItemType::Occurrence)
    );
    assert_eq!(cancellation.body_text.as_deref(), Some(""));
    assert_eq!(cancellation.organizer, None);
    let numbered = cancellation.recurrence.as_ref().unwrap();
    assert_eq!(
        (
            numbered.pattern.as_str(),
            numbered.occurrences,
            numbered.end_date
        ),
        ("DailyRecurrence", Some(10), None)
    );

    assert!(matches!(
        &results[2],
        Err(EwsError::Response {
            code: ResponseCode::ErrorItemNotFound,
            ..
        })
    ));
}

#[test]
fn message_count_must_match_the_request() {
    let error = parse_get_item(fixture!("get-item.xml"), 2).unwrap_err();
    assert!(matches!(error, EwsError::Malformed(m) if m.contains("3 messages for 2")));
}

#[test]
fn create_and_delete_report_each_item() {
    let created = parse_create_item(fixture!("create-item-mixed.xml"), 3).unwrap();
    assert_eq!(created[0], Ok(()));
    assert_eq!(
        created[1].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorIrresolvableConflict)
    );
    assert_eq!(
        created[2].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorItemNotFound)
    );
    let deleted = parse_delete_item(fixture!("delete-item.xml"), 2).unwrap();
    assert_eq!(deleted[0], Ok(()));
    assert!(deleted[1].is_err());
}

#[test]
fn calendar_view_lists_entries() {
    let view = parse_find_calendar_view(fixture!("find-item-calendar-view.xml")).unwrap();
    assert!(view.includes_last);
    assert_eq!(view.entries.len(), 2);
    assert_eq!(view.entries[0].id.id, "AAMkAGCal1AAA=");
    assert_eq!(
        view.entries[0].calendar_item_type,
        Some(CalendarItemType::Occurrence)
    );
    assert_eq!(
        view.entries[1].uid.as_deref(),
        Some("single-meeting-uid@example.org")
    );
    assert_eq!(view.entries[1].start, datetime!(2026-12-02 13:00 UTC));
    assert_eq!(view.entries[1].end, datetime!(2026-12-02 14:15 UTC));
    let cut = fixture!("find-item-calendar-view.xml").replace(
        "IncludesLastItemInRange=\"true\"",
        "IncludesLastItemInRange=\"false\"",
    );
    assert!(!parse_find_calendar_view(&cut).unwrap().includes_last);
}

#[test]
fn calendar_view_entries_carry_the_original_start_of_an_exception() {
    let fixture = fixture!("find-item-calendar-view.xml");
    let moved = fixture.replacen(
        "<t:Start>2026-12-01T09:00:00Z</t:Start>",
        "<t:RecurrenceId>2026-12-01T09:00:00Z</t:RecurrenceId>\
         <t:Start>2026-12-01T15:00:00Z</t:Start>",
        1,
    );
    let view = parse_find_calendar_view(&moved).unwrap();
    assert_eq!(
        view.entries[0].recurrence_id,
        Some(datetime!(2026-12-01 09:00 UTC))
    );
    assert_eq!(view.entries[0].start, datetime!(2026-12-01 15:00 UTC));
    assert_eq!(
        view.entries[1].recurrence_id, None,
        "a single meeting has none"
    );
}

#[test]
fn busy_message_for_the_whole_call_is_throttling_with_its_back_off() {
    let error = parse_get_item(fixture!("get-item-busy.xml"), 1).unwrap_err();
    assert_eq!(
        error,
        EwsError::Throttled {
            back_off: Some(Duration::from_millis(40))
        }
    );
    assert!(error.is_retryable());
}

#[test]
fn busy_message_for_part_of_a_batch_stays_with_its_item() {
    let busy = fixture!("get-item-busy.xml");
    let start = busy.find("<m:GetItemResponseMessage").unwrap();
    let end = busy.find("</m:ResponseMessages>").unwrap();
    let busy_message = &busy[start..end];
    let found = fixture!("get-item.xml");
    let insert_at = found.find("</m:ResponseMessages>").unwrap();
    let mixed = format!(
        "{}{}{}",
        &found[..insert_at],
        busy_message,
        &found[insert_at..]
    );
    let results = parse_get_item(&mixed, 4).unwrap();
    assert!(results[0].is_ok());
    let error = results[3].as_ref().unwrap_err();
    assert_eq!(error.response_code(), Some(ResponseCode::ErrorServerBusy));
    assert!(error.is_retryable());
}

#[test]
fn faults_become_errors() {
    let denied = parse_fault(fixture!("fault-impersonation-denied.xml")).unwrap();
    assert!(matches!(
        &denied,
        EwsError::Fault { code, message }
            if code == "ErrorImpersonateUserDenied" && message.contains("impersonate")
    ));
    assert_eq!(
        denied.response_code(),
        Some(ResponseCode::ErrorImpersonateUserDenied)
    );
    assert!(!denied.is_retryable());
    // A fault where a response was expected is the same error.
    assert_eq!(
        parse_sync_folder_items(fixture!("fault-impersonation-denied.xml")).unwrap_err(),
        denied
    );
    assert_eq!(parse_fault(fixture!("get-item.xml")), None);
    assert_eq!(parse_fault("<html>Service Unavailable</html>"), None);
}

#[test]
fn malformed_answers_are_reported_not_guessed() {
    for (xml, expected) in [
        ("<html><body>Bad gateway", "not well-formed"),
        ("<root/>", "not a SOAP envelope"),
        (
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>",
            "empty soap:Body",
        ),
        (fixture!("delete-item.xml"), "expected m:SyncFolderItemsResponse"),
    ] {
        let error = parse_sync_folder_items(xml).unwrap_err();
        assert!(
            matches!(&error, EwsError::Malformed(m) if m.contains(expected)),
            "{xml}: {error:?}"
        );
    }
    let bad_date = fixture!("find-item-calendar-view.xml").replace("2026-12-02T13:00:00Z", "soon");
    assert!(matches!(
        parse_find_calendar_view(&bad_date),
        Err(EwsError::Malformed(m)) if m.contains("soon")
    ));
}

#[test]
fn date_times_accept_fractions_offsets_and_missing_zones() {
    assert_eq!(
        parse_datetime("2026-12-01T10:00:00.1234567+01:00").unwrap(),
        datetime!(2026-12-01 09:00:00.1234567 UTC)
    );
    assert_eq!(
        parse_datetime("2026-12-01T09:00:00").unwrap(),
        datetime!(2026-12-01 09:00 UTC)
    );
    assert!(parse_datetime("01.12.2026").is_err());
}
