//! `janitor --once`: one pass over the database, printing what it changed.

use super::support::*;
use std::time::Duration;
use vmr_scheduler::domain::{
    Alias, AliasMarker, EmailAddress, IntegrationId, NumericAlias, UserIdentity,
};
use vmr_scheduler::store::{DatabaseSettings, NewReservation, ReservationState, Store};

fn janitor_once(dir: &TempDir, config: &Path) -> Output {
    let database = format!("sqlite://{}/vmr.db", dir.path().display());
    run(
        dir.path(),
        &["--config", config.to_str().unwrap(), "janitor", "--once"],
        &[("VMR_SCHEDULER__DATABASE__URL", &database)],
    )
}

async fn store(dir: &TempDir) -> Store {
    Store::connect(&DatabaseSettings {
        url: format!("sqlite://{}/vmr.db", dir.path().display()),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(5),
    })
    .await
    .unwrap()
}

/// A reservation of the example's `demo` integration that expired (or expires) at `expires_at`.
fn reservation(suffix: &str, expires_at: i64) -> NewReservation {
    NewReservation {
        id: uuid::Uuid::new_v4(),
        integration: IntegrationId::parse("demo").unwrap(),
        alias: Alias::parse(&format!("meet{suffix}@vc.example.com")).unwrap(),
        numeric_alias: NumericAlias::parse(&format!("81{suffix}")).unwrap(),
        marker: AliasMarker::generate(&mut rand::thread_rng()),
        user: UserIdentity::Entra {
            tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            object_id: "00000000-0000-0000-0000-000000000001".into(),
            email: Some(EmailAddress::parse("user@example.com").unwrap()),
            name: None,
        },
        meeting_key: None,
        options: Default::default(),
        created_at: 1,
        expires_at,
    }
}

#[test]
fn janitor_once_expires_what_is_due_and_says_so() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (due, later) = (reservation("111111", 2), reservation("222222", i64::MAX));
    runtime.block_on(async {
        let store = store(&dir).await;
        for new in [&due, &later] {
            store.try_insert_reservation(new).await.unwrap().unwrap();
        }
        store.close().await;
    });

    let output = janitor_once(&dir, &config);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "demo: 1 reservation(s) expired, 0 conference(s) removed\n  \
         expired meet111111@vc.example.com\n"
    );
    let states = runtime.block_on(async {
        let store = store(&dir).await;
        let states = [
            store.reservation(due.id).await.unwrap().unwrap().state,
            store.reservation(later.id).await.unwrap().unwrap().state,
        ];
        store.close().await;
        states
    });
    assert_eq!(
        states,
        [ReservationState::Expired, ReservationState::Reserved]
    );

    let again = janitor_once(&dir, &config);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        "demo: 0 reservation(s) expired, 0 conference(s) removed\n"
    );
}
