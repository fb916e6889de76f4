//! Per-meeting options: chosen with the reservation or changed afterwards, shown in the
//! joining instructions, refused where the integration does not offer them.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use vmr_scheduler_tests::on_both_backends;

/// `single` and `onprem` offer meeting options; `cloud` does not.
async fn spawn(db: &str) -> TestApp {
    spawn_app_with(db, "", |_| {
        [
            addin_toml("single", "meeting_options = true"),
            addin_toml("onprem", "meeting_options = true"),
        ]
        .concat()
    })
    .await
}

fn reservation_path(integration: &str, id: &str) -> String {
    format!("/api/v1/integrations/{integration}/reservations/{id}")
}

fn options_path(integration: &str, id: &str) -> String {
    format!("{}/options", reservation_path(integration, id))
}

async fn get_reservation(app: &TestApp, id: &str, token: Option<&str>) -> reqwest::Response {
    app.call(Method::GET, &reservation_path("single", id), token, None)
        .await
}

async fn put_options(app: &TestApp, id: &str, token: &str, body: Value) -> reqwest::Response {
    app.call(
        Method::PUT,
        &options_path("single", id),
        Some(token),
        Some(body),
    )
    .await
}

async fn json_with_status(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(actual, status, "{body}");
    body
}

async fn options_chosen_with_the_reservation_are_stored_and_shown(db: String) {
    let app = spawn(&db).await;
    let options = json!({ "host_pin": "1234", "guest_pin": "5678", "guests_allowed": true });
    let response = app
        .reserve(
            "single",
            Some(&app.entra_token()),
            Some(json!({ "meeting_key": "m1", "options": options })),
        )
        .await;
    let body = json_with_status(response, 201).await;
    assert_eq!(body["options"], options);
    let html = body["instructions_html"].as_str().unwrap();
    assert!(
        html.contains("5678") && !html.contains("1234"),
        "attendees see the guest PIN: {html}"
    );
    let stored = app.stored(&body).await;
    assert_eq!(stored.options.host_pin().unwrap().as_str(), "1234");
    assert_eq!(stored.options.guest_pin().unwrap().as_str(), "5678");
    assert_eq!(stored.options.guests_allowed(), Some(true));

    // Without guests, everyone needs the host PIN.
    let body = json_with_status(
        app.reserve(
            "single",
            Some(&app.entra_token()),
            Some(json!({ "options": { "host_pin": "2468", "guests_allowed": false } })),
        )
        .await,
        201,
    )
    .await;
    assert!(body["instructions_html"].as_str().unwrap().contains("2468"));
    assert_eq!(
        body["options"],
        json!({ "host_pin": "2468", "guest_pin": null, "guests_allowed": false })
    );

    // No options: every part unset, and blank PINs (an empty form) are no PINs.
    for request in [
        json!({}),
        json!({ "options": { "host_pin": "", "guest_pin": " " } }),
    ] {
        let body = json_with_status(
            app.reserve("single", Some(&app.entra_token()), Some(request))
                .await,
            201,
        )
        .await;
        assert_eq!(
            body["options"],
            json!({ "host_pin": null, "guest_pin": null, "guests_allowed": null })
        );
    }
}

