//! Spawns the real service on a random port, with a loopback identity provider and a fresh
//! database, configured through the same TOML loading as production.

use reqwest::Response;
use serde_json::Value;
use std::path::Path;
use vmr_scheduler::config::Settings;
use vmr_scheduler::domain::AliasMarker;
use vmr_scheduler::startup::Application;
use vmr_scheduler::store::{Reservation, ReservationState, Store};
use vmr_scheduler_tests::test_db::connect_store;
use vmr_scheduler_tests::{loopback_client, EntraToken, LoopbackIdp};

/// The customer tenant every test token belongs to unless a test says otherwise.
pub const TENANT: &str = "6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f";
/// A second allowed tenant of the multi-tenant integration.
pub const PARTNER_TENANT: &str = "0b7f3c1e-2a4d-4e6f-8a9b-1c2d3e4f5a6b";
/// A tenant no integration allows.
pub const STRANGER_TENANT: &str = "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f";
pub const API_AUDIENCE: &str = "api://localhost/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";
/// A rate limit no test reaches: `(per_minute, burst)`.
pub const UNLIMITED: (u32, u32) = (600_000, 100_000);
pub const ADDIN_PAGE: &str = "http://localhost/addin/onprem/taskpane.html";

pub struct TestApp {
    pub address: String,
    pub idp: LoopbackIdp,
    pub client: reqwest::Client,
    pub store: Store,
}

