//! `UpdateItem` of an organizer's meeting through the service's EWS client: sent to every
//! attendee, never over a concurrent edit, and only where impersonating the organizer is allowed.

use crate::client::{self, ORGANIZER, PASSWORD, RESOURCE, SERVICE};
use crate::{at, invite};
use std::time::Duration;
use vmr_scheduler::config::Secret;
use vmr_scheduler::domain::EmailAddress;
use vmr_scheduler::exchange::ews::{
    EwsAuth, EwsClient, EwsError, EwsSettings, ItemTarget, ResponseCode, RetryPolicy, ServerVersion,
};
use vmr_scheduler_tests::ews_emulator::{
    Account, EmulatorConfig, EwsEmulator, Folder, ImpersonationScope, ItemKind,
};

const COLLEAGUE: &str = "bob@example.org";

fn service_client(ews: &EwsEmulator) -> EwsClient {
    EwsClient::new(EwsSettings {
        url: ews.url().parse().unwrap(),
        server_version: ServerVersion::Exchange2016,
        auth: EwsAuth::Basic {
            username: SERVICE.into(),
            password: Secret::new(PASSWORD.into()),
        },
        timeout: Duration::from_secs(10),
        retry: RetryPolicy::default(),
    })
    .unwrap()
}

fn updates_in(ews: &EwsEmulator, smtp: &str, uid: &str) -> usize {
    ews.folder(smtp, Folder::Inbox)
        .iter()
        .filter(|item| {
            item.kind == ItemKind::MeetingRequest
                && item.uid() == Some(uid)
                && item
                    .meeting
                    .as_ref()
                    .and_then(|m| m.request_type.as_deref())
                    == Some("FullUpdate")
        })
        .count()
}

#[tokio::test]
async fn an_organizer_update_reaches_every_attendee_and_never_overwrites_an_edit() {
    let ews = client::emulator();
    ews.add_mailbox(ORGANIZER, "Alice Example");
    ews.add_mailbox(COLLEAGUE, "Bob Example");
    let start = at(2031, 3, 4, 10, 0);
    let meeting = invite("uid-organizer-update", start);
    let id = ews.organize_meeting(&meeting, &[COLLEAGUE]);
    let client = service_client(&ews);
    let organizer = EmailAddress::parse(ORGANIZER).unwrap();

    // Found as the service finds it: by UID in the organizer's calendar.
    let view = client
        .calendar_view(
            Some(&organizer),
            start,
            start + time::Duration::hours(1),
            10,
        )
        .await
        .unwrap();
    let entry = view
        .iter()
        .find(|entry| entry.uid.as_deref() == Some(meeting.uid.as_str()))
        .expect("the organizer's meeting");
    let read = client
        .get_item_html(Some(&organizer), &ItemTarget::Item(entry.id.clone()))
        .await
        .unwrap();
    assert_eq!(read.id.id, id);
    assert_eq!(read.body_text.as_deref(), Some(meeting.body_html.as_str()));

    client
        .update_calendar_item(Some(&organizer), &read.id, "<p>first</p>", "Room A")
        .await
        .unwrap();
    let (_, stored) = ews.item(ORGANIZER, &id).unwrap();
    assert_eq!(stored.body, "<p>first</p>");
    assert_eq!(stored.location.as_deref(), Some("Room A"));
    for attendee in [RESOURCE, COLLEAGUE] {
        assert_eq!(updates_in(&ews, attendee, &meeting.uid), 1, "{attendee}");
    }

    // The change key read before that edit is stale now: nothing is overwritten or sent.
    let stale = client
        .update_calendar_item(Some(&organizer), &read.id, "<p>second</p>", "Room B")
        .await
        .unwrap_err();
    assert_eq!(
        stale.response_code(),
        Some(ResponseCode::ErrorIrresolvableConflict)
    );
    assert_eq!(ews.item(ORGANIZER, &id).unwrap().1.body, "<p>first</p>");
    assert_eq!(updates_in(&ews, COLLEAGUE, &meeting.uid), 1);
    assert_eq!(ews.schema_errors(), Vec::<String>::new());
}

#[tokio::test]
async fn acting_as_an_organizer_needs_the_right_to_impersonate_them() {
    let ews = EwsEmulator::start(EmulatorConfig {
        impersonation: ImpersonationScope::Only(vec![RESOURCE.into()]),
        ..EmulatorConfig::new(vec![Account::basic(SERVICE, PASSWORD)])
    });
    ews.add_mailbox(RESOURCE, "VMR resource");
    ews.add_mailbox(ORGANIZER, "Alice Example");
    let start = at(2031, 3, 4, 10, 0);
    ews.organize_meeting(&invite("uid-denied", start), &[]);
    let client = service_client(&ews);
    let organizer = EmailAddress::parse(ORGANIZER).unwrap();

    let denied = client
        .calendar_view(
            Some(&organizer),
            start,
            start + time::Duration::hours(1),
            10,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &denied,
            EwsError::Response { code, .. } if *code == ResponseCode::ErrorImpersonateUserDenied
        ),
        "{denied:?}"
    );
}
