//! Meetings booked without the add-in under `unmarked_meetings = "provision"`: the service
//! gives them a room of its own and gets the joining instructions to the attendees, through
//! the organizer's own meeting where it may act as organizers, else through its acceptance.
//! (The `decline` policy is covered by the declining scenarios.)

use crate::scheduling_support::*;
use time::OffsetDateTime;
use vmr_scheduler::store::{Conference, Reservation, ReservationState};
use vmr_scheduler_tests::ews_emulator::{
    Folder, ImpersonationScope, ItemKind, Range, Recurrence, StoredItem,
};
use vmr_scheduler_tests::on_both_backends;

const ACCEPTED: &str = "IPM.Schedule.Meeting.Resp.Pos";
const COLLEAGUE: &str = "colleague@example.com";
const PROVISION: &str = r#"unmarked_meetings = "provision""#;
const PROVISION_AS_ORGANIZER: &str = r#"
    impersonation = "everyone"
    unmarked_meetings = "provision"
"#;
const AGENDA: &str = "<html><body><p>Quarterly planning agenda</p></body></html>";

/// Two days ahead, in whole seconds as EWS carries times.
fn in_two_days() -> OffsetDateTime {
    let at = OffsetDateTime::now_utc() + time::Duration::days(2);
    at.replace_nanosecond(0).unwrap()
}

/// Waits for the meeting's conference and returns it with the reservation holding its room.
async fn provisioned(scheduling: &Scheduling, uid: &str) -> (Conference, Reservation) {
    let conference = eventually_async("the provisioned conference", || async {
        scheduling.conference(uid).await
    })
    .await;
    let reservation = scheduling
        .app
        .store
        .reservation(
            conference
                .reservation_id
                .expect("the room is a reservation"),
        )
        .await
        .unwrap()
        .expect("its reservation is stored");
    assert_eq!(reservation.state, ReservationState::Used);
    assert_eq!(reservation.alias, conference.alias);
    (conference, reservation)
}

async fn live_rooms(scheduling: &Scheduling) -> u64 {
    scheduling
        .app
        .store
        .count_live_reservations(&scheduling.integration())
        .await
        .unwrap()
}

/// Meeting requests for `uid` in the inbox of `smtp`, oldest first.
fn requests_for(scheduling: &Scheduling, smtp: &str, uid: &str) -> Vec<StoredItem> {
    scheduling
        .exchange
        .folder(smtp, Folder::Inbox)
        .into_iter()
        .filter(|item| item.kind == ItemKind::MeetingRequest && item.uid() == Some(uid))
        .collect()
}

fn calls_of(scheduling: &Scheduling, operation: &str) -> usize {
    scheduling
        .exchange
        .calls()
        .iter()
        .filter(|call| call.operation == operation)
        .count()
}

/// Waits until the worker started two more inbox syncs, so the cycle that was running when
/// this was called has finished.
async fn wait_for_a_full_cycle(scheduling: &Scheduling) {
    let before = calls_of(scheduling, "SyncFolderItems");
    eventually("a full worker cycle", || {
        (calls_of(scheduling, "SyncFolderItems") >= before + 2).then_some(())
    })
    .await;
}

async fn the_acceptance_carries_the_instructions_of_a_new_room(db: String) {
    let scheduling = Scheduling::start_with(&db, emulator(), PROVISION).await;
    let uid = new_uid();
    scheduling
        .exchange
        .send_meeting(&invite(&uid, "Planning", AGENDA, in_two_days()));

    let reply = scheduling.wait_for_responses(1).await.remove(0);
    assert_eq!(reply.item_class, ACCEPTED, "{}", reply.body);
    assert_eq!(reply.uid(), Some(uid.as_str()));
    let (conference, reservation) = provisioned(&scheduling, &uid).await;
    assert!(
        reply.body.contains(conference.alias.as_str()),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains(reservation.marker.as_str()),
        "the joining instructions: {}",
        reply.body
    );
    assert_eq!(conference.organizer_email.as_str(), ORGANIZER);
    let calendar = scheduling.exchange.folder(RESOURCE, Folder::Calendar);
    assert_eq!(calendar.len(), 1, "{calendar:?}");

    let operations = scheduling.operations().await;
    let provision = operations
        .iter()
        .find(|operation| operation.action == "provision")
        .expect("the provisioning is logged");
    assert_eq!(provision.global_object_id.as_deref(), Some(uid.as_str()));
    let detail = provision.detail.as_deref().unwrap_or_default();
    assert!(detail.contains(conference.alias.as_str()), "{detail}");
    assert!(operations
        .iter()
        .any(|operation| operation.action == "accept"));
    assert_eq!(live_rooms(&scheduling).await, 1);
    scheduling.assert_clean_protocol();
}

