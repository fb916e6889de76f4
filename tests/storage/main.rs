//! The storage suite: every case runs on SQLite and on PostgreSQL.

use uuid::Uuid;
use vmr_scheduler::domain::{
    Alias, AliasMarker, EmailAddress, IntegrationId, MeetingOptions, NumericAlias, UserIdentity,
};
use vmr_scheduler::store::{Backend, NewReservation, ReservationState};
use vmr_scheduler_tests::on_both_backends;

use vmr_scheduler_tests::test_db::connect_store as connect;

mod janitor;
mod personal_vmrs;
mod provisioned_rooms;
mod reservation_options;
mod scheduling;
mod series_windows;

fn user(n: u32) -> UserIdentity {
    UserIdentity::Entra {
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        object_id: format!("00000000-0000-0000-0000-{n:012}"),
        email: Some(EmailAddress::parse(&format!("user{n}@example.com")).unwrap()),
        // Not stored: what comes back has no name, both from the insert and from a read.
        name: Some(format!("User {n}")),
    }
}

fn reservation(
    integration: &str,
    suffix: &str,
    user: UserIdentity,
    meeting_key: Option<&str>,
) -> NewReservation {
    NewReservation {
        id: Uuid::new_v4(),
        integration: IntegrationId::parse(integration).unwrap(),
        alias: Alias::parse(&format!("meet{suffix}@vc.example.com")).unwrap(),
        numeric_alias: NumericAlias::parse(&format!("81{suffix}")).unwrap(),
        marker: AliasMarker::generate(&mut rand::thread_rng()),
        user,
        meeting_key: meeting_key.map(str::to_string),
        options: MeetingOptions::default(),
        created_at: 1_700_000_000_000,
        expires_at: 1_700_086_400_000,
    }
}

async fn round_trip(url: String) {
    let store = connect(&url).await;
    let new = reservation("main", "123456", user(1), Some("meeting-1"));
    let stored = store
        .try_insert_reservation(&new)
        .await
        .unwrap()
        .expect("inserted");
    assert_eq!(stored.id, new.id);
    assert_eq!(stored.alias, new.alias);
    assert_eq!(stored.numeric_alias, new.numeric_alias);
    assert_eq!(stored.marker, new.marker);
    assert_eq!(stored.state, ReservationState::Reserved);
    let UserIdentity::Entra {
        tenant_id,
        object_id,
        email,
        name,
    } = &stored.user
    else {
        panic!("entra")
    };
    assert_eq!(name, &None);
    assert_eq!(
        UserIdentity::Entra {
            tenant_id: tenant_id.clone(),
            object_id: object_id.clone(),
            email: email.clone(),
            name: Some("User 1".into())
        },
        new.user
    );
    assert_eq!(stored.meeting_key.as_deref(), Some("meeting-1"));
    assert_eq!(
        (stored.created_at, stored.expires_at, stored.updated_at),
        (new.created_at, new.expires_at, new.created_at)
    );
    assert_eq!(
        store.reservation_by_marker(&new.marker).await.unwrap(),
        Some(stored.clone())
    );
    let exchange_user = UserIdentity::Exchange {
        msexchuid: "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5".into(),
        amurl: "https://mail.contoso.com/autodiscover/metadata/json/1".into(),
    };
    let other = store
        .try_insert_reservation(&reservation("main", "654321", exchange_user.clone(), None))
        .await
        .unwrap()
        .expect("inserted");
    assert_eq!(other.user, exchange_user);
    store.close().await;
}

async fn live_aliases_are_unique(url: String) {
    let store = connect(&url).await;
    let first = store
        .try_insert_reservation(&reservation("main", "111111", user(1), None))
        .await
        .unwrap()
        .unwrap();
    // Same alias, other user, other integration: still refused while the first one is live.
    assert!(store
        .try_insert_reservation(&reservation("other", "111111", user(2), None))
        .await
        .unwrap()
        .is_none());
    // Same numeric alias under another alias text is refused too.
    let mut numeric_clash = reservation("main", "222222", user(2), None);
    numeric_clash.numeric_alias = first.numeric_alias.clone();
    assert!(store
        .try_insert_reservation(&numeric_clash)
        .await
        .unwrap()
        .is_none());
    // Once released, the alias can be handed out again.
    assert!(store
        .transition_reservation(
            first.id,
            ReservationState::Reserved,
            ReservationState::Expired,
            5
        )
        .await
        .unwrap());
    assert!(store
        .try_insert_reservation(&reservation("main", "111111", user(2), None))
        .await
        .unwrap()
        .is_some());
    store.close().await;
}

async fn one_open_reservation_per_user_and_meeting(url: String) {
    let store = connect(&url).await;
    let integration = IntegrationId::parse("main").unwrap();
    let first = store
        .try_insert_reservation(&reservation("main", "100001", user(1), Some("m")))
        .await
        .unwrap()
        .unwrap();
    assert!(store
        .try_insert_reservation(&reservation("main", "100002", user(1), Some("m")))
        .await
        .unwrap()
        .is_none());
    // Another user, or the same user for another meeting, is independent.
    assert!(store
        .try_insert_reservation(&reservation("main", "100003", user(2), Some("m")))
        .await
        .unwrap()
        .is_some());
    assert!(store
        .try_insert_reservation(&reservation("main", "100004", user(1), Some("n")))
        .await
        .unwrap()
        .is_some());
    let found = store
        .open_reservation_for_meeting(&integration, &user(1), "m")
        .await
        .unwrap();
    assert_eq!(found.map(|r| r.id), Some(first.id));
    assert!(store
        .transition_reservation(
            first.id,
            ReservationState::Reserved,
            ReservationState::Replaced,
            9
        )
        .await
        .unwrap());
    assert!(store
        .open_reservation_for_meeting(&integration, &user(1), "m")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .try_insert_reservation(&reservation("main", "100005", user(1), Some("m")))
        .await
        .unwrap()
        .is_some());
    store.close().await;
}