/// Integrations of the test configuration:
/// - `cloud`: multi-tenant Entra (v1 and v2) limited to TENANT and PARTNER_TENANT;
/// - `single`: single-tenant Entra for TENANT;
/// - `onprem`: Exchange identity tokens whose metadata lives on the loopback IdP;
/// - `limited`: like `single` but with a burst of 2 reservations per user;
/// - `small`: like `single` with 5-digit suffixes (100,000 aliases) to provoke collisions.
pub fn config_toml(idp: &LoopbackIdp, db_url: &str, server_extra: &str) -> String {
    let entra = |tenant_line: &str, metadata_tenant: &str| {
        entra_auth(idp, tenant_line, &idp.v2_metadata_url(metadata_tenant))
    };
    let integration = |name: &str, suffix: u32, rate: (u32, u32), auth: String| {
        integration_toml(name, suffix, rate, &auth)
    };
    let exchange = format!(
        r#"insecure_allow_http_loopback = true
        [integrations.onprem.auth.exchange]
        trusted_metadata_origins = ["{origin}"]
        audiences = ["{ADDIN_PAGE}"]"#,
        origin = idp.base_url(),
    );
    let single = format!(r#"tenant_id = "{TENANT}""#);
    let multi = format!(r#"allowed_tenants = ["{TENANT}", "{PARTNER_TENANT}"]"#);
    format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        public_url = "http://localhost"
        {server_extra}
        [database]
        url = "{db_url}"
        [logging]
        level = "warn"
        {cloud}{single}{onprem}{limited}{small}
        "#,
        cloud = integration("cloud", 6, UNLIMITED, entra(&multi, "organizations")),
        single = integration("single", 6, UNLIMITED, entra(&single, TENANT)),
        onprem = integration("onprem", 6, UNLIMITED, exchange),
        limited = integration("limited", 6, (1, 2), entra(&single, TENANT)),
        small = integration("small", 5, UNLIMITED, entra(&single, TENANT)),
    )
}

/// The `auth` section body of an Entra integration trusting keys from `metadata_url`; the
/// `INTEGRATION` placeholder is replaced by [`integration_toml`].
pub fn entra_auth(idp: &LoopbackIdp, tenant_line: &str, metadata_url: &str) -> String {
    format!(
        r#"insecure_allow_http_loopback = true
            key_refresh_min_interval_seconds = 60
            metadata_fetch_timeout_ms = 2000
            [INTEGRATION.auth.entra]
            {tenant_line}
            audiences = ["{API_AUDIENCE}"]
            required_scope = "access_as_user"
            issuer_v2 = "{v2}"
            issuer_v1 = "{v1}"
            metadata_url = "{metadata}""#,
        v2 = idp.v2_issuer_template(),
        v1 = idp.v1_issuer_template(),
        metadata = metadata_url,
    )
}

/// One integration named `name` with `suffix`-digit aliases, a per-user rate limit of
/// `(per_minute, burst)`, and the given auth section body.
pub fn integration_toml(
    name: &str,
    suffix: u32,
    (per_minute, burst): (u32, u32),
    auth: &str,
) -> String {
    format!(
            r#"
            [integrations.{name}]
            display_name = "{name} site"
            equipment_resource = {{ name = "VMR {name}", email = "vmr-{name}@example.com" }}
            aliases = {{ prefix = "meet", domain = "{name}.vc.example.com", suffix_length = {suffix}, numeric_prefix = "{numeric}" }}
            joining = {{ dial_in_number = "+1 555 0100" }}
            rate_limit = {{ per_minute = {per_minute}, burst = {burst} }}
            [integrations.{name}.auth]
            {auth}
            "#,
            numeric = 10 + name.len(),
        )
        .replace("INTEGRATION", &format!("integrations.{name}"))
}

/// An `[integrations.<integration>.addin]` section with `lines` (e.g. `personal_vmrs = true`),
/// for `spawn_app_with`'s `more`.
pub fn addin_toml(integration: &str, lines: &str) -> String {
    format!("\n[integrations.{integration}.addin]\n{lines}\n")
}

pub async fn spawn_app(db_url: &str) -> TestApp {
    spawn_app_with(db_url, "", |_| String::new()).await
}

/// `server_extra` is inserted into the `[server]` section (e.g. TLS or CORS settings);
/// `more` appends configuration (such as another integration) that needs the IdP's address.
pub async fn spawn_app_with(
    db_url: &str,
    server_extra: &str,
    more: impl FnOnce(&LoopbackIdp) -> String,
) -> TestApp {
    let idp = LoopbackIdp::start().await;
    let toml = format!(
        "{}\n{}",
        config_toml(&idp, db_url, server_extra),
        more(&idp)
    );
    let settings = Settings::from_toml(&toml, Path::new("e2e.toml"), Vec::new(), &|_| None)
        .unwrap_or_else(|error| panic!("test configuration is invalid: {error}\n{toml}"));
    let scheme = if settings.server.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let application = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("{scheme}://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    let store = connect_store(db_url).await;
    TestApp {
        address,
        idp,
        client: loopback_client(),
        store,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// POSTs a reservation request; `token` becomes `Authorization: Bearer <token>`.
    pub async fn reserve(
        &self,
        integration: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/v1/integrations/{integration}/reservations")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request reaches the service")
    }

    /// Sends `method` to `path` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request reaches the service")
    }

    /// GETs `path` and reads the JSON body, whatever the status.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches the service");
        response.json().await.expect("JSON body")
    }

    /// The stored reservation behind a reservation response body.
    pub async fn stored(&self, body: &Value) -> Reservation {
        let marker = AliasMarker::parse(body["alias_id_marker"].as_str().expect("marker"))
            .expect("valid marker");
        self.store
            .reservation_by_marker(&marker)
            .await
            .expect("store reachable")
            .expect("stored")
    }

    /// Marks the open reservation behind a reservation response body as used by a meeting.
    pub async fn mark_used(&self, body: &Value) {
        let stored = self.stored(body).await;
        self.store
            .transition_reservation(
                stored.id,
                ReservationState::Reserved,
                ReservationState::Used,
                stored.created_at + 1,
            )
            .await
            .expect("store reachable");
    }

    /// A valid v2 token of TENANT for the Entra integrations.
    pub fn entra_token(&self) -> String {
        self.idp.entra_v2_token(TENANT, API_AUDIENCE).build()
    }

    /// A v2 token of TENANT for the Entra integrations, of the user with object id `oid`.
    pub fn entra_user(&self, oid: &str) -> EntraToken {
        self.idp.entra_v2_token(TENANT, API_AUDIENCE).oid(oid)
    }

    pub fn exchange_token(&self) -> String {
        self.idp.exchange_token(ADDIN_PAGE).build()
    }
}

/// The `/healthz` usage entry of one integration's alias space.
pub fn alias_space<'a>(health: &'a Value, integration: &str) -> &'a Value {
    health["alias_spaces"]
        .as_array()
        .expect("alias_spaces")
        .iter()
        .find(|space| space["integration"] == integration)
        .expect("integration listed")
}

/// Reads a problem+json body and checks the parts every problem has.
pub async fn problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status for expected code {code}"
    );
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("urn:vmr-scheduler:problem:{code}"));
    assert_eq!(body["request_id"], request_id.as_str());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}
