use crate::helpers::*;
use serde_json::Value;
use vmr_scheduler::domain::{Alias, AliasMarker, IntegrationId, NumericAlias, UserIdentity};
use vmr_scheduler::store::NewReservation;
use vmr_scheduler_tests::on_both_backends;

async fn healthz_reports_ok_with_security_headers(db: String) {
    let app = spawn_app(&db).await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "probe-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "probe-42");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let small = alias_space(&body, "small");
    assert_eq!(small["capacity"], 100_000);
    assert_eq!(small["warning"], false);
    // A caller's id that is not a short safe token is replaced, not echoed.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "a b c")
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

/// More than 1% of a 100,000-alias space in use turns the health status to `warning`.
async fn a_filling_alias_space_shows_in_health(db: String) {
    let app = spawn_app(&db).await;
    let integration = IntegrationId::parse("small").unwrap();
    let user = UserIdentity::Exchange {
        msexchuid: "bulk".into(),
        amurl: "https://mail.example.com/autodiscover/metadata/json/1".into(),
    };
    for n in 0..1001u32 {
        let new = NewReservation {
            id: uuid::Uuid::new_v4(),
            integration: integration.clone(),
            alias: Alias::parse(&format!("meet{n:05}@small.vc.example.com")).unwrap(),
            numeric_alias: NumericAlias::parse(&format!("99{n:05}")).unwrap(),
            marker: AliasMarker::generate(&mut rand::thread_rng()),
            user: user.clone(),
            meeting_key: None,
            options: Default::default(),
            created_at: 0,
            expires_at: i64::MAX,
        };
        app.store
            .try_insert_reservation(&new)
            .await
            .unwrap()
            .expect("inserted");
    }
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "warning", "{body}");
    let small = alias_space(&body, "small");
    assert_eq!(small["live_aliases"], 1001);
    assert_eq!(small["warning"], true);
    assert_eq!(small["usage_percent"], 1.001);
}

on_both_backends! {
    healthz_ok => super::healthz_reports_ok_with_security_headers;
    alias_space_warning => super::a_filling_alias_space_shows_in_health;
}
