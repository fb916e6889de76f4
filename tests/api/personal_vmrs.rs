//! Personal VMRs: imported from a file, listed to their owner with rendered instructions.

use crate::helpers::*;
use reqwest::{Method, Response};
use serde_json::Value;
use std::path::{Path, PathBuf};
use vmr_scheduler::domain::IntegrationId;
use vmr_scheduler::personal_vmrs::{import_file, ImportError};
use vmr_scheduler::store::{SaveMode, SavedCounts};
use vmr_scheduler_tests::on_both_backends;

const ROOMS_CSV: &str = "owner_email,name,description,aliases,pin,guest_pin,allow_guests\n\
    Alice@Example.com,Alice's room,Weekly team calls,alice@single.vc.example.com;7001;alice.room,1234,5678,yes\n\
    alice@example.com,Board,,board@single.vc.example.com,4321,,no\n\
    bob@example.com,Bob,,bob@single.vc.example.com,,,\n";

/// `single` and `onprem` offer personal VMRs; `cloud` does not.
async fn spawn(db: &str) -> TestApp {
    spawn_app_with(db, "", |_| {
        [
            addin_toml("single", "personal_vmrs = true"),
            addin_toml("onprem", "personal_vmrs = true"),
        ]
        .concat()
    })
    .await
}

/// An import file in its own temporary folder, removed on drop.
struct ImportFile(PathBuf);

impl ImportFile {
    fn new(name: &str, contents: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vmr-personal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ImportFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn import(
    app: &TestApp,
    name: &str,
    contents: &str,
    mode: SaveMode,
) -> Result<SavedCounts, ImportError> {
    let file = ImportFile::new(name, contents);
    let integration = IntegrationId::parse("single").unwrap();
    import_file(
        &app.store,
        &integration,
        file.path(),
        mode,
        1_700_000_000_000,
    )
    .await
}

async fn list(app: &TestApp, integration: &str, token: Option<&str>) -> Response {
    let path = format!("/api/v1/integrations/{integration}/personal-vmrs");
    app.call(Method::GET, &path, token, None).await
}

fn token_of(app: &TestApp, email: &str) -> String {
    app.idp
        .entra_v2_token(TENANT, API_AUDIENCE)
        .username(email)
        .build()
}

/// The `name` of each VMR listed for `email`.
async fn names_listed_for(app: &TestApp, email: &str) -> Vec<String> {
    let response = list(app, "single", Some(&token_of(app, email))).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["personal_vmrs"]
        .as_array()
        .expect("personal_vmrs array")
        .iter()
        .map(|vmr| vmr["name"].as_str().unwrap().to_string())
        .collect()
}

async fn owners_see_their_own_rooms_rendered(db: String) {
    let app = spawn(&db).await;
    let counts = import(&app, "rooms.csv", ROOMS_CSV, SaveMode::Upsert)
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
    // The token's address matches whatever its case.
    let response = list(&app, "single", Some(&token_of(&app, "ALICE@example.com"))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let vmrs = body["personal_vmrs"].as_array().unwrap();
    assert_eq!(vmrs.len(), 2, "only Alice's: {body}");
    let room = vmrs
        .iter()
        .find(|vmr| vmr["name"] == "Alice's room")
        .expect("Alice's room listed");
    let keys: Vec<&str> = room
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.len(),
        6,
        "id, name, description, alias, instructions_html, location: {room}"
    );
    assert!(uuid::Uuid::parse_str(room["id"].as_str().unwrap()).is_ok());
    assert_eq!(room["description"], "Weekly team calls");
    assert_eq!(
        room["alias"], "alice@single.vc.example.com",
        "the domain alias is preferred"
    );
    assert_eq!(
        room["location"],
        "Video meeting: alice@single.vc.example.com"
    );
    let html = room["instructions_html"].as_str().unwrap();
    assert!(html.contains("alice@single.vc.example.com"), "{html}");
    assert!(html.contains("Alice&#x27;s room"), "escaped name: {html}");
    assert!(
        html.contains("+1 555 0100") && html.contains("7001"),
        "{html}"
    );
    assert!(
        html.contains("5678") && !html.contains("1234"),
        "guests are allowed, so the guest PIN is shown: {html}"
    );
    let board = vmrs.iter().find(|vmr| vmr["name"] == "Board").unwrap();
    assert!(board["instructions_html"]
        .as_str()
        .unwrap()
        .contains("4321"));

    assert_eq!(names_listed_for(&app, "bob@example.com").await, ["Bob"]);
    assert!(
        names_listed_for(&app, "nobody@example.com")
            .await
            .is_empty(),
        "no rooms is an empty list"
    );
}

async fn a_file_with_bad_rows_imports_nothing(db: String) {
    let app = spawn(&db).await;
    import(&app, "rooms.csv", ROOMS_CSV, SaveMode::Upsert)
        .await
        .unwrap();
    let bad = "owner_email,name,aliases,pin\n\
               carol@example.com,Carol,carol@single.vc.example.com,\n\
               alice@example.com,Alice's room,alice-new@single.vc.example.com,12\n\
               dave@,Dave,dave@single.vc.example.com,\n";
    let error = import(&app, "bad.csv", bad, SaveMode::Replace)
        .await
        .unwrap_err();
    let ImportError::Invalid { problems, .. } = &error else {
        panic!("expected row problems, got {error:?}");
    };
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "line 3, pin: must be 4–20 digits (got 2 character(s))",
            "line 4, owner_email: `dave@` has no valid domain after `@`",
        ]
    );
    // The valid row was not imported, and nothing was replaced.
    assert!(names_listed_for(&app, "carol@example.com").await.is_empty());
    assert_eq!(
        names_listed_for(&app, "alice@example.com").await,
        ["Alice's room", "Board"]
    );
}