async fn transitions_are_compare_and_set(url: String) {
    let store = connect(&url).await;
    let r = store
        .try_insert_reservation(&reservation("main", "300000", user(1), None))
        .await
        .unwrap()
        .unwrap();
    let attempts = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .transition_reservation(
                    r.id,
                    ReservationState::Reserved,
                    ReservationState::Used,
                    42,
                )
                .await
                .unwrap()
        })
    });
    let winners = futures_join(attempts)
        .await
        .into_iter()
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
    let stored = store
        .reservation_by_marker(&r.marker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.state, stored.updated_at),
        (ReservationState::Used, 42)
    );
    store.close().await;
}

async fn concurrent_inserts_of_one_alias_have_one_winner(url: String) {
    let store = connect(&url).await;
    let tasks = (0..32).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .try_insert_reservation(&reservation("main", "777777", user(n), None))
                .await
                .unwrap()
                .is_some()
        })
    });
    let inserted = futures_join(tasks)
        .await
        .into_iter()
        .filter(|ok| *ok)
        .count();
    assert_eq!(inserted, 1);
    assert_eq!(
        store
            .count_live_reservations(&IntegrationId::parse("main").unwrap())
            .await
            .unwrap(),
        1
    );
    store.close().await;
}

/// Concurrent inserts may be written together (SQLite groups them into one statement): each
/// still gets its own outcome, collisions inside the group included.
async fn mixed_concurrent_inserts_keep_their_own_outcomes(url: String) {
    let store = connect(&url).await;
    store
        .try_insert_reservation(&reservation("main", "900000", user(99), None))
        .await
        .unwrap()
        .unwrap();
    let tasks = (0..60u32).map(|n| {
        let store = store.clone();
        // Every third collides with the existing alias, every third with each other, the rest are unique.
        let suffix = match n % 3 {
            0 => "900000".to_string(),
            1 => "911111".to_string(),
            _ => format!("92{n:04}"),
        };
        tokio::spawn(async move {
            let outcome = store
                .try_insert_reservation(&reservation("main", &suffix, user(n), None))
                .await
                .unwrap();
            (n % 3, outcome.map(|r| r.alias.as_str().to_string()))
        })
    });
    let outcomes = futures_join(tasks).await;
    assert!(
        outcomes
            .iter()
            .filter(|(kind, _)| *kind == 0)
            .all(|(_, o)| o.is_none()),
        "existing alias never re-issued"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|(kind, o)| *kind == 1 && o.is_some())
            .count(),
        1,
        "one winner among duplicates"
    );
    for (kind, outcome) in &outcomes {
        if *kind == 2 {
            assert!(
                outcome.as_deref().is_some_and(|a| a.starts_with("meet92")),
                "unique inserts all stored"
            );
        }
    }
    assert_eq!(
        store
            .count_live_reservations(&IntegrationId::parse("main").unwrap())
            .await
            .unwrap(),
        1 + 1 + 20
    );
    store.close().await;
}

async fn counts_only_live_reservations_of_the_integration(url: String) {
    let store = connect(&url).await;
    let main = IntegrationId::parse("main").unwrap();
    for n in 0..5 {
        store
            .try_insert_reservation(&reservation("main", &format!("40000{n}"), user(n), None))
            .await
            .unwrap()
            .unwrap();
    }
    let gone = store
        .try_insert_reservation(&reservation("main", "499999", user(9), None))
        .await
        .unwrap()
        .unwrap();
    store
        .transition_reservation(
            gone.id,
            ReservationState::Reserved,
            ReservationState::Deleted,
            1,
        )
        .await
        .unwrap();
    store
        .try_insert_reservation(&reservation("other", "488888", user(9), None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.count_live_reservations(&main).await.unwrap(), 5);
    store.close().await;
}

async fn migrations_are_idempotent(url: String) {
    let first = connect(&url).await;
    first
        .try_insert_reservation(&reservation("main", "555555", user(1), None))
        .await
        .unwrap()
        .unwrap();
    first.close().await;
    let second = connect(&url).await;
    assert_eq!(
        second
            .count_live_reservations(&IntegrationId::parse("main").unwrap())
            .await
            .unwrap(),
        1
    );
    second.ping().await.unwrap();
    second.close().await;
}

async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    results
}

on_both_backends! {
    round_trip_of_both_identity_kinds => super::round_trip;
    live_aliases_are_unique_across_integrations => super::live_aliases_are_unique;
    one_open_reservation_per_user_and_meeting => super::one_open_reservation_per_user_and_meeting;
    state_transitions_are_compare_and_set => super::transitions_are_compare_and_set;
    concurrent_inserts_of_one_alias_have_one_winner => super::concurrent_inserts_of_one_alias_have_one_winner;
    counts_only_live_reservations => super::counts_only_live_reservations_of_the_integration;
    mixed_concurrent_inserts => super::mixed_concurrent_inserts_keep_their_own_outcomes;
    migrations_are_idempotent => super::migrations_are_idempotent;
}

#[tokio::test]
async fn sqlite_is_created_on_first_run_in_wal_mode() {
    let dir = std::env::temp_dir().join(format!("vmr-wal-{}", Uuid::new_v4()));
    let path = dir.join("nested/vmr.db");
    let store = connect(&format!("sqlite://{}", path.display())).await;
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists(), "database file created");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        path.display()
    ))
    .await
    .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
