//! What the mailbox workers keep: leases, sync state, the operations log and the journal.

use super::connect;
use vmr_scheduler::domain::{Alias, EmailAddress, IntegrationId, NumericAlias};
use vmr_scheduler::store::{
    Conference, ConferenceWindow, JournalKey, JournalState, Operation, Outcome, ReservationState,
    StoreChange,
};
use vmr_scheduler_tests::on_both_backends;

fn id(name: &str) -> IntegrationId {
    IntegrationId::parse(name).unwrap()
}

async fn one_lease_holder_at_a_time(url: String) {
    let store = connect(&url).await;
    let main = id("main");
    assert!(store
        .try_acquire_lease(&main, "a", 1_000, 31_000)
        .await
        .unwrap());
    assert!(
        !store
            .try_acquire_lease(&main, "b", 2_000, 32_000)
            .await
            .unwrap(),
        "held by a"
    );
    assert!(
        store
            .try_acquire_lease(&main, "a", 20_000, 50_000)
            .await
            .unwrap(),
        "a renews"
    );
    assert!(
        !store
            .try_acquire_lease(&main, "b", 49_999, 79_999)
            .await
            .unwrap(),
        "not yet expired"
    );
    assert!(
        store
            .try_acquire_lease(&main, "b", 50_001, 80_001)
            .await
            .unwrap(),
        "expired: b takes over"
    );
    assert!(
        !store
            .try_acquire_lease(&main, "a", 50_002, 80_002)
            .await
            .unwrap(),
        "a lost it"
    );
    // Leases are per integration.
    assert!(store
        .try_acquire_lease(&id("other"), "a", 50_003, 80_003)
        .await
        .unwrap());
    // Releasing only works for the holder; then anyone may take it at once.
    store.release_lease(&main, "a").await.unwrap();
    assert!(!store
        .try_acquire_lease(&main, "c", 50_004, 80_004)
        .await
        .unwrap());
    store.release_lease(&main, "b").await.unwrap();
    assert!(store
        .try_acquire_lease(&main, "c", 50_005, 80_005)
        .await
        .unwrap());
    store.close().await;
}

async fn racing_instances_get_one_lease(url: String) {
    let store = connect(&url).await;
    let tasks: Vec<_> = (0..16)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .try_acquire_lease(&id("main"), &format!("instance-{n}"), 1_000, 31_000)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
    store.close().await;
}

async fn sync_state_and_failures_are_kept_apart(url: String) {
    let store = connect(&url).await;
    let main = id("main");
    let fresh = store.mailbox_sync(&main).await.unwrap();
    assert_eq!(fresh.sync_state, None);
    assert_eq!(fresh.last_success_at, None);

    store
        .save_sync_success(&main, Some("state-1"), 7, 1_000)
        .await
        .unwrap();
    store
        .save_sync_failure(&main, "ErrorServerBusy", 2_000)
        .await
        .unwrap();
    let after_failure = store.mailbox_sync(&main).await.unwrap();
    assert_eq!(
        after_failure.sync_state.as_deref(),
        Some("state-1"),
        "a failure keeps the state"
    );
    assert_eq!(after_failure.backlog, 7);
    assert_eq!(after_failure.last_success_at, Some(1_000));
    assert_eq!(after_failure.last_error.as_deref(), Some("ErrorServerBusy"));
    assert_eq!(after_failure.last_error_at, Some(2_000));

    // Starting over (an invalid sync state) stores no state.
    store
        .save_sync_success(&main, None, 0, 3_000)
        .await
        .unwrap();
    let restarted = store.mailbox_sync(&main).await.unwrap();
    assert_eq!(restarted.sync_state, None);
    assert_eq!(restarted.last_success_at, Some(3_000));
    assert_eq!(
        store.mailbox_sync(&id("other")).await.unwrap().sync_state,
        None
    );
    store.close().await;
}

fn operation(at: i64, integration: &str, action: &str, outcome: Outcome) -> Operation {
    Operation {
        at,
        integration: id(integration),
        global_object_id: Some(format!("gid-{at}")),
        item_id: Some(format!("item-{at}")),
        action: action.into(),
        outcome,
        error_code: (outcome == Outcome::Failed).then(|| "ErrorServerBusy".into()),
        correlation_id: Some(format!("corr-{at}")),
        detail: None,
    }
}

