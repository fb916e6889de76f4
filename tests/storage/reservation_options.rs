//! Meeting options stored with a reservation, and the owner-only look-up behind changing them.

use crate::{connect, reservation, user};
use vmr_scheduler::domain::{IntegrationId, MeetingOptions};
use vmr_scheduler::store::ReservationState;
use vmr_scheduler_tests::on_both_backends;

fn options(host: &str, guest: Option<&str>, guests_allowed: Option<bool>) -> MeetingOptions {
    MeetingOptions::parse(Some(host), guest, guests_allowed).unwrap()
}

async fn options_are_stored_with_the_reservation(url: String) {
    let store = connect(&url).await;
    let mut new = reservation("main", "610001", user(1), Some("m"));
    new.options = options("1234", Some("5678"), Some(true));
    let inserted = store.try_insert_reservation(&new).await.unwrap().unwrap();
    assert_eq!(inserted.options, new.options);
    let read = store
        .reservation_by_marker(&new.marker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, inserted, "what the insert returns is what is stored");
    // Without options every part reads back unset.
    let plain = reservation("main", "610002", user(1), None);
    store.try_insert_reservation(&plain).await.unwrap().unwrap();
    let read = store
        .reservation_by_marker(&plain.marker)
        .await
        .unwrap()
        .unwrap();
    assert!(read.options.is_empty(), "{:?}", read.options);
    store.close().await;
}

async fn options_change_only_while_the_reservation_is_open(url: String) {
    let store = connect(&url).await;
    let new = reservation("main", "620001", user(1), None);
    let open = store.try_insert_reservation(&new).await.unwrap().unwrap();
    let chosen = options("4321", None, Some(false));
    let now = new.created_at + 1;
    let changed = store
        .set_open_reservation_options(open.id, &chosen, now)
        .await
        .unwrap()
        .expect("open reservations take options");
    assert_eq!(changed.options, chosen);
    assert_eq!(changed.updated_at, now);
    assert_eq!(
        store
            .reservation_by_marker(&new.marker)
            .await
            .unwrap()
            .unwrap(),
        changed
    );
    // Clearing is a change too.
    let cleared = store
        .set_open_reservation_options(open.id, &MeetingOptions::default(), now)
        .await
        .unwrap()
        .unwrap();
    assert!(cleared.options.is_empty());
    // Past its lifetime it is no longer open, even before anything marks it expired.
    assert!(store
        .set_open_reservation_options(open.id, &chosen, new.expires_at)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .transition_reservation(
            open.id,
            ReservationState::Reserved,
            ReservationState::Used,
            now
        )
        .await
        .unwrap());
    assert!(store
        .set_open_reservation_options(open.id, &chosen, now)
        .await
        .unwrap()
        .is_none());
    let used = store
        .reservation_by_marker(&new.marker)
        .await
        .unwrap()
        .unwrap();
    assert!(
        used.options.is_empty(),
        "a refused change leaves the options alone"
    );
    store.close().await;
}

async fn only_the_owner_finds_a_reservation_by_id(url: String) {
    let store = connect(&url).await;
    let main = IntegrationId::parse("main").unwrap();
    let mine = store
        .try_insert_reservation(&reservation("main", "630001", user(1), None))
        .await
        .unwrap()
        .unwrap();
    let found = store
        .reservation_of_user(&main, mine.id, &user(1))
        .await
        .unwrap();
    assert_eq!(found, Some(mine.clone()));
    assert_eq!(
        store
            .reservation_of_user(&main, mine.id, &user(2))
            .await
            .unwrap(),
        None,
        "another user"
    );
    let other = IntegrationId::parse("other").unwrap();
    assert_eq!(
        store
            .reservation_of_user(&other, mine.id, &user(1))
            .await
            .unwrap(),
        None,
        "another integration"
    );
    // Whatever its state.
    store
        .transition_reservation(
            mine.id,
            ReservationState::Reserved,
            ReservationState::Deleted,
            1,
        )
        .await
        .unwrap();
    let deleted = store
        .reservation_of_user(&main, mine.id, &user(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deleted.state, ReservationState::Deleted);
    store.close().await;
}

on_both_backends! {
    options_round_trip => super::options_are_stored_with_the_reservation;
    options_change_while_open => super::options_change_only_while_the_reservation_is_open;
    reservation_of_user => super::only_the_owner_finds_a_reservation_by_id;
}
