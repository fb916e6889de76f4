//! `status`: what each integration's mailbox worker did last, from the database.

use super::support::*;
use vmr_scheduler::domain::IntegrationId;
use vmr_scheduler::store::{DatabaseSettings, Operation, Outcome, Store};

fn status(dir: &TempDir, config: &Path, extra: &[&str]) -> Output {
    let database = format!("sqlite://{}/vmr.db", dir.path().display());
    let mut args = vec!["--config", config.to_str().unwrap(), "status"];
    args.extend_from_slice(extra);
    run(
        dir.path(),
        &args,
        &[("VMR_SCHEDULER__DATABASE__URL", &database)],
    )
}

/// The example configuration with a mailbox watch for its `demo` integration.
fn watching_config(dir: &TempDir) -> PathBuf {
    let base = std::fs::read_to_string(dir.example_config()).unwrap();
    dir.write("password", "service-account-password\n");
    let config = format!(
        "{base}\n[integrations.demo.exchange]\nurl = \"https://mail.example.com/EWS/Exchange.asmx\"\n\
         [integrations.demo.exchange.auth]\nmethod = \"basic\"\nusername = \"svc\"\n\
         password = {{ file = {:?} }}\n",
        dir.path().join("password").display().to_string()
    );
    dir.write("watching.toml", &config)
}

#[test]
fn status_says_when_no_mailbox_is_watched() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let output = status(&dir, &config, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("integration demo (vmr-resource@example.com)"),
        "{text}"
    );
    assert!(text.contains("mailbox watch: off"), "{text}");
}

#[test]
fn status_shows_the_last_sync_backlog_and_failures_as_text_and_json() {
    let dir = TempDir::new();
    let config = watching_config(&dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::connect(&DatabaseSettings {
            url: format!("sqlite://{}/vmr.db", dir.path().display()),
            max_connections: 2,
            acquire_timeout: std::time::Duration::from_secs(5),
        })
        .await
        .unwrap();
        let demo = IntegrationId::parse("demo").unwrap();
        // 2027-01-14T08:00:00Z
        store
            .save_sync_success(&demo, Some("state"), 0, 1_799_913_600_000)
            .await
            .unwrap();
        store
            .journal_pickup(&demo, "item-1", "ck", "corr-open", 1_799_913_600_000)
            .await
            .unwrap();
        store
            .record_operation(&Operation {
                at: 1_799_913_660_000,
                integration: demo.clone(),
                global_object_id: Some("gid-7".into()),
                item_id: Some("item-7".into()),
                action: "accept".into(),
                outcome: Outcome::Failed,
                error_code: Some("ErrorServerBusy".into()),
                correlation_id: Some("corr-7".into()),
                detail: None,
            })
            .await
            .unwrap();
        store.close().await;
    });

    let output = status(&dir, &config, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("last successful sync: 2027-01-14T08:00:00Z"),
        "{text}"
    );
    assert!(text.contains("backlog: 1"), "{text}");
    assert!(
        text.contains(
            "2027-01-14T08:01:00Z accept ErrorServerBusy meeting=gid-7 correlation=corr-7"
        ),
        "{text}"
    );
    assert!(!text.contains("service-account-password"));

    let output = status(&dir, &config, &["--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let demo = &json["integrations"][0];
    assert_eq!(demo["watches_mailbox"], true);
    assert_eq!(demo["backlog"], 1);
    assert_eq!(demo["recent_failures"][0]["error_code"], "ErrorServerBusy");
}
