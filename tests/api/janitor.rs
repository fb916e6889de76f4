//! The janitor end to end: an add-in's reservation nobody used expires and its alias is free
//! again; a booked meeting's room goes once the meeting and its after-buffer are over; the
//! service runs the janitor on its own every `janitor.interval_seconds`.

use crate::helpers::*;
use crate::scheduling_support::*;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use time::OffsetDateTime;
use vmr_scheduler::domain::{AliasMarker, IntegrationId, NumericAlias};
use vmr_scheduler::janitor::Janitor;
use vmr_scheduler::store::{
    NewReservation, Operation, Outcome, ReservationState, Store, EXPIRE_ACTION, REMOVE_ACTION,
};
use vmr_scheduler_tests::on_both_backends;

/// The test integrations' default after-buffer (`buffers.after_minutes = 60`).
const AFTER_BUFFER: Duration = Duration::from_secs(3600);
const SECOND: i64 = 1_000;

fn single() -> IntegrationId {
    IntegrationId::parse("single").unwrap()
}

/// A janitor of the `single` integration over `store`.
fn janitor(store: &Store) -> Janitor {
    Janitor::new(store.clone(), vec![(single(), AFTER_BUFFER)])
}

async fn logged(store: &Store, action: &str) -> Vec<Operation> {
    store
        .recent_operations(&single(), false, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|operation| operation.action == action)
        .collect()
}

async fn an_unused_reservation_expires_and_frees_its_alias(db: String) {
    let app = spawn_app_with(&db, "", |_| addin_toml("single", "meeting_options = true")).await;
    let token = app.entra_token();
    let body = json!({ "meeting_key": "meeting-1" });
    let response = app
        .reserve("single", Some(&token), Some(body.clone()))
        .await;
    assert_eq!(response.status(), 201);
    let reserved: serde_json::Value = response.json().await.unwrap();
    let stored = app.stored(&reserved).await;
    let live_before = app.store.count_live_reservations(&single()).await.unwrap();

    // A millisecond before its end nothing happens; at its end it expires.
    let passes = janitor(&app.store)
        .run_once(stored.expires_at - 1)
        .await
        .unwrap();
    assert!(passes[0].expired.is_empty());
    let passes = janitor(&app.store)
        .run_once(stored.expires_at)
        .await
        .unwrap();
    assert_eq!(passes[0].expired.len(), 1);
    assert_eq!(passes[0].expired[0].id, stored.id);
    let after = app.stored(&reserved).await;
    assert_eq!(after.state, ReservationState::Expired);
    assert_eq!(
        app.store.count_live_reservations(&single()).await.unwrap(),
        live_before - 1
    );
    let expired = logged(&app.store, EXPIRE_ACTION).await;
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].outcome, Outcome::Ok);
    assert_eq!(
        expired[0].detail.as_deref(),
        Some(format!("alias {}", stored.alias).as_str())
    );

    // The add-in sees it closed, and gets a new alias for the same meeting.
    let path = format!(
        "/api/v1/integrations/single/reservations/{}/options",
        stored.id
    );
    let options = app
        .call(
            Method::PUT,
            &path,
            Some(&token),
            Some(json!({ "guests_allowed": false })),
        )
        .await;
    let closed = problem(options, 409, "reservation_not_open").await;
    assert!(
        closed["detail"].as_str().unwrap().contains("expired"),
        "{closed}"
    );
    let again = app.reserve("single", Some(&token), Some(body)).await;
    assert_eq!(again.status(), 201);
    let again: serde_json::Value = again.json().await.unwrap();
    assert_ne!(again["alias_id_marker"], reserved["alias_id_marker"]);

    // And its alias can be held again.
    let same_alias = NewReservation {
        id: uuid::Uuid::new_v4(),
        marker: AliasMarker::generate(&mut rand::thread_rng()),
        created_at: stored.expires_at,
        expires_at: stored.expires_at + 3_600 * SECOND,
        alias: stored.alias.clone(),
        numeric_alias: NumericAlias::parse(stored.numeric_alias.as_str()).unwrap(),
        integration: single(),
        user: stored.user.clone(),
        meeting_key: None,
        options: Default::default(),
    };
    assert!(app
        .store
        .try_insert_reservation(&same_alias)
        .await
        .unwrap()
        .is_some());
}

