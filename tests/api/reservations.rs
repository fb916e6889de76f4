use crate::helpers::*;
use serde_json::{json, Value};
use vmr_scheduler::domain::{AliasMarker, UserIdentity};
use vmr_scheduler::store::ReservationState;
use vmr_scheduler_tests::on_both_backends;

fn assert_reservation_shape(body: &Value, integration: &str) {
    let alias = body["alias"].as_str().unwrap();
    let domain = format!("@{integration}.vc.example.com");
    assert!(
        alias.starts_with("meet") && alias.ends_with(&domain),
        "{alias}"
    );
    let suffix = &alias["meet".len()..alias.len() - domain.len()];
    assert_eq!(suffix.len(), 6);
    assert!(suffix.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        body["numeric_alias"].as_str().unwrap(),
        format!("{}{suffix}", 10 + integration.len())
    );
    let marker = body["alias_id_marker"].as_str().unwrap();
    assert!(AliasMarker::parse(marker).is_ok(), "{marker}");
    let html = body["instructions_html"].as_str().unwrap();
    assert_eq!(html.matches(marker).count(), 1, "marker once in {html}");
    assert!(html.contains(alias) && html.contains(body["numeric_alias"].as_str().unwrap()));
    assert!(html.contains("+1 555 0100"), "dial-in line rendered");
    assert!(body["location"].as_str().unwrap().contains(alias));
    assert_eq!(
        body["equipment_resource"],
        json!({ "name": format!("VMR {integration}"), "email": format!("vmr-{integration}@example.com") })
    );
    let expires = time::OffsetDateTime::parse(
        body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (expires - time::OffsetDateTime::now_utc()).whole_minutes() as f64 / 60.0;
    assert!((71.9..=72.0).contains(&hours), "expires in {hours} h");
}

async fn entra_v2_token_gets_a_reservation_recorded_with_the_user(db: String) {
    let app = spawn_app(&db).await;
    let token = app
        .idp
        .entra_v2_token(TENANT, API_AUDIENCE)
        .oid("11111111-2222-3333-4444-555555555555")
        .username("adele@contoso.example")
        .build();
    let response = app.reserve("cloud", Some(&token), None).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_reservation_shape(&body, "cloud");
    let stored = app.stored(&body).await;
    assert_eq!(stored.state, ReservationState::Reserved);
    assert_eq!(stored.alias.as_str(), body["alias"]);
    match stored.user {
        UserIdentity::Entra {
            tenant_id,
            object_id,
            email,
            ..
        } => {
            assert_eq!(tenant_id, TENANT);
            assert_eq!(object_id, "11111111-2222-3333-4444-555555555555");
            assert_eq!(email.unwrap().as_str(), "adele@contoso.example");
        }
        other => panic!("unexpected identity {other:?}"),
    }
}

async fn entra_v1_and_partner_tenant_tokens_are_accepted(db: String) {
    let app = spawn_app(&db).await;
    let v1 = app.idp.entra_v1_token(TENANT, API_AUDIENCE).build();
    let response = app.reserve("cloud", Some(&v1), None).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let partner = app.idp.entra_v2_token(PARTNER_TENANT, API_AUDIENCE).build();
    assert_eq!(
        app.reserve("cloud", Some(&partner), None).await.status(),
        201
    );
    let single = app.entra_token();
    let body: Value = app
        .reserve("single", Some(&single), None)
        .await
        .json()
        .await
        .unwrap();
    assert_reservation_shape(&body, "single");
}

async fn exchange_tokens_of_every_wire_shape_are_accepted(db: String) {
    let app = spawn_app(&db).await;
    let strings = app
        .idp
        .exchange_token(ADDIN_PAGE)
        .msexchuid("guid-1@exchange.local")
        .build();
    let numbers = app.idp.exchange_token(ADDIN_PAGE).numeric_times().build();
    let object = app
        .idp
        .exchange_token(ADDIN_PAGE)
        .appctx_as_object()
        .build();
    let response = app.reserve("onprem", Some(&strings), None).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_reservation_shape(&body, "onprem");
    let stored = app.stored(&body).await;
    assert_eq!(
        stored.user,
        UserIdentity::Exchange {
            msexchuid: "guid-1@exchange.local".into(),
            amurl: app.idp.exchange_metadata_url()
        }
    );
    for token in [numbers, object] {
        let response = app.reserve("onprem", Some(&token), None).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
}

async fn same_meeting_same_user_gets_the_same_reservation_unless_replaced(db: String) {
    let app = spawn_app(&db).await;
    let user = app.entra_user("aaaaaaaa-0000-0000-0000-000000000001");
    let other_user = app.entra_user("aaaaaaaa-0000-0000-0000-000000000002");
    let key = json!({ "meeting_key": "AAMkAGI2TG93AAA=" });
    let first = app
        .reserve("single", Some(&user.build()), Some(key.clone()))
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = app
        .reserve("single", Some(&user.build()), Some(key.clone()))
        .await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["alias"], first["alias"]);
    assert_eq!(again["alias_id_marker"], first["alias_id_marker"]);
    assert_eq!(again["reused"], true);
    let theirs: Value = app
        .reserve("single", Some(&other_user.build()), Some(key.clone()))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(
        theirs["alias"], first["alias"],
        "another user never gets my reservation"
    );
    let replaced = app
        .reserve(
            "single",
            Some(&user.build()),
            Some(json!({ "meeting_key": "AAMkAGI2TG93AAA=", "replace": true })),
        )
        .await;
    assert_eq!(replaced.status(), 201);
    let replaced: Value = replaced.json().await.unwrap();
    assert_ne!(replaced["alias"], first["alias"]);
    assert_eq!(app.stored(&first).await.state, ReservationState::Replaced);
    // Without a meeting key every click is a new alias.
    let a: Value = app
        .reserve("single", Some(&user.build()), None)
        .await
        .json()
        .await
        .unwrap();
    let b: Value = app
        .reserve("single", Some(&user.build()), None)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(a["alias"], b["alias"]);
}

async fn a_user_over_the_rate_limit_gets_429_with_retry_after(db: String) {
    let app = spawn_app(&db).await;
    let token = app.entra_token();
    for _ in 0..2 {
        assert_eq!(
            app.reserve("limited", Some(&token), None).await.status(),
            201
        );
    }
    let response = app.reserve("limited", Some(&token), None).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    problem(response, 429, "rate_limited").await;
    let someone_else = app.idp.entra_v2_token(TENANT, API_AUDIENCE).build();
    assert_eq!(
        app.reserve("limited", Some(&someone_else), None)
            .await
            .status(),
        201,
        "limits are per user"
    );
}

on_both_backends! {
    entra_v2_reservation => super::entra_v2_token_gets_a_reservation_recorded_with_the_user;
    entra_v1_and_partner_tenant => super::entra_v1_and_partner_tenant_tokens_are_accepted;
    exchange_token_shapes => super::exchange_tokens_of_every_wire_shape_are_accepted;
    meeting_key_idempotency => super::same_meeting_same_user_gets_the_same_reservation_unless_replaced;
    per_user_rate_limit => super::a_user_over_the_rate_limit_gets_429_with_retry_after;
}
