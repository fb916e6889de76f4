//! The janitor's storage work: unused reservations expire, conferences of meetings that are
//! over go with their windows, both free their aliases, in bounded batches, once each.

use super::{connect, reservation, user};
use std::time::Duration;
use vmr_scheduler::domain::{Alias, EmailAddress, IntegrationId, NumericAlias};
use vmr_scheduler::janitor::{Cutoffs, Janitor};
use vmr_scheduler::store::{
    Conference, ConferenceWindow, JournalKey, NewReservation, Operation, Outcome, ReservationState,
    Store, StoreChange, EXPIRE_ACTION, REMOVE_ACTION,
};
use vmr_scheduler_tests::on_both_backends;

const NOW: i64 = 1_800_000_000_000;
const SECOND: i64 = 1_000;
const HOUR: i64 = 3_600 * SECOND;
const AFTER_BUFFER: Duration = Duration::from_secs(3_600);

fn main_id() -> IntegrationId {
    IntegrationId::parse("main").unwrap()
}

/// An open reservation of `main` expiring at `expires_at`.
fn expiring(suffix: &str, expires_at: i64) -> NewReservation {
    NewReservation {
        created_at: NOW - 72 * HOUR,
        expires_at,
        ..reservation("main", suffix, user(1), None)
    }
}

async fn insert(store: &Store, new: &NewReservation) {
    store
        .try_insert_reservation(new)
        .await
        .unwrap()
        .expect("alias free");
}

async fn state_of(store: &Store, new: &NewReservation) -> ReservationState {
    store.reservation(new.id).await.unwrap().unwrap().state
}

async fn operations(store: &Store, action: &str) -> Vec<Operation> {
    store
        .recent_operations(&main_id(), false, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|operation| operation.action == action)
        .collect()
}

/// A meeting of `main` on the reservation `reservation_id` whose windows end at `ends`
/// (one hour each); `last_end` as the decision stores it (`None`: a series without end).
fn meeting(
    gid: &str,
    suffix: &str,
    reservation_id: Option<uuid::Uuid>,
    ends: &[i64],
    last_end: Option<i64>,
) -> Conference {
    Conference {
        integration: main_id(),
        global_object_id: gid.into(),
        reservation_id,
        alias: Alias::parse(&format!("meet{suffix}@vc.example.com")).unwrap(),
        numeric_alias: NumericAlias::parse(&format!("81{suffix}")).unwrap(),
        subject: "Review".into(),
        organizer_email: EmailAddress::parse("manager@example.com").unwrap(),
        organizer_name: None,
        reserved_by: None,
        is_series: ends.len() != 1 || last_end.is_none(),
        first_start: ends.first().map_or(NOW - 100 * HOUR, |end| end - HOUR),
        last_end,
        windows: ends
            .iter()
            .map(|end| ConferenceWindow {
                original_start: end - HOUR,
                start: end - HOUR,
                end: *end,
            })
            .collect(),
    }
}

/// A meeting booked on a fresh reservation (used by it), as the mailbox worker stores it.
async fn booked(store: &Store, gid: &str, suffix: &str, ends: &[i64], last_end: Option<i64>) {
    let new = expiring(suffix, NOW + 72 * HOUR);
    insert(store, &new).await;
    assert!(store
        .transition_reservation(
            new.id,
            ReservationState::Reserved,
            ReservationState::Used,
            1
        )
        .await
        .unwrap());
    store
        .save_conference(&meeting(gid, suffix, Some(new.id), ends, last_end), 1)
        .await
        .unwrap();
}

async fn gone(store: &Store, gid: &str) -> bool {
    store.conference(&main_id(), gid).await.unwrap().is_none()
}

async fn open_reservations_past_their_lifetime_expire(url: String) {
    let store = connect(&url).await;
    let main = main_id();
    let past = expiring("100001", NOW - SECOND);
    let exactly_now = expiring("100002", NOW);
    let later = expiring("100003", NOW + 1);
    let used = expiring("100004", NOW - HOUR);
    let elsewhere = NewReservation {
        expires_at: NOW - HOUR,
        ..reservation("other", "100005", user(2), None)
    };
    for new in [&past, &exactly_now, &later, &used, &elsewhere] {
        insert(&store, new).await;
    }
    store
        .transition_reservation(
            used.id,
            ReservationState::Reserved,
            ReservationState::Used,
            1,
        )
        .await
        .unwrap();
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 4);

    let expired = store.expire_reservations(&main, NOW, 500).await.unwrap();
    let mut ids: Vec<_> = expired.iter().map(|r| r.id).collect();
    ids.sort();
    let mut expected = vec![past.id, exactly_now.id];
    expected.sort();
    assert_eq!(ids, expected);
    let cutoffs = Cutoffs::at(NOW, AFTER_BUFFER);
    for new in [&past, &exactly_now, &later] {
        let should = if cutoffs.reservation_expired(new.expires_at) {
            ReservationState::Expired
        } else {
            ReservationState::Reserved
        };
        assert_eq!(state_of(&store, new).await, should, "{}", new.alias);
    }
    assert_eq!(state_of(&store, &used).await, ReservationState::Used);
    assert_eq!(
        state_of(&store, &elsewhere).await,
        ReservationState::Reserved
    );
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 2);

    let logged = operations(&store, EXPIRE_ACTION).await;
    assert_eq!(logged.len(), 2);
    for operation in &logged {
        assert_eq!(operation.outcome, Outcome::Ok);
        assert_eq!(operation.at, NOW);
        assert_eq!(operation.global_object_id, None);
    }
    let details: Vec<_> = logged.iter().filter_map(|o| o.detail.clone()).collect();
    assert!(
        details.contains(&format!("alias {}", past.alias)),
        "{details:?}"
    );

    // The alias is free again: another user can hold it.
    let again = NewReservation {
        alias: past.alias.clone(),
        numeric_alias: past.numeric_alias.clone(),
        expires_at: NOW + HOUR,
        ..reservation("main", "100009", user(3), None)
    };
    insert(&store, &again).await;

    // Nothing is done twice.
    assert!(store
        .expire_reservations(&main, NOW, 500)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(operations(&store, EXPIRE_ACTION).await.len(), 2);
}

