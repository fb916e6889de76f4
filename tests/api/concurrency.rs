use crate::helpers::*;
use std::collections::HashSet;
use vmr_scheduler::domain::IntegrationId;
use vmr_scheduler_tests::on_both_backends;

const CLIENTS: usize = 64;
const PER_CLIENT: usize = 16;

/// 64 clients at once on a 100,000-alias space: about five random collisions are expected
/// (birthday bound: 1,024² / 200,000), so the retry path runs, and no alias is ever handed out twice.
async fn sixty_four_concurrent_clients_never_share_an_alias(db: String) {
    let app = spawn_app(&db).await;
    let clients = (0..CLIENTS).map(|_| {
        let token = app.idp.entra_v2_token(TENANT, API_AUDIENCE).build();
        let client = app.client.clone();
        let url = app.url("/api/v1/integrations/small/reservations");
        tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..PER_CLIENT {
                let response = client.post(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(response.status(), 201);
                let body: serde_json::Value = response.json().await.unwrap();
                got.push((
                    body["alias"].as_str().unwrap().to_string(),
                    body["numeric_alias"].as_str().unwrap().to_string(),
                ));
            }
            got
        })
    });
    let mut aliases = HashSet::new();
    let mut numeric = HashSet::new();
    for client in clients.collect::<Vec<_>>() {
        for (alias, number) in client.await.unwrap() {
            assert!(
                aliases.insert(alias.clone()),
                "alias {alias} handed out twice"
            );
            assert!(
                numeric.insert(number.clone()),
                "numeric alias {number} handed out twice"
            );
        }
    }
    assert_eq!(aliases.len(), CLIENTS * PER_CLIENT);
    let stored = app
        .store
        .count_live_reservations(&IntegrationId::parse("small").unwrap())
        .await
        .unwrap();
    assert_eq!(stored, (CLIENTS * PER_CLIENT) as u64);
}

on_both_backends! {
    concurrent_reservations => super::sixty_four_concurrent_clients_never_share_an_alias;
}
