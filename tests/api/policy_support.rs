//! The loopback "Conferencing Node" of the policy tests: configuration with a `[policy]`
//! section, requests shaped like Pexip Infinity's, and meetings booked through the add-in API
//! and stored as the scheduling service stores them.

use crate::helpers::*;
use reqwest::Response;
use serde_json::{json, Value};
use std::path::Path;
use vmr_scheduler::config::Settings;
use vmr_scheduler::domain::{Alias, EmailAddress, IntegrationId, NumericAlias};
use vmr_scheduler::policy::{self, PolicyRequest};
use vmr_scheduler::store::{Conference, ConferenceWindow};

pub const USER: &str = "infinity";
pub const PASSWORD: &str = "node-secret-1";
pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;

/// The password file of `[policy]`; removed when dropped (it is read once, at load).
pub struct PasswordFile(std::path::PathBuf);

impl PasswordFile {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("policy-password-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, format!("{PASSWORD}\n")).unwrap();
        Self(path)
    }
}

impl Drop for PasswordFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `[policy]` reading `password`, then `policy_lines`, then `extra` (other sections).
pub fn policy_toml(password: &PasswordFile, policy_lines: &str, extra: &str) -> String {
    format!(
        "\n[policy]\nusername = \"{USER}\"\npassword = {{ file = \"{}\" }}\ncache_seconds = 1\n{policy_lines}\n{extra}\n",
        password.0.display()
    )
}

/// Meeting options on for the integrations the cases book on.
pub fn with_options() -> String {
    ["single", "cloud"]
        .map(|integration| addin_toml(integration, "meeting_options = true"))
        .concat()
}

pub async fn spawn_with_policy(db: &str, policy_lines: &str, extra: &str) -> TestApp {
    let password = PasswordFile::new();
    let toml = policy_toml(&password, policy_lines, extra) + &with_options();
    spawn_app_with(db, "", move |_| toml).await
}

pub fn now_ms() -> i64 {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(elapsed.as_millis()).unwrap()
}

/// Query parameters shaped like a Conferencing Node's, for one call.
pub fn node_query(
    local_alias: &str,
    protocol: &str,
    trigger: &str,
    direction: &str,
) -> Vec<(String, String)> {
    [
        ("local_alias", local_alias),
        ("remote_alias", "sip:alice@example.com"),
        ("remote_display_name", "Alice Example"),
        ("remote_address", "192.0.2.10"),
        ("remote_port", "5061"),
        ("call_direction", direction),
        ("protocol", protocol),
        ("trigger", trigger),
        ("bandwidth", "0"),
        ("vendor", "Pexip Infinity Connect"),
        ("encryption", "On"),
        ("registered", "False"),
        ("location", "Oslo"),
        ("node_ip", "127.0.0.1"),
        ("version_id", "36"),
        ("pseudo_version_id", "78402.0.0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl TestApp {
    pub async fn policy_raw(
        &self,
        query: &[(String, String)],
        auth: Option<(&str, &str)>,
    ) -> Response {
        let mut request = self
            .client
            .get(self.url("/policy/v1/service/configuration"))
            .query(query);
        if let Some((user, password)) = auth {
            request = request.basic_auth(user, Some(password));
        }
        request.send().await.expect("request reaches the service")
    }

    /// A node's call for `local_alias`; the answer must be a 200 JSON document.
    pub async fn ask(
        &self,
        local_alias: &str,
        protocol: &str,
        trigger: &str,
        direction: &str,
    ) -> Value {
        let query = node_query(local_alias, protocol, trigger, direction);
        let response = self.policy_raw(&query, Some((USER, PASSWORD))).await;
        assert_eq!(response.status(), 200, "for {local_alias}");
        assert_eq!(response.headers()["content-type"], "application/json");
        response.json().await.unwrap()
    }

    /// Reserves an alias of `integration` with `options` and books a meeting on it with
    /// `windows` (`(start, end)`, Unix ms).
    pub async fn book(
        &self,
        integration: &str,
        options: Value,
        windows: &[(i64, i64)],
    ) -> Conference {
        let token = self.entra_token();
        let response = self
            .reserve(
                integration,
                Some(&token),
                Some(json!({ "options": options })),
            )
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let stored = self.stored(&body).await;
        let conference = Conference {
            integration: IntegrationId::parse(integration).unwrap(),
            global_object_id: format!("meeting-{}", stored.id),
            reservation_id: Some(stored.id),
            alias: Alias::parse(body["alias"].as_str().unwrap()).unwrap(),
            numeric_alias: NumericAlias::parse(body["numeric_alias"].as_str().unwrap()).unwrap(),
            subject: "Quarterly review".into(),
            organizer_email: EmailAddress::parse("alice@example.com").unwrap(),
            organizer_name: Some("Alice Example".into()),
            reserved_by: None,
            is_series: windows.len() > 1,
            first_start: windows[0].0,
            last_end: windows.last().map(|w| w.1),
            windows: windows
                .iter()
                .map(|&(start, end)| ConferenceWindow {
                    original_start: start,
                    start,
                    end,
                })
                .collect(),
        };
        self.rebook(&conference, windows).await
    }

    /// Saves `conference` again with other windows (the same meeting, moved).
    pub async fn rebook(&self, conference: &Conference, windows: &[(i64, i64)]) -> Conference {
        let conference = Conference {
            windows: windows
                .iter()
                .map(|&(start, end)| ConferenceWindow {
                    original_start: start,
                    start,
                    end,
                })
                .collect(),
            ..conference.clone()
        };
        self.store
            .save_conference(&conference, now_ms())
            .await
            .unwrap();
        // Written through another store than the service's, as another instance would: the
        // service's cache of dialled aliases answers from what it read up to
        // `cache_seconds` (1 in these tests) ago.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        conference
    }
}

pub fn sip_upper(conference: &Conference) -> String {
    let (local, domain) = conference.alias.as_str().split_once('@').unwrap();
    format!("sip:{local}@{};transport=tls", domain.to_uppercase())
}

pub fn assert_action(answer: &Value, action: &str) {
    assert_eq!(answer, &json!({ "status": "success", "action": action }));
}

/// The configuration the app was started with, for calling the endpoint's logic at chosen
/// instants.
pub fn settings_of(app: &TestApp, db: &str, policy_lines: &str) -> Settings {
    let password = PasswordFile::new();
    let toml = format!(
        "{}\n{}",
        config_toml(&app.idp, db, ""),
        policy_toml(&password, policy_lines, &with_options())
    );
    Settings::from_toml(&toml, Path::new("e2e.toml"), Vec::new(), &|_| None).unwrap()
}

pub async fn answer_at(app: &TestApp, settings: &Settings, alias: &str, now: i64) -> Value {
    answer_through(None, app, settings, alias, now).await
}

/// As [`answer_at`], through `cache`.
pub async fn answer_through(
    cache: Option<&std::sync::Arc<policy::PolicyCache>>,
    app: &TestApp,
    settings: &Settings,
    alias: &str,
    now: i64,
) -> Value {
    let request = PolicyRequest::parse(&format!("local_alias={alias}")).unwrap();
    let policy = settings.policy.as_ref().unwrap();
    let answer = match cache {
        Some(cache) => {
            policy::answer_cached(cache, &app.store, settings, policy, &request, now).await
        }
        None => policy::answer(&app.store, settings, policy, &request, now).await,
    }
    .unwrap();
    serde_json::to_value(answer).unwrap()
}
