//! A room provisioned with a meeting's changes: its reservation is inserted in the same
//! transaction, and an alias taken meanwhile leaves nothing behind.

use super::{connect, reservation, user};
use vmr_scheduler::domain::{EmailAddress, IntegrationId};
use vmr_scheduler::store::{
    ApplyOutcome, Conference, ConferenceWindow, JournalKey, JournalState, NewReservation,
    ReservationState, StoreChange,
};
use vmr_scheduler_tests::on_both_backends;

/// The changes a provisioned room brings: its reservation, used at once, and the conference.
fn provisioning(new: &NewReservation, gid: &str) -> Vec<StoreChange> {
    let start = 1_800_000_000_000;
    vec![
        StoreChange::InsertReservation(Box::new(new.clone())),
        StoreChange::MarkReservationUsed {
            reservation_id: new.id,
            global_object_id: gid.into(),
        },
        StoreChange::SaveConference(Box::new(Conference {
            integration: new.integration.clone(),
            global_object_id: gid.into(),
            reservation_id: Some(new.id),
            alias: new.alias.clone(),
            numeric_alias: new.numeric_alias.clone(),
            subject: "Planning".into(),
            organizer_email: EmailAddress::parse("manager@example.com").unwrap(),
            organizer_name: None,
            reserved_by: None,
            is_series: false,
            first_start: start,
            last_end: Some(start + 3_600_000),
            windows: vec![ConferenceWindow {
                original_start: start,
                start,
                end: start + 3_600_000,
            }],
        })),
    ]
}

async fn a_taken_alias_rolls_the_meeting_back(url: String) {
    let store = connect(&url).await;
    let main = IntegrationId::parse("main").unwrap();
    let key = JournalKey {
        integration: &main,
        item_id: "item-1",
        change_key: "ck-1",
    };
    store
        .journal_pickup(&main, "item-1", "ck-1", "corr-1", 10)
        .await
        .unwrap();
    // Someone clicked the add-in and got the alias first.
    store
        .try_insert_reservation(&reservation("main", "500001", user(1), None))
        .await
        .unwrap()
        .unwrap();

    let taken = reservation("main", "500001", user(2), None);
    let outcome = store
        .try_apply_meeting_changes(
            key,
            Some("gid-1"),
            &provisioning(&taken, "gid-1"),
            Some("accept"),
            20,
        )
        .await
        .unwrap();
    assert_eq!(outcome, ApplyOutcome::AliasTaken);
    let entry = store
        .journal_entry(&main, "item-1", "ck-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.state, JournalState::Received, "nothing applied");
    assert_eq!(entry.reply, None);
    assert_eq!(store.conference(&main, "gid-1").await.unwrap(), None);
    assert_eq!(store.reservation(taken.id).await.unwrap(), None);

    // Another draw goes through, all of it.
    let free = reservation("main", "500002", user(2), None);
    let outcome = store
        .try_apply_meeting_changes(
            key,
            Some("gid-1"),
            &provisioning(&free, "gid-1"),
            Some("accept"),
            30,
        )
        .await
        .unwrap();
    assert_eq!(outcome, ApplyOutcome::Applied);
    let stored = store.reservation(free.id).await.unwrap().unwrap();
    assert_eq!(stored.state, ReservationState::Used);
    assert_eq!(
        store.meeting_of_reservation(free.id).await.unwrap(),
        Some("gid-1".into())
    );
    let conference = store.conference(&main, "gid-1").await.unwrap().unwrap();
    assert_eq!(conference.alias, free.alias);
    assert_eq!(conference.reservation_id, Some(free.id));
    assert_eq!(
        store
            .journal_entry(&main, "item-1", "ck-1")
            .await
            .unwrap()
            .unwrap()
            .state,
        JournalState::Applied
    );

    // Applied once: a second attempt changes nothing.
    let again = reservation("main", "500003", user(2), None);
    let outcome = store
        .try_apply_meeting_changes(
            key,
            Some("gid-1"),
            &provisioning(&again, "gid-1"),
            Some("accept"),
            40,
        )
        .await
        .unwrap();
    assert_eq!(outcome, ApplyOutcome::NotReceived);
    assert_eq!(store.reservation(again.id).await.unwrap(), None);

    // Cancelling the meeting frees the provisioned alias.
    assert!(store.remove_conference(&main, "gid-1", 50).await.unwrap());
    assert_eq!(
        store.reservation(free.id).await.unwrap().unwrap().state,
        ReservationState::Deleted
    );
    store.close().await;
}

on_both_backends! {
    provisioned_alias_taken_rolls_back => super::a_taken_alias_rolls_the_meeting_back;
}
