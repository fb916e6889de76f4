//! Personal VMRs: saving an import (upsert or replace) and looking them up by owner.

use crate::connect;
use vmr_scheduler::domain::{EmailAddress, IntegrationId, PersonalVmr, PersonalVmrFields};
use vmr_scheduler::store::{SaveMode, SavedCounts, StoredPersonalVmr};
use vmr_scheduler_tests::on_both_backends;

fn vmr(owner: &str, name: &str, aliases: &[&str]) -> PersonalVmr {
    PersonalVmr::parse(&PersonalVmrFields {
        owner_email: owner.into(),
        name: name.into(),
        description: format!("{name} of {owner}"),
        aliases: aliases.iter().map(|alias| alias.to_string()).collect(),
        pin: Some("1234".into()),
        guest_pin: Some("5678".into()),
        allow_guests: true,
    })
    .unwrap()
}

fn names(stored: &[StoredPersonalVmr]) -> Vec<(String, String)> {
    stored
        .iter()
        .map(|s| {
            (
                s.vmr.owner_email().as_str().to_string(),
                s.vmr.name().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(owner, name)| (owner.to_string(), name.to_string()))
        .collect()
}

async fn upsert_adds_and_updates_by_owner_and_name(url: String) {
    let store = connect(&url).await;
    let main = IntegrationId::parse("main").unwrap();
    let first = [
        vmr("bob@example.com", "Bob", &["bob@vc.example.com"]),
        vmr(
            "alice@example.com",
            "Team",
            &["team@vc.example.com", "5511"],
        ),
        vmr("alice@example.com", "Alice", &["alice.room"]),
    ];
    let counts = store
        .save_personal_vmrs(&main, &first, SaveMode::Upsert, 100)
        .await
        .unwrap();
    assert_eq!(
        counts,
        SavedCounts {
            added: 3,
            updated: 0,
            removed: 0
        }
    );
    let all = store.personal_vmrs(&main, None).await.unwrap();
    assert_eq!(
        names(&all),
        pairs(&[
            ("alice@example.com", "Alice"),
            ("alice@example.com", "Team"),
            ("bob@example.com", "Bob")
        ]),
        "ordered by owner and name"
    );
    assert_eq!(all[1].vmr, first[1], "every field round-trips");
    assert_eq!(all[1].updated_at, 100);

    // The same owner and name again updates in place and keeps the id.
    let changed = vmr("alice@example.com", "Team", &["team2@vc.example.com"]);
    let counts = store
        .save_personal_vmrs(
            &main,
            &[
                changed.clone(),
                vmr("carol@example.com", "Carol", &["carol"]),
            ],
            SaveMode::Upsert,
            200,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        SavedCounts {
            added: 1,
            updated: 1,
            removed: 0
        }
    );
    let alice = EmailAddress::parse("Alice@Example.COM").unwrap();
    let hers = store.personal_vmrs(&main, Some(&alice)).await.unwrap();
    assert_eq!(
        names(&hers),
        pairs(&[
            ("alice@example.com", "Alice"),
            ("alice@example.com", "Team")
        ]),
        "looked up case-insensitively, only hers"
    );
    assert_eq!(hers[1].id, all[1].id, "an update keeps the id");
    assert_eq!(hers[1].vmr, changed);
    assert_eq!(hers[1].updated_at, 200);
    assert_eq!(
        hers[0].updated_at, 100,
        "rows not in the file are untouched"
    );
    let nobody = EmailAddress::parse("nobody@example.com").unwrap();
    assert!(store
        .personal_vmrs(&main, Some(&nobody))
        .await
        .unwrap()
        .is_empty());
    store.close().await;
}

async fn replace_leaves_exactly_the_imported_set(url: String) {
    let store = connect(&url).await;
    let main = IntegrationId::parse("main").unwrap();
    let other = IntegrationId::parse("other").unwrap();
    let initial = [
        vmr("alice@example.com", "Alice", &["alice"]),
        vmr("bob@example.com", "Bob", &["bob"]),
    ];
    store
        .save_personal_vmrs(&main, &initial, SaveMode::Upsert, 1)
        .await
        .unwrap();
    store
        .save_personal_vmrs(&other, &initial, SaveMode::Upsert, 1)
        .await
        .unwrap();
    let counts = store
        .save_personal_vmrs(
            &main,
            &[
                vmr("bob@example.com", "Bob", &["bob2"]),
                vmr("dave@example.com", "Dave", &["dave"]),
            ],
            SaveMode::Replace,
            2,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        SavedCounts {
            added: 1,
            updated: 1,
            removed: 1
        }
    );
    assert_eq!(
        names(&store.personal_vmrs(&main, None).await.unwrap()),
        pairs(&[("bob@example.com", "Bob"), ("dave@example.com", "Dave")])
    );
    assert_eq!(
        store.personal_vmrs(&other, None).await.unwrap().len(),
        2,
        "other integrations keep theirs"
    );
    // Replacing with nothing empties the integration.
    let counts = store
        .save_personal_vmrs(&main, &[], SaveMode::Replace, 3)
        .await
        .unwrap();
    assert_eq!(
        counts,
        SavedCounts {
            added: 0,
            updated: 0,
            removed: 2
        }
    );
    assert!(store.personal_vmrs(&main, None).await.unwrap().is_empty());
    store.close().await;
}

on_both_backends! {
    personal_vmrs_upsert => super::upsert_adds_and_updates_by_owner_and_name;
    personal_vmrs_replace => super::replace_leaves_exactly_the_imported_set;
}