async fn upsert_keeps_other_rooms_and_replace_removes_them(db: String) {
    let app = spawn(&db).await;
    import(&app, "rooms.csv", ROOMS_CSV, SaveMode::Upsert)
        .await
        .unwrap();
    let json = r#"[
        {"owner_email": "alice@example.com", "name": "Board", "aliases": ["board2@single.vc.example.com"]},
        {"owner_email": "carol@example.com", "name": "Carol", "aliases": ["carol@single.vc.example.com"]}
    ]"#;
    let counts = import(&app, "rooms.json", json, SaveMode::Upsert)
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
    assert_eq!(
        names_listed_for(&app, "alice@example.com").await,
        ["Alice's room", "Board"]
    );
    assert_eq!(names_listed_for(&app, "bob@example.com").await, ["Bob"]);

    let counts = import(&app, "rooms.json", json, SaveMode::Replace)
        .await
        .unwrap();
    assert_eq!(
        counts,
        SavedCounts {
            added: 0,
            updated: 2,
            removed: 2
        }
    );
    assert_eq!(names_listed_for(&app, "alice@example.com").await, ["Board"]);
    assert!(names_listed_for(&app, "bob@example.com").await.is_empty());
    assert_eq!(names_listed_for(&app, "carol@example.com").await, ["Carol"]);
}

async fn the_list_needs_the_feature_a_token_and_an_email(db: String) {
    let app = spawn(&db).await;
    // Off: said plainly, before any token is looked at.
    let body = problem(
        list(&app, "cloud", None).await,
        404,
        "personal_vmrs_disabled",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("integrations.cloud.addin.personal_vmrs"),
        "{body}"
    );
    let anonymous = list(&app, "single", None).await;
    assert_eq!(anonymous.status(), 401);
    problem(
        list(&app, "nowhere", Some(&app.entra_token())).await,
        404,
        "not_found",
    )
    .await;
    // Exchange identity tokens carry no address to look rooms up by.
    let body = problem(
        list(&app, "onprem", Some(&app.exchange_token())).await,
        400,
        "email_unknown",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("Entra"), "{body}");
    let no_email = app
        .idp
        .entra_v2_token(TENANT, API_AUDIENCE)
        .without_claim("preferred_username")
        .build();
    problem(
        list(&app, "single", Some(&no_email)).await,
        400,
        "email_unknown",
    )
    .await;
}

on_both_backends! {
    personal_vmrs_listed_to_owners => super::owners_see_their_own_rooms_rendered;
    personal_vmrs_bad_file => super::a_file_with_bad_rows_imports_nothing;
    personal_vmrs_upsert_and_replace => super::upsert_keeps_other_rooms_and_replace_removes_them;
    personal_vmrs_list_refusals => super::the_list_needs_the_feature_a_token_and_an_email;
}