async fn operations_log_newest_first(url: String) {
    let store = connect(&url).await;
    let written = [
        operation(1_000, "main", "accept", Outcome::Ok),
        operation(2_000, "main", "decline", Outcome::Failed),
        operation(3_000, "other", "accept", Outcome::Ok),
        operation(4_000, "main", "sync", Outcome::Ok),
    ];
    for op in &written {
        store.record_operation(op).await.unwrap();
    }
    let recent = store
        .recent_operations(&id("main"), false, 10)
        .await
        .unwrap();
    assert_eq!(
        recent,
        vec![written[3].clone(), written[1].clone(), written[0].clone()]
    );
    let failures = store
        .recent_operations(&id("main"), true, 10)
        .await
        .unwrap();
    assert_eq!(failures, vec![written[1].clone()]);
    let limited = store
        .recent_operations(&id("main"), false, 1)
        .await
        .unwrap();
    assert_eq!(limited, vec![written[3].clone()]);
    store.close().await;
}

async fn journal_survives_a_restart_and_moves_forward_once(url: String) {
    let store = connect(&url).await;
    let main = id("main");
    let first = store
        .journal_pickup(&main, "item-1", "ck-1", "corr-a", 1_000)
        .await
        .unwrap();
    assert_eq!(first.state, JournalState::Received);
    assert_eq!(first.attempts, 1);
    assert!(store
        .journal_advance(
            &main,
            "item-1",
            "ck-1",
            JournalState::Received,
            JournalState::Applied,
            Some("gid-1"),
            Some("{\"reply\":1}"),
            1_100
        )
        .await
        .unwrap());
    // A second worker (or a retry) cannot make the same move again.
    assert!(!store
        .journal_advance(
            &main,
            "item-1",
            "ck-1",
            JournalState::Received,
            JournalState::Applied,
            None,
            None,
            1_200
        )
        .await
        .unwrap());

    // After a restart the item is picked up again: same correlation id, the stored reply.
    let again = store
        .journal_pickup(&main, "item-1", "ck-1", "corr-b", 2_000)
        .await
        .unwrap();
    assert_eq!(again.state, JournalState::Applied);
    assert_eq!(again.correlation_id, "corr-a");
    assert_eq!(again.reply.as_deref(), Some("{\"reply\":1}"));
    assert_eq!(again.global_object_id.as_deref(), Some("gid-1"));
    assert_eq!(again.attempts, 2);

    // A new version of the same item is a new entry.
    store
        .journal_pickup(&main, "item-1", "ck-2", "corr-c", 2_100)
        .await
        .unwrap();
    let unfinished = store.unfinished_journal_entries(&main, 10).await.unwrap();
    assert_eq!(
        unfinished
            .iter()
            .map(|e| e.change_key.as_str())
            .collect::<Vec<_>>(),
        ["ck-1", "ck-2"]
    );
    assert!(store
        .journal_advance(
            &main,
            "item-1",
            "ck-1",
            JournalState::Applied,
            JournalState::Done,
            None,
            None,
            2_300
        )
        .await
        .unwrap());
    let done = store
        .journal_entry(&main, "item-1", "ck-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, JournalState::Done);
    assert_eq!(
        done.reply.as_deref(),
        Some("{\"reply\":1}"),
        "advancing without a reply keeps it"
    );
    let unfinished = store.unfinished_journal_entries(&main, 10).await.unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].change_key, "ck-2");
    assert!(store
        .unfinished_journal_entries(&id("other"), 10)
        .await
        .unwrap()
        .is_empty());
    store.close().await;
}

const HOUR: i64 = 3_600_000;
const WEEK: i64 = 7 * 24 * HOUR;

fn window(original_start: i64) -> ConferenceWindow {
    ConferenceWindow {
        original_start,
        start: original_start,
        end: original_start + HOUR,
    }
}

