//! The manifest routes: a stable add-in id per integration, across calls and restarts on the
//! same database, and a version that goes up exactly when the generated content changes.

use crate::helpers::*;
use reqwest::Response;
use serde_json::Value;
use std::io::Read;
use vmr_scheduler_tests::on_both_backends;

/// The same integration `single` with another button label.
fn relabelled(_: &vmr_scheduler_tests::LoopbackIdp) -> String {
    "[integrations.single.addin]\nbutton_label = \"Add a room\"\n".to_string()
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers()[name].to_str().unwrap()
}

/// The text of the first element `name` of an XML document.
fn element(xml: &str, name: &str) -> String {
    let start = xml
        .find(&format!("<{name}>"))
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"));
    let rest = &xml[start + name.len() + 2..];
    rest[..rest.find('<').unwrap()].to_string()
}

/// `(Id, Version, document)` of the XML manifest of `integration`, checking the download headers.
async fn xml_manifest(app: &TestApp, integration: &str) -> (String, String, String) {
    let response = app
        .client
        .get(app.url(&format!("/addin/{integration}/manifest.xml")))
        .send()
        .await
        .expect("request reaches the service");
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type"),
        "application/xml; charset=utf-8"
    );
    assert_eq!(
        header(&response, "content-disposition"),
        format!("attachment; filename=\"{integration}-manifest.xml\"")
    );
    assert_eq!(header(&response, "cache-control"), "no-cache");
    let xml = response.text().await.unwrap();
    (element(&xml, "Id"), element(&xml, "Version"), xml)
}

/// `manifest.json` of the app package of `integration`, checking the download headers.
async fn package_manifest(app: &TestApp, integration: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/addin/{integration}/app-package.zip")))
        .send()
        .await
        .expect("request reaches the service");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/zip");
    assert_eq!(
        header(&response, "content-disposition"),
        format!("attachment; filename=\"{integration}-app-package.zip\"")
    );
    assert_eq!(header(&response, "cache-control"), "no-cache");
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut manifest = String::new();
    archive
        .by_name("manifest.json")
        .expect("manifest.json in the package")
        .read_to_string(&mut manifest)
        .unwrap();
    serde_json::from_str(&manifest).expect("manifest.json is JSON")
}

async fn id_stays_and_version_follows_the_content(db: String) {
    let app = spawn_app(&db).await;
    let (id, version, xml) = xml_manifest(&app, "single").await;
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(version, "1.0.1.0");
    assert!(xml.contains("Add video meeting"), "{xml}");
    assert_eq!(xml_manifest(&app, "single").await.0, id);
    assert_eq!(xml_manifest(&app, "single").await.1, version);
    let package = package_manifest(&app, "single").await;
    assert_eq!(package["id"], id.as_str());
    assert_eq!(package["version"], "1.0.1");
    let (other, ..) = xml_manifest(&app, "cloud").await;
    assert_ne!(other, id, "each integration is its own add-in");

    // A restart on the same database and configuration changes nothing.
    let restarted = spawn_app(&db).await;
    assert_eq!(xml_manifest(&restarted, "single").await.0, id);
    assert_eq!(xml_manifest(&restarted, "single").await.1, version);

    // A new label is a new version of the same add-in, counted once.
    let relabelled = spawn_app_with(&db, "", relabelled).await;
    let (same_id, new_version, xml) = xml_manifest(&relabelled, "single").await;
    assert_eq!(same_id, id);
    assert_eq!(new_version, "1.0.2.0");
    assert!(xml.contains("Add a room"), "{xml}");
    assert_eq!(xml_manifest(&relabelled, "single").await.1, "1.0.2.0");
    assert_eq!(
        package_manifest(&relabelled, "single").await["version"],
        "1.0.2"
    );
    // Other integrations did not change.
    assert_eq!(xml_manifest(&relabelled, "cloud").await.1, "1.0.1.0");

    // Going back is a change too: Office only installs a higher version.
    assert_eq!(xml_manifest(&restarted, "single").await.1, "1.0.3.0");
}

/// `(Id, Version)` of `count` XML manifests of `integration` requested at the same time.
async fn fetch_concurrently(
    app: &TestApp,
    integration: &str,
    count: usize,
) -> Vec<(String, String)> {
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..count {
        let client = app.client.clone();
        let url = app.url(&format!("/addin/{integration}/manifest.xml"));
        requests.spawn(async move {
            let response = client
                .get(url)
                .send()
                .await
                .expect("request reaches the service");
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        });
    }
    let mut found = Vec::new();
    while let Some(xml) = requests.join_next().await {
        let xml = xml.expect("request task");
        found.push((element(&xml, "Id"), element(&xml, "Version")));
    }
    found
}

/// Concurrent downloads agree on the add-in id when it is created, and raise the version once
/// when the content changed.
async fn concurrent_downloads_agree(db: String) {
    let app = spawn_app(&db).await;
    let first = fetch_concurrently(&app, "limited", 8).await;
    let id = first[0].0.clone();
    assert!(
        first.iter().all(|(i, v)| *i == id && v == "1.0.1.0"),
        "{first:?}"
    );
    let changed = spawn_app_with(&db, "", |_| {
        "[integrations.limited.addin]\ngroup_label = \"Video rooms\"\n".to_string()
    })
    .await;
    let second = fetch_concurrently(&changed, "limited", 8).await;
    assert!(
        second.iter().all(|(i, v)| *i == id && v == "1.0.2.0"),
        "{second:?}"
    );
}

async fn unknown_integrations_and_methods_are_refused(db: String) {
    let app = spawn_app(&db).await;
    for path in ["/addin/nope/manifest.xml", "/addin/nope/app-package.zip"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let body = problem(response, 404, "not_found").await;
        assert!(
            body["detail"].as_str().unwrap().contains("`nope`"),
            "{body}"
        );
        let response = app.client.post(app.url(path)).send().await.unwrap();
        problem(response, 405, "method_not_allowed").await;
    }
}

/// A version beyond what Office accepts is a 500 `manifest_invalid` that says so.
async fn an_exhausted_version_is_reported(db: String) {
    let app = spawn_app(&db).await;
    xml_manifest(&app, "single").await;
    sqlx::any::install_default_drivers();
    let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&db)
        .await
        .expect("test database");
    sqlx::query(
        "UPDATE integrations SET manifest_version = 99999, manifest_fingerprint = 'stale' \
         WHERE id = 'single'",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    for path in [
        "/addin/single/manifest.xml",
        "/addin/single/app-package.zip",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let body = problem(response, 500, "manifest_invalid").await;
        assert!(body["detail"].as_str().unwrap().contains("99999"), "{body}");
    }
}

on_both_backends! {
    manifest_id_and_version => super::id_stays_and_version_follows_the_content;
    manifest_concurrent_downloads => super::concurrent_downloads_agree;
    manifest_unknown_integration => super::unknown_integrations_and_methods_are_refused;
    manifest_version_exhausted => super::an_exhausted_version_is_reported;
}
