//! The admin JSON routes: off without a token, the token required, the workers' status.

use crate::helpers::*;
use serde_json::Value;
use vmr_scheduler_tests::on_both_backends;

const TOKEN: &str = "admin-token-0123456789-abcdefghijklmnop";

async fn admin_status_needs_the_token(db: String) {
    let token_file = std::env::temp_dir().join(format!("vmr-admin-{}", uuid::Uuid::new_v4()));
    std::fs::write(&token_file, TOKEN).unwrap();
    let app = spawn_app_with(&db, "", |_| {
        format!(
            "\n[admin]\ntoken = {{ file = {:?} }}\n",
            token_file.display().to_string()
        )
    })
    .await;
    let url = app.url("/admin/api/v1/status");
    for presented in [None, Some("wrong"), Some(&TOKEN[..TOKEN.len() - 1])] {
        let mut request = app.client.get(&url);
        if let Some(token) = presented {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let body = problem(response, 401, "admin_unauthorized").await;
        assert!(!body.to_string().contains(TOKEN));
    }
    let response = app
        .client
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let integrations = body["integrations"].as_array().unwrap();
    assert_eq!(integrations.len(), 5);
    assert!(integrations
        .iter()
        .all(|i| i["watches_mailbox"] == false && i["backlog"] == 0));
    let _ = std::fs::remove_file(token_file);
}

async fn admin_routes_are_off_without_a_token(db: String) {
    let app = spawn_app(&db).await;
    let response = app
        .client
        .get(app.url("/admin/api/v1/status"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    problem(response, 404, "not_found").await;
}

on_both_backends! {
    admin_status_needs_the_token => super::admin_status_needs_the_token;
    admin_routes_are_off_without_a_token => super::admin_routes_are_off_without_a_token;
}