fn conference(gid: &str, suffix: &str, occurrences: usize) -> Conference {
    let first = 1_800_000_000_000;
    let windows: Vec<_> = (0..occurrences.max(1))
        .map(|n| window(first + n as i64 * WEEK))
        .collect();
    Conference {
        integration: id("main"),
        global_object_id: gid.into(),
        reservation_id: Some(uuid::Uuid::new_v4()),
        alias: Alias::parse(&format!("meet{suffix}@vc.example.com")).unwrap(),
        numeric_alias: NumericAlias::parse(&format!("81{suffix}")).unwrap(),
        subject: "Weekly sync".into(),
        organizer_email: EmailAddress::parse("manager@example.com").unwrap(),
        organizer_name: Some("Manager".into()),
        reserved_by: Some(EmailAddress::parse("assistant@example.com").unwrap()),
        is_series: occurrences > 1,
        first_start: first,
        last_end: windows.last().map(|w| w.end),
        windows,
    }
}

async fn conferences_round_trip_and_change_by_occurrence(url: String) {
    let store = connect(&url).await;
    let main = id("main");
    let single = conference("gid-single", "100001", 1);
    store.save_conference(&single, 1).await.unwrap();
    assert_eq!(
        store.conference(&main, "gid-single").await.unwrap(),
        Some(single.clone())
    );
    assert_eq!(
        store.conference(&id("other"), "gid-single").await.unwrap(),
        None
    );

    let mut series = conference("gid-series", "100002", 3);
    series.organizer_name = None;
    series.reservation_id = None;
    series.last_end = None;
    store.save_conference(&series, 2).await.unwrap();
    assert_eq!(
        store.conference(&main, "gid-series").await.unwrap(),
        Some(series.clone())
    );

    // One occurrence moves by an hour, another is cancelled; the rest stay.
    let moved = ConferenceWindow {
        start: series.windows[1].start + HOUR,
        end: series.windows[1].end + HOUR,
        ..series.windows[1]
    };
    assert!(store
        .move_occurrence(&main, "gid-series", moved)
        .await
        .unwrap());
    assert!(store
        .cancel_occurrence(&main, "gid-series", series.windows[2].original_start)
        .await
        .unwrap());
    assert!(!store
        .cancel_occurrence(&main, "gid-series", 42)
        .await
        .unwrap());
    let stored = store
        .conference(&main, "gid-series")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.windows, vec![series.windows[0], moved]);
    assert!(!store
        .move_occurrence(&main, "gid-none", moved)
        .await
        .unwrap());

    // Saving again replaces the meeting whole, windows included.
    let mut edited = conference("gid-series", "100002", 2);
    edited.subject = "Renamed".into();
    store.save_conference(&edited, 3).await.unwrap();
    assert_eq!(
        store.conference(&main, "gid-series").await.unwrap(),
        Some(edited)
    );

    assert!(store
        .remove_conference(&main, "gid-series", 4)
        .await
        .unwrap());
    assert!(!store
        .remove_conference(&main, "gid-series", 4)
        .await
        .unwrap());
    assert_eq!(store.conference(&main, "gid-series").await.unwrap(), None);
    assert!(store
        .conference(&main, "gid-single")
        .await
        .unwrap()
        .is_some());
    store.close().await;
}

async fn two_meetings_never_share_an_alias(url: String) {
    let store = connect(&url).await;
    store
        .save_conference(&conference("gid-a", "200001", 1), 1)
        .await
        .unwrap();
    let clash = store
        .save_conference(&conference("gid-b", "200001", 1), 2)
        .await;
    assert!(
        clash.is_err(),
        "a second meeting on the same alias is refused"
    );
    assert_eq!(
        store.conference(&id("main"), "gid-b").await.unwrap(),
        None,
        "nothing half-stored"
    );
    store.close().await;
}