async fn the_organizers_meeting_carries_the_instructions_to_every_attendee(db: String) {
    let scheduling = Scheduling::start_with(&db, emulator(), PROVISION_AS_ORGANIZER).await;
    scheduling.exchange.add_mailbox(COLLEAGUE, "Colleague");
    let uid = new_uid();
    let organizers_meeting = scheduling.exchange.organize_meeting(
        &invite(&uid, "Planning", AGENDA, in_two_days()),
        &[COLLEAGUE],
    );

    let reply = scheduling.wait_for_responses(1).await.remove(0);
    assert_eq!(reply.item_class, ACCEPTED, "{}", reply.body);
    let (conference, reservation) = provisioned(&scheduling, &uid).await;
    let marker = reservation.marker.as_str();
    assert!(
        !reply.body.contains(marker),
        "the attendees get the instructions from the organizer: {}",
        reply.body
    );

    // The organizer's own meeting now carries the instructions and the room as its location.
    let (_, meeting) = scheduling
        .exchange
        .item(ORGANIZER, &organizers_meeting)
        .expect("the organizer's meeting");
    assert!(
        meeting.body.contains("Quarterly planning agenda"),
        "{}",
        meeting.body
    );
    assert!(meeting.body.contains(marker), "{}", meeting.body);
    assert!(meeting.body.contains(conference.alias.as_str()));
    let location = meeting.location.clone().unwrap_or_default();
    assert!(location.contains(conference.alias.as_str()), "{location}");

    // Exchange sent the update to the colleague, and to the resource, which keeps the room.
    let colleague = requests_for(&scheduling, COLLEAGUE, &uid);
    assert_eq!(colleague.len(), 2, "the invitation and its update");
    assert!(colleague[1].body.contains(marker), "{}", colleague[1].body);
    let replies = scheduling.wait_for_responses(2).await;
    assert_eq!(replies[1].item_class, ACCEPTED, "{}", replies[1].body);
    assert!(replies[1].body.contains(conference.alias.as_str()));
    wait_for_a_full_cycle(&scheduling).await;
    assert_eq!(scheduling.responses().len(), 2, "no further replies");
    assert_eq!(calls_of(&scheduling, "UpdateItem"), 1, "updated once");
    assert!(requests_for(&scheduling, RESOURCE, &uid).is_empty());
    let (after, _) = provisioned(&scheduling, &uid).await;
    assert_eq!(after.alias, conference.alias, "the update keeps the room");
    assert_eq!(live_rooms(&scheduling).await, 1);
    scheduling.assert_clean_protocol();
}

async fn a_series_gets_the_instructions_in_the_organizers_series(db: String) {
    let scheduling = Scheduling::start_with(&db, emulator(), PROVISION_AS_ORGANIZER).await;
    let uid = new_uid();
    let start = in_two_days();
    let mut series = invite(&uid, "Daily stand-up", AGENDA, start);
    series.recurrence = Some(Recurrence::daily(
        1,
        Range::Numbered {
            start: start.date(),
            count: 5,
        },
    ));
    let organizers_series = scheduling.exchange.organize_meeting(&series, &[]);

    let reply = scheduling.wait_for_responses(1).await.remove(0);
    assert_eq!(reply.item_class, ACCEPTED, "{}", reply.body);
    let (conference, reservation) = provisioned(&scheduling, &uid).await;
    assert!(conference.is_series);
    // Found through an occurrence of the calendar view; the series itself was updated.
    let (_, master) = scheduling
        .exchange
        .item(ORGANIZER, &organizers_series)
        .expect("the organizer's series");
    assert!(
        master.body.contains(reservation.marker.as_str()),
        "{}",
        master.body
    );
    let replies = scheduling.wait_for_responses(2).await;
    assert_eq!(replies[1].item_class, ACCEPTED, "{}", replies[1].body);
    wait_for_a_full_cycle(&scheduling).await;
    assert_eq!(scheduling.responses().len(), 2, "no further replies");
    assert_eq!(calls_of(&scheduling, "UpdateItem"), 1);
    assert_eq!(live_rooms(&scheduling).await, 1);
    scheduling.assert_clean_protocol();
}

async fn a_refused_impersonation_sends_the_instructions_to_the_organizer(db: String) {
    let exchange = emulator_with(ImpersonationScope::Only(vec![RESOURCE.into()]));
    let scheduling = Scheduling::start_with(&db, exchange, PROVISION_AS_ORGANIZER).await;
    let uid = new_uid();
    let organizers_meeting = scheduling
        .exchange
        .organize_meeting(&invite(&uid, "Planning", AGENDA, in_two_days()), &[]);

    let reply = scheduling.wait_for_responses(1).await.remove(0);
    assert_eq!(reply.item_class, ACCEPTED, "{}", reply.body);
    let (conference, reservation) = provisioned(&scheduling, &uid).await;
    assert!(
        reply.body.contains(reservation.marker.as_str()),
        "{}",
        reply.body
    );
    assert!(reply.body.contains(conference.alias.as_str()));

    let (_, meeting) = scheduling
        .exchange
        .item(ORGANIZER, &organizers_meeting)
        .expect("the organizer's meeting");
    assert_eq!(meeting.body, AGENDA, "the organizer's meeting is untouched");
    assert_eq!(calls_of(&scheduling, "UpdateItem"), 0);
    let denied = scheduling.exchange.calls().into_iter().any(|call| {
        call.mailbox.as_deref() == Some(ORGANIZER)
            && call
                .response_codes
                .iter()
                .any(|code| code == "ErrorImpersonateUserDenied")
    });
    assert!(denied, "{:?}", scheduling.exchange.calls());
    let operations = scheduling.operations().await;
    let fallback = operations
        .iter()
        .find(|operation| operation.action == "instructions_to_organizer")
        .expect("the fallback is logged");
    assert_eq!(
        fallback.error_code.as_deref(),
        Some("ErrorImpersonateUserDenied")
    );
    assert_eq!(fallback.global_object_id.as_deref(), Some(uid.as_str()));
    assert_eq!(live_rooms(&scheduling).await, 1);
    scheduling.assert_clean_protocol();
}

on_both_backends! {
    unmarked_provisioned_reply => super::the_acceptance_carries_the_instructions_of_a_new_room;
    unmarked_provisioned_as_organizer => super::the_organizers_meeting_carries_the_instructions_to_every_attendee;
    unmarked_series_as_organizer => super::a_series_gets_the_instructions_in_the_organizers_series;
    unmarked_impersonation_refused => super::a_refused_impersonation_sends_the_instructions_to_the_organizer;
}
