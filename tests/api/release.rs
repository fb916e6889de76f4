//! Giving back an unused reservation: `DELETE /api/v1/integrations/{i}/reservations/{id}`.

use crate::helpers::*;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use vmr_scheduler::store::ReservationState;
use vmr_scheduler_tests::on_both_backends;

async fn release(app: &TestApp, integration: &str, id: &str, token: Option<&str>) -> Response {
    let path = format!("/api/v1/integrations/{integration}/reservations/{id}");
    app.call(Method::DELETE, &path, token, None).await
}

async fn created(app: &TestApp, token: &str, body: Option<Value>) -> Value {
    let response = app.reserve("single", Some(token), body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn the_owner_releases_an_unused_reservation_once_or_more(db: String) {
    let app = spawn_app(&db).await;
    let token = app.entra_token();
    let meeting = json!({ "meeting_key": "m" });
    let first = created(&app, &token, Some(meeting.clone())).await;
    let id = first["reservation_id"].as_str().unwrap();

    let response = release(&app, "single", id, Some(&token)).await;
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(app.stored(&first).await.state, ReservationState::Deleted);

    // Again: nothing left to release, still a success.
    assert_eq!(
        release(&app, "single", id, Some(&token)).await.status(),
        204
    );
    assert_eq!(app.stored(&first).await.state, ReservationState::Deleted);

    // The meeting no longer holds a reservation: the next click gets a new alias.
    let next = created(&app, &token, Some(meeting)).await;
    assert_ne!(next["reservation_id"], first["reservation_id"]);
}

async fn other_users_and_unknown_ids_are_not_found(db: String) {
    let app = spawn_app(&db).await;
    let owner = app.entra_user("cccccccc-0000-0000-0000-000000000001");
    let intruder = app.entra_user("cccccccc-0000-0000-0000-000000000002");
    let mine = created(&app, &owner.build(), None).await;
    let id = mine["reservation_id"].as_str().unwrap();
    problem(
        release(&app, "single", id, Some(&intruder.build())).await,
        404,
        "not_found",
    )
    .await;
    for unknown in ["00000000-0000-4000-8000-000000000000", "nope"] {
        problem(
            release(&app, "single", unknown, Some(&owner.build())).await,
            404,
            "not_found",
        )
        .await;
    }
    problem(
        release(&app, "nowhere", id, Some(&owner.build())).await,
        404,
        "not_found",
    )
    .await;
    let anonymous = release(&app, "single", id, None).await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    assert_eq!(app.stored(&mine).await.state, ReservationState::Reserved);
}

async fn a_reservation_in_use_is_not_released(db: String) {
    let app = spawn_app(&db).await;
    let token = app.entra_token();
    let body = created(&app, &token, None).await;
    app.mark_used(&body).await;
    let id = body["reservation_id"].as_str().unwrap();
    let problem_body = problem(
        release(&app, "single", id, Some(&token)).await,
        409,
        "reservation_not_open",
    )
    .await;
    assert!(
        problem_body["detail"]
            .as_str()
            .unwrap()
            .contains("used by a meeting"),
        "{problem_body}"
    );
    assert_eq!(app.stored(&body).await.state, ReservationState::Used);
}

async fn expired_or_replaced_reservations_are_already_released(db: String) {
    let app = spawn_app(&db).await;
    let token = app.entra_token();
    let first = created(&app, &token, Some(json!({ "meeting_key": "m" }))).await;
    let replacement = app
        .reserve(
            "single",
            Some(&token),
            Some(json!({ "meeting_key": "m", "replace": true })),
        )
        .await;
    assert_eq!(replacement.status(), 201);
    let id = first["reservation_id"].as_str().unwrap();
    assert_eq!(
        release(&app, "single", id, Some(&token)).await.status(),
        204
    );
    assert_eq!(
        app.stored(&first).await.state,
        ReservationState::Replaced,
        "the state says why it was released"
    );
}

on_both_backends! {
    release_by_the_owner => super::the_owner_releases_an_unused_reservation_once_or_more;
    release_by_others_not_found => super::other_users_and_unknown_ids_are_not_found;
    release_in_use_refused => super::a_reservation_in_use_is_not_released;
    release_of_released => super::expired_or_replaced_reservations_are_already_released;
}