async fn meeting_changes_are_all_or_nothing_and_applied_once(url: String) {
    let store = connect(&url).await;
    let main = id("main");
    let new = super::reservation("main", "300001", super::user(1), None);
    let reserved = store.try_insert_reservation(&new).await.unwrap().unwrap();
    let mut meeting = conference("gid-1", "300001", 1);
    meeting.reservation_id = Some(reserved.id);
    let key = JournalKey {
        integration: &main,
        item_id: "item-1",
        change_key: "ck-1",
    };
    store
        .journal_pickup(&main, "item-1", "ck-1", "corr-1", 10)
        .await
        .unwrap();
    let changes = [
        StoreChange::MarkReservationUsed {
            reservation_id: reserved.id,
            global_object_id: "gid-1".into(),
        },
        StoreChange::SaveConference(Box::new(meeting.clone())),
    ];

    // A change that fails (another meeting already has the alias) leaves nothing behind.
    store
        .save_conference(&conference("gid-other", "300001", 1), 5)
        .await
        .unwrap();
    assert!(store
        .apply_meeting_changes(key, Some("gid-1"), &changes, Some("accept"), 20)
        .await
        .is_err());
    let entry = store
        .journal_entry(&main, "item-1", "ck-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.state, JournalState::Received);
    assert_eq!(entry.reply, None);
    assert_eq!(
        store
            .reservation_by_marker(&reserved.marker)
            .await
            .unwrap()
            .unwrap()
            .state,
        ReservationState::Reserved
    );
    assert_eq!(store.conference(&main, "gid-1").await.unwrap(), None);

    // Without the clash it applies, with the reply stored for the next step.
    assert!(store
        .remove_conference(&main, "gid-other", 25)
        .await
        .unwrap());
    assert!(store
        .apply_meeting_changes(key, Some("gid-1"), &changes, Some("accept"), 30)
        .await
        .unwrap());
    let entry = store
        .journal_entry(&main, "item-1", "ck-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.state, JournalState::Applied);
    assert_eq!(entry.reply.as_deref(), Some("accept"));
    assert_eq!(entry.global_object_id.as_deref(), Some("gid-1"));
    assert_eq!(
        store
            .reservation_by_marker(&reserved.marker)
            .await
            .unwrap()
            .unwrap()
            .state,
        ReservationState::Used
    );
    assert_eq!(
        store.conference(&main, "gid-1").await.unwrap(),
        Some(meeting.clone())
    );

    // A second worker with the same item changes nothing.
    let other = [StoreChange::RemoveConference {
        global_object_id: "gid-1".into(),
    }];
    assert!(!store
        .apply_meeting_changes(key, None, &other, Some("decline"), 40)
        .await
        .unwrap());
    assert!(store.conference(&main, "gid-1").await.unwrap().is_some());
    assert_eq!(
        store
            .journal_entry(&main, "item-1", "ck-1")
            .await
            .unwrap()
            .unwrap()
            .reply
            .as_deref(),
        Some("accept")
    );

    // A cancellation removes the conference and frees the alias for a new reservation.
    store
        .journal_pickup(&main, "item-2", "ck-1", "corr-2", 50)
        .await
        .unwrap();
    let cancel = JournalKey {
        integration: &main,
        item_id: "item-2",
        change_key: "ck-1",
    };
    assert!(store
        .apply_meeting_changes(cancel, Some("gid-1"), &other, None, 60)
        .await
        .unwrap());
    assert_eq!(store.conference(&main, "gid-1").await.unwrap(), None);
    assert_eq!(
        store
            .reservation_by_marker(&reserved.marker)
            .await
            .unwrap()
            .unwrap()
            .state,
        ReservationState::Deleted
    );
    let again = super::reservation("main", "300001", super::user(2), None);
    assert!(
        store
            .try_insert_reservation(&again)
            .await
            .unwrap()
            .is_some(),
        "the alias is free again"
    );
    store.close().await;
}

on_both_backends! {
    one_lease_holder_at_a_time => super::one_lease_holder_at_a_time;
    racing_instances_get_one_lease => super::racing_instances_get_one_lease;
    sync_state_and_failures_are_kept_apart => super::sync_state_and_failures_are_kept_apart;
    operations_log_newest_first => super::operations_log_newest_first;
    journal_survives_a_restart => super::journal_survives_a_restart_and_moves_forward_once;
    conferences_round_trip => super::conferences_round_trip_and_change_by_occurrence;
    two_meetings_never_share_an_alias => super::two_meetings_never_share_an_alias;
    meeting_changes_all_or_nothing => super::meeting_changes_are_all_or_nothing_and_applied_once;
}