async fn asking_again_for_a_meeting_applies_new_options(db: String) {
    let app = spawn(&db).await;
    let token = app.entra_token();
    let first = json_with_status(
        app.reserve("single", Some(&token), Some(json!({ "meeting_key": "m" })))
            .await,
        201,
    )
    .await;
    let again = json_with_status(
        app.reserve(
            "single",
            Some(&token),
            Some(json!({ "meeting_key": "m", "options": { "host_pin": "1357" } })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(again["reservation_id"], first["reservation_id"]);
    assert_eq!(again["reused"], true);
    assert_eq!(again["options"]["host_pin"], "1357");
    assert!(again["instructions_html"]
        .as_str()
        .unwrap()
        .contains("1357"));
    // Asking again without options keeps them.
    let kept = json_with_status(
        app.reserve("single", Some(&token), Some(json!({ "meeting_key": "m" })))
            .await,
        200,
    )
    .await;
    assert_eq!(kept["options"]["host_pin"], "1357");
}

async fn the_owner_changes_options_while_the_reservation_is_open(db: String) {
    let app = spawn(&db).await;
    let token = app.entra_token();
    let created = json_with_status(app.reserve("single", Some(&token), None).await, 201).await;
    let id = created["reservation_id"].as_str().unwrap();

    let changed = json_with_status(
        put_options(
            &app,
            id,
            &token,
            json!({ "host_pin": "9753", "guests_allowed": false }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["reservation_id"], created["reservation_id"]);
    assert_eq!(changed["alias_id_marker"], created["alias_id_marker"]);
    assert_eq!(changed["reused"], true);
    assert_eq!(
        changed["options"],
        json!({ "host_pin": "9753", "guest_pin": null, "guests_allowed": false })
    );
    let html = changed["instructions_html"].as_str().unwrap();
    assert!(html.contains("9753"), "instructions re-rendered: {html}");
    assert_eq!(
        html.matches(created["alias_id_marker"].as_str().unwrap())
            .count(),
        1
    );
    assert_eq!(
        app.stored(&created)
            .await
            .options
            .host_pin()
            .unwrap()
            .as_str(),
        "9753"
    );

    // A PUT replaces the whole set: what it leaves out is cleared.
    let cleared = json_with_status(put_options(&app, id, &token, json!({})).await, 200).await;
    assert_eq!(
        cleared["options"],
        json!({ "host_pin": null, "guest_pin": null, "guests_allowed": null })
    );
    assert!(!cleared["instructions_html"]
        .as_str()
        .unwrap()
        .contains("9753"));

    // Once a meeting uses it, the room's options are settled.
    app.mark_used(&created).await;
    let body = problem(
        put_options(&app, id, &token, json!({ "host_pin": "1111" })).await,
        409,
        "reservation_not_open",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("used by a meeting"),
        "{body}"
    );
}

async fn only_the_owner_can_change_options(db: String) {
    let app = spawn(&db).await;
    let owner = app.entra_user("bbbbbbbb-0000-0000-0000-000000000001");
    let intruder = app.entra_user("bbbbbbbb-0000-0000-0000-000000000002");
    let created =
        json_with_status(app.reserve("single", Some(&owner.build()), None).await, 201).await;
    let id = created["reservation_id"].as_str().unwrap();
    let set_pin = json!({ "host_pin": "1234" });
    problem(
        put_options(&app, id, &intruder.build(), set_pin.clone()).await,
        404,
        "not_found",
    )
    .await;
    for unknown in ["00000000-0000-4000-8000-000000000000", "not-a-uuid"] {
        problem(
            put_options(&app, unknown, &owner.build(), set_pin.clone()).await,
            404,
            "not_found",
        )
        .await;
    }
    // The same reservation id under another integration is not found either.
    let other = app
        .call(
            Method::PUT,
            &options_path("onprem", id),
            Some(&app.exchange_token()),
            Some(set_pin.clone()),
        )
        .await;
    problem(other, 404, "not_found").await;
    let anonymous = app
        .call(
            Method::PUT,
            &options_path("single", id),
            None,
            Some(set_pin),
        )
        .await;
    assert_eq!(anonymous.status(), 401);
    assert!(app.stored(&created).await.options.is_empty());
}

async fn the_owner_reads_back_the_saved_options(db: String) {
    let app = spawn(&db).await;
    let owner = app.entra_user("cccccccc-0000-0000-0000-000000000001");
    let intruder = app.entra_user("cccccccc-0000-0000-0000-000000000002");
    let created =
        json_with_status(app.reserve("single", Some(&owner.build()), None).await, 201).await;
    let id = created["reservation_id"].as_str().unwrap();
    let options = json!({ "host_pin": "4321", "guest_pin": "8765", "guests_allowed": true });
    let saved = json_with_status(
        put_options(&app, id, &owner.build(), options.clone()).await,
        200,
    )
    .await;

    let response = get_reservation(&app, id, Some(&owner.build())).await;
    assert_eq!(
        response.headers()["cache-control"],
        "no-store",
        "options hold PINs"
    );
    let read = json_with_status(response, 200).await;
    assert_eq!(read, saved, "the same body as the PUT answered");
    assert_eq!(read["options"], options);

    problem(
        get_reservation(&app, id, Some(&intruder.build())).await,
        404,
        "not_found",
    )
    .await;
    for unknown in ["00000000-0000-4000-8000-000000000000", "not-a-uuid"] {
        problem(
            get_reservation(&app, unknown, Some(&owner.build())).await,
            404,
            "not_found",
        )
        .await;
    }
    let anonymous = get_reservation(&app, id, None).await;
    assert_eq!(anonymous.status(), 401);
}

async fn invalid_options_are_refused_with_the_field_named(db: String) {
    let app = spawn(&db).await;
    let token = app.entra_token();
    let cases = [
        (json!({ "host_pin": "12" }), "host_pin must be 4–20 digits"),
        (
            json!({ "host_pin": "1234", "guest_pin": "1234" }),
            "guest_pin is the same as the host_pin",
        ),
        (
            json!({ "guest_pin": "5678" }),
            "guest_pin is set without a host_pin",
        ),
    ];
    for (options, expected) in &cases {
        let response = app
            .reserve("single", Some(&token), Some(json!({ "options": options })))
            .await;
        let body = problem(response, 400, "invalid_options").await;
        assert!(
            body["detail"].as_str().unwrap().starts_with(expected),
            "{body}"
        );
    }
    let created = json_with_status(app.reserve("single", Some(&token), None).await, 201).await;
    let id = created["reservation_id"].as_str().unwrap();
    let (options, _) = &cases[0];
    problem(
        put_options(&app, id, &token, options.clone()).await,
        400,
        "invalid_options",
    )
    .await;
    problem(
        put_options(&app, id, &token, json!({ "pin": "1234" })).await,
        400,
        "invalid_body",
    )
    .await;
    let empty = app
        .call(Method::PUT, &options_path("single", id), Some(&token), None)
        .await;
    problem(empty, 400, "invalid_body").await;
}

async fn integrations_without_meeting_options_refuse_them(db: String) {
    let app = spawn(&db).await;
    let token = app.entra_token();
    let response = app
        .reserve(
            "cloud",
            Some(&token),
            Some(json!({ "options": { "host_pin": "1234" } })),
        )
        .await;
    let body = problem(response, 400, "meeting_options_disabled").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("integrations.cloud.addin.meeting_options"),
        "{body}"
    );
    // A body without options, or with `null`, is an ordinary reservation.
    let created = json_with_status(
        app.reserve("cloud", Some(&token), Some(json!({ "options": null })))
            .await,
        201,
    )
    .await;
    let id = created["reservation_id"].as_str().unwrap();
    let response = app
        .call(
            Method::PUT,
            &options_path("cloud", id),
            Some(&token),
            Some(json!({ "host_pin": "1234" })),
        )
        .await;
    problem(response, 400, "meeting_options_disabled").await;
}

on_both_backends! {
    options_with_the_reservation => super::options_chosen_with_the_reservation_are_stored_and_shown;
    options_on_asking_again => super::asking_again_for_a_meeting_applies_new_options;
    options_changed_while_open => super::the_owner_changes_options_while_the_reservation_is_open;
    options_owner_only => super::only_the_owner_can_change_options;
    options_read_back => super::the_owner_reads_back_the_saved_options;
    options_validated => super::invalid_options_are_refused_with_the_field_named;
    options_disabled => super::integrations_without_meeting_options_refuse_them;
}
