//! The key cache against a live loopback IdP: refresh on an unknown key, rate-limited refetch,
//! outages, timeouts and redirects.

use crate::helpers::*;
use std::time::Duration;
use vmr_scheduler_tests::{on_both_backends, LoopbackIdp};

fn jwks_path() -> String {
    "/organizations/discovery/v2.0/keys".to_string()
}

async fn rotated_keys_are_picked_up_and_unknown_kids_refetch_at_most_once(db: String) {
    let app = spawn_app(&db).await;
    assert_eq!(
        app.reserve("cloud", Some(&app.entra_token()), None)
            .await
            .status(),
        201
    );
    let fetches = app.idp.fetch_count(&jwks_path());
    assert_eq!(fetches, 1, "keys fetched once, then cached");
    assert_eq!(
        app.reserve("cloud", Some(&app.entra_token()), None)
            .await
            .status(),
        201
    );
    assert_eq!(app.idp.fetch_count(&jwks_path()), 1, "cache hit");

    // The IdP rotates: a token signed with the new key triggers one refresh and succeeds.
    app.idp.rotate_entra_key();
    let rotated = app.idp.entra_v2_token(TENANT, API_AUDIENCE).build();
    assert_eq!(
        app.reserve("cloud", Some(&rotated), None).await.status(),
        201
    );
    assert_eq!(app.idp.fetch_count(&jwks_path()), 2);

    // Tokens naming keys that do not exist cannot make the service hammer the IdP.
    for n in 0..5 {
        let bogus = app
            .idp
            .entra_v2_token(TENANT, API_AUDIENCE)
            .header("kid", format!("bogus-{n}"))
            .build();
        problem(
            app.reserve("cloud", Some(&bogus), None).await,
            401,
            "unknown_key",
        )
        .await;
    }
    assert_eq!(
        app.idp.fetch_count(&jwks_path()),
        2,
        "refetch is rate-limited"
    );
}

async fn concurrent_first_requests_share_one_fetch(db: String) {
    let app = spawn_app(&db).await;
    app.idp.set_delay(Duration::from_millis(300));
    let requests = (0..16).map(|_| {
        let token = app.entra_token();
        let request = app
            .client
            .post(app.url("/api/v1/integrations/cloud/reservations"))
            .bearer_auth(token);
        tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
    });
    for request in requests.collect::<Vec<_>>() {
        assert_eq!(request.await.unwrap(), 201);
    }
    assert_eq!(app.idp.fetch_count(&jwks_path()), 1, "single flight");
}

async fn outages_fail_closed_but_cached_keys_keep_working(db: String) {
    let app = spawn_app(&db).await;
    app.idp.set_failure(&jwks_path(), 500);
    let body = problem(
        app.reserve("cloud", Some(&app.entra_token()), None).await,
        503,
        "key_source_unavailable",
    )
    .await;
    assert!(!body["detail"].as_str().unwrap().contains("eyJ"));
    app.idp.clear_failures();
    assert_eq!(
        app.reserve("cloud", Some(&app.entra_token()), None)
            .await
            .status(),
        201
    );
    // Keys now cached: a later outage does not stop known keys from validating.
    app.idp.set_failure(&jwks_path(), 503);
    assert_eq!(
        app.reserve("cloud", Some(&app.entra_token()), None)
            .await
            .status(),
        201
    );

    // Exchange metadata too: an outage before the first fetch fails closed.
    app.idp.set_failure("/autodiscover/metadata/json/1", 500);
    problem(
        app.reserve("onprem", Some(&app.exchange_token()), None)
            .await,
        503,
        "key_source_unavailable",
    )
    .await;
    app.idp.clear_failures();
    assert_eq!(
        app.reserve("onprem", Some(&app.exchange_token()), None)
            .await
            .status(),
        201
    );
}

async fn slow_metadata_times_out(db: String) {
    let app = spawn_app(&db).await;
    app.idp.set_delay(Duration::from_millis(3500));
    let started = std::time::Instant::now();
    problem(
        app.reserve("single", Some(&app.entra_token()), None).await,
        503,
        "key_source_unavailable",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "gave up after the configured timeout"
    );
}

async fn redirects_are_followed_only_within_trusted_origins(db: String) {
    let attacker = LoopbackIdp::start().await;
    let app = spawn_app_with(&db, "", |idp| {
        let tenant = format!(r#"tenant_id = "{TENANT}""#);
        let inside = entra_auth(
            idp,
            &tenant,
            &idp.redirect_url(&idp.v2_metadata_url(TENANT)),
        );
        let outside = entra_auth(
            idp,
            &tenant,
            &idp.redirect_url(&attacker.v2_metadata_url(TENANT)),
        );
        integration_toml("inside", 6, UNLIMITED, &inside)
            + &integration_toml("outside", 6, UNLIMITED, &outside)
    })
    .await;
    assert_eq!(
        app.reserve("inside", Some(&app.entra_token()), None)
            .await
            .status(),
        201
    );
    problem(
        app.reserve("outside", Some(&app.entra_token()), None).await,
        503,
        "key_source_unavailable",
    )
    .await;
    assert_eq!(
        attacker.total_fetch_count(),
        0,
        "the redirect to an untrusted origin was not followed"
    );
}

on_both_backends! {
    key_rotation_and_refetch_limit => super::rotated_keys_are_picked_up_and_unknown_kids_refetch_at_most_once;
    single_flight_key_fetch => super::concurrent_first_requests_share_one_fetch;
    key_source_outages => super::outages_fail_closed_but_cached_keys_keep_working;
    key_source_timeout => super::slow_metadata_times_out;
    redirects_stay_in_trusted_origins => super::redirects_are_followed_only_within_trusted_origins;
}
