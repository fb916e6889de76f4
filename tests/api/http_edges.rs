//! Bad requests get specific problems, and never reserve anything.

use crate::helpers::*;
use serde_json::json;
use vmr_scheduler::domain::IntegrationId;
use vmr_scheduler_tests::on_both_backends;

async fn bad_requests_get_specific_problems(db: String) {
    let app = spawn_app(&db).await;
    let token = app.entra_token();
    problem(
        app.reserve("nowhere", Some(&token), None).await,
        404,
        "not_found",
    )
    .await;
    let raw = |body: &'static str| {
        app.client
            .post(app.url("/api/v1/integrations/single/reservations"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
    };
    let body = problem(raw("{not json").send().await.unwrap(), 400, "invalid_body").await;
    assert!(
        body["detail"].as_str().unwrap().contains("line 1"),
        "{body}"
    );
    problem(
        raw(r#"{"meeting_key": 5}"#).send().await.unwrap(),
        400,
        "invalid_body",
    )
    .await;
    problem(
        raw(r#"{"meetingKey": "x"}"#).send().await.unwrap(),
        400,
        "invalid_body",
    )
    .await;
    problem(
        app.reserve(
            "single",
            Some(&token),
            Some(json!({ "meeting_key": "has space" })),
        )
        .await,
        400,
        "invalid_meeting_key",
    )
    .await;
    let huge = "x".repeat(17 * 1024);
    let response = app
        .client
        .post(app.url("/api/v1/integrations/single/reservations"))
        .bearer_auth(&token)
        .body(huge)
        .send()
        .await
        .unwrap();
    let body = problem(response, 413, "payload_too_large").await;
    assert!(body["detail"].as_str().unwrap().contains("limit"), "{body}");
    problem(
        app.client
            .get(app.url("/api/v1/integrations/single/reservations"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    problem(
        app.client
            .get(app.url("/no/such/route"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    let live = app
        .store
        .count_live_reservations(&IntegrationId::parse("single").unwrap())
        .await
        .unwrap();
    assert_eq!(live, 0, "no bad request reserved an alias");
}

async fn cors_allows_own_and_configured_origins_only(db: String) {
    let app = spawn_app_with(
        &db,
        r#"cors_allowed_origins = ["https://outlook.office.com"]"#,
        |_| String::new(),
    )
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                app.url("/api/v1/integrations/single/reservations"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://outlook.office.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://outlook.office.com"
    );
    let own = app
        .client
        .post(app.url("/api/v1/integrations/single/reservations"))
        .header("origin", "http://localhost")
        .bearer_auth(app.entra_token())
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 201, "same-origin POST from the add-in page");
    let foreign = preflight("https://evil.example").await.unwrap();
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

on_both_backends! {
    bad_requests => super::bad_requests_get_specific_problems;
    cors => super::cors_allows_own_and_configured_origins_only;
}