async fn a_booked_meeting_goes_after_its_end_and_buffer(db: String) {
    let scheduling = Scheduling::start(&db).await;
    let uid = new_uid();
    let start = (OffsetDateTime::now_utc() + time::Duration::days(2))
        .replace_nanosecond(0)
        .unwrap();
    let reservation = scheduling.reserve(&uid).await;
    let body = format!(
        "<p>Agenda</p>{}",
        reservation["instructions_html"].as_str().unwrap()
    );
    let meeting = invite(&uid, "Review", &body, start);
    let end = millis(meeting.end);
    scheduling.exchange.send_meeting(&meeting);
    scheduling.wait_for_responses(1).await;
    let conference = scheduling.conference(&uid).await.expect("booked");
    assert_eq!(conference.last_end, Some(end));
    let store = &scheduling.app.store;
    let buffer_over = end + 3_600 * SECOND;

    // Until the after-buffer has passed, the room stays; a second later it goes.
    let passes = janitor(store).run_once(buffer_over).await.unwrap();
    assert!(passes[0].removed.is_empty());
    assert!(scheduling.conference(&uid).await.is_some());
    let passes = janitor(store).run_once(buffer_over + SECOND).await.unwrap();
    assert_eq!(passes[0].removed.len(), 1);
    assert_eq!(passes[0].removed[0].global_object_id, uid);
    assert!(scheduling.conference(&uid).await.is_none());
    assert_eq!(
        scheduling.reservation(&reservation).await.state,
        ReservationState::Deleted
    );
    let removed = logged(store, REMOVE_ACTION).await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].global_object_id.as_deref(), Some(uid.as_str()));
    assert_eq!(removed[0].outcome, Outcome::Ok);
    assert_eq!(removed[0].at, buffer_over + SECOND);
    // Once is enough.
    let passes = janitor(store)
        .run_once(buffer_over + 2 * SECOND)
        .await
        .unwrap();
    assert!(passes[0].removed.is_empty());
    assert_eq!(logged(store, REMOVE_ACTION).await.len(), 1);
    scheduling.assert_clean_protocol();
}

async fn the_service_runs_the_janitor_on_its_own(db: String) {
    let app = spawn_app_with(&db, "", |_| "\n[janitor]\ninterval_seconds = 1\n".into()).await;
    let token = app.entra_token();
    let response = app.reserve("single", Some(&token), None).await;
    assert_eq!(response.status(), 201);
    let reserved: serde_json::Value = response.json().await.unwrap();
    let stored = app.stored(&reserved).await;
    // Already past its lifetime, as if it had been reserved days ago.
    let stale = NewReservation {
        id: uuid::Uuid::new_v4(),
        marker: AliasMarker::generate(&mut rand::thread_rng()),
        alias: vmr_scheduler::domain::Alias::parse("stale000001@vc.example.com").unwrap(),
        numeric_alias: NumericAlias::parse("990000001").unwrap(),
        created_at: 1,
        expires_at: 2,
        integration: single(),
        user: stored.user.clone(),
        meeting_key: None,
        options: Default::default(),
    };
    app.store
        .try_insert_reservation(&stale)
        .await
        .unwrap()
        .expect("inserted");

    let store = app.store.clone();
    eventually_async("the stale reservation to expire", || {
        let store = store.clone();
        async move {
            let state = store.reservation(stale.id).await.unwrap().unwrap().state;
            (state == ReservationState::Expired).then_some(())
        }
    })
    .await;
    assert_eq!(logged(&app.store, EXPIRE_ACTION).await.len(), 1);
    // The fresh one is not touched.
    assert_eq!(
        app.stored(&reserved).await.state,
        ReservationState::Reserved
    );
}

on_both_backends! {
    janitor_expires_an_unused_reservation => super::an_unused_reservation_expires_and_frees_its_alias;
    janitor_removes_a_past_meeting => super::a_booked_meeting_goes_after_its_end_and_buffer;
    janitor_runs_in_the_service => super::the_service_runs_the_janitor_on_its_own;
}