async fn meetings_over_after_their_buffer_are_removed(url: String) {
    let store = connect(&url).await;
    let main = main_id();
    let cutoffs = Cutoffs::at(NOW, AFTER_BUFFER);
    let edge = cutoffs.ended_before;
    let cases: [(&str, &str, Vec<i64>, Option<i64>); 7] = [
        (
            "single-past",
            "200001",
            vec![edge - SECOND],
            Some(edge - SECOND),
        ),
        ("single-at-edge", "200002", vec![edge], Some(edge)),
        (
            "single-in-buffer",
            "200003",
            vec![edge + SECOND],
            Some(edge + SECOND),
        ),
        (
            "series-past",
            "200004",
            vec![edge - 8 * HOUR, edge - 4 * HOUR, edge - HOUR],
            Some(edge - HOUR),
        ),
        ("series-open-ended", "200005", vec![edge - 4 * HOUR], None),
        // An occurrence moved past the series' last end still holds the room.
        (
            "series-moved-occurrence",
            "200006",
            vec![edge - 4 * HOUR, edge + HOUR],
            Some(edge - 4 * HOUR),
        ),
        (
            "series-without-windows",
            "200007",
            vec![],
            Some(edge - HOUR),
        ),
    ];
    for (gid, suffix, ends, last_end) in &cases {
        booked(&store, gid, suffix, ends, *last_end).await;
    }
    let live_before = store.count_live_reservations(&main).await.unwrap();

    let removed = store
        .remove_ended_conferences(&main, edge, NOW, 500)
        .await
        .unwrap();
    let mut removed_ids: Vec<_> = removed
        .iter()
        .map(|c| c.global_object_id.as_str())
        .collect();
    removed_ids.sort();
    assert_eq!(
        removed_ids,
        ["series-past", "series-without-windows", "single-past"]
    );
    for (gid, _, ends, last_end) in &cases {
        let windows_over = ends.iter().all(|end| cutoffs.conference_over(Some(*end)));
        let expected_gone = cutoffs.conference_over(*last_end) && windows_over;
        assert_eq!(gone(&store, gid).await, expected_gone, "{gid}");
    }
    assert_eq!(
        store.count_live_reservations(&main).await.unwrap(),
        live_before - 3
    );
    for conference in &removed {
        let reservation = store
            .reservation(conference.reservation_id.expect("booked on a reservation"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reservation.state, ReservationState::Deleted);
    }
    let logged = operations(&store, REMOVE_ACTION).await;
    let mut logged_ids: Vec<_> = logged
        .iter()
        .filter_map(|o| o.global_object_id.as_deref())
        .collect();
    logged_ids.sort();
    assert_eq!(logged_ids, removed_ids);

    // Windows went with their conference: the same meeting id stored again has only its own.
    store
        .save_conference(
            &meeting(
                "series-past",
                "200001",
                None,
                &[NOW + HOUR],
                Some(NOW + HOUR),
            ),
            2,
        )
        .await
        .unwrap();
    let stored = store
        .conference(&main, "series-past")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.windows.len(), 1);

    // Idempotent: a second pass finds nothing more at the same moment.
    assert!(store
        .remove_ended_conferences(&main, edge, NOW, 500)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(operations(&store, REMOVE_ACTION).await.len(), 3);
}

async fn work_is_done_in_bounded_batches(url: String) {
    let store = connect(&url).await;
    let main = main_id();
    let all: Vec<NewReservation> = (0..7)
        .map(|n| expiring(&format!("30000{n}"), NOW - n * SECOND))
        .collect();
    for new in &all {
        insert(&store, new).await;
    }
    let first = store.expire_reservations(&main, NOW, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    // Oldest expiry first.
    let oldest: Vec<_> = all.iter().rev().take(3).map(|new| new.id).collect();
    let mut first_ids: Vec<_> = first.iter().map(|r| r.id).collect();
    first_ids.sort();
    let mut oldest_sorted = oldest.clone();
    oldest_sorted.sort();
    assert_eq!(first_ids, oldest_sorted);

    let janitor =
        Janitor::new(store.clone(), vec![(main.clone(), AFTER_BUFFER)]).with_batch_size(3);
    let passes = janitor.run_once(NOW).await.unwrap();
    assert_eq!(passes.len(), 1);
    assert_eq!(passes[0].expired.len(), 4, "3 + 1 in two batches");
    assert!(!passes[0].more_left);
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 0);
    assert_eq!(operations(&store, EXPIRE_ACTION).await.len(), 7);
}

async fn two_janitors_at_once_act_on_each_row_once(url: String) {
    let store = connect(&url).await;
    let main = main_id();
    let edge = Cutoffs::at(NOW, AFTER_BUFFER).ended_before;
    for n in 0..40 {
        insert(&store, &expiring(&format!("4000{n:02}"), NOW - SECOND)).await;
    }
    for n in 0..10 {
        let end = edge - (n + 1) * SECOND;
        booked(
            &store,
            &format!("gid-{n}"),
            &format!("5000{n:02}"),
            &[end],
            Some(end),
        )
        .await;
    }
    let janitor =
        || Janitor::new(store.clone(), vec![(main.clone(), AFTER_BUFFER)]).with_batch_size(4);
    let (first, second) = (janitor(), janitor());
    let (one, two) = tokio::join!(first.run_once(NOW), second.run_once(NOW));
    // One that met the other's rows may stop early; the next pass does what is left.
    let third = janitor().run_once(NOW).await.unwrap();
    let passes = [one.unwrap(), two.unwrap(), third];
    let expired: usize = passes.iter().map(|pass| pass[0].expired.len()).sum();
    let removed: usize = passes.iter().map(|pass| pass[0].removed.len()).sum();
    assert_eq!(expired, 40, "each reservation expired exactly once");
    assert_eq!(removed, 10, "each conference removed exactly once");
    assert_eq!(operations(&store, EXPIRE_ACTION).await.len(), 40);
    assert_eq!(operations(&store, REMOVE_ACTION).await.len(), 10);
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 0);
    let fourth = janitor().run_once(NOW).await.unwrap();
    assert!(fourth[0].expired.is_empty() && fourth[0].removed.is_empty());
}

/// A declined meeting releases the reservation it never used, and a cancelled meeting's
/// conference goes with its alias: both aliases can be held again.
async fn declines_and_cancellations_free_their_aliases(url: String) {
    let store = connect(&url).await;
    let main = main_id();
    let declined = expiring("600001", NOW + HOUR);
    insert(&store, &declined).await;
    booked(
        &store,
        "gid-cancelled",
        "600002",
        &[NOW + 2 * HOUR],
        Some(NOW + 2 * HOUR),
    )
    .await;
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 2);
    for (item, changes) in [
        (
            "item-decline",
            vec![StoreChange::ReleaseReservation {
                reservation_id: declined.id,
            }],
        ),
        (
            "item-cancel",
            vec![StoreChange::RemoveConference {
                global_object_id: "gid-cancelled".into(),
            }],
        ),
    ] {
        store
            .journal_pickup(&main, item, "ck", "corr", NOW)
            .await
            .unwrap();
        let key = JournalKey {
            integration: &main,
            item_id: item,
            change_key: "ck",
        };
        assert!(store
            .apply_meeting_changes(key, None, &changes, None, NOW)
            .await
            .unwrap());
    }
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 0);
    assert!(gone(&store, "gid-cancelled").await);
    // Both aliases serve new meetings: a reservation and a conference take them again.
    let again = NewReservation {
        alias: declined.alias.clone(),
        numeric_alias: declined.numeric_alias.clone(),
        expires_at: NOW + HOUR,
        ..reservation("main", "600009", user(3), None)
    };
    insert(&store, &again).await;
    booked(
        &store,
        "gid-new",
        "600002",
        &[NOW + 3 * HOUR],
        Some(NOW + 3 * HOUR),
    )
    .await;
    // Nothing is left for the janitor.
    let passes = Janitor::new(store.clone(), vec![(main, AFTER_BUFFER)])
        .run_once(NOW)
        .await
        .unwrap();
    assert!(passes[0].expired.is_empty() && passes[0].removed.is_empty());
}

on_both_backends! {
    janitor_expires_open_reservations_past_their_lifetime => super::open_reservations_past_their_lifetime_expire;
    janitor_removes_meetings_over_after_their_buffer => super::meetings_over_after_their_buffer_are_removed;
    janitor_works_in_bounded_batches => super::work_is_done_in_bounded_batches;
    janitor_twice_at_once_acts_once => super::two_janitors_at_once_act_on_each_row_once;
    janitor_declines_and_cancellations_free_aliases => super::declines_and_cancellations_free_their_aliases;
}
