//! A loopback identity provider speaking Entra ID's OpenID metadata/JWKS protocol and Exchange's
//! auth metadata document, with controls for keys, latency, failures and request counts.
//!
//! Routes (all `GET`):
//! - `/{tenant}/v2.0/.well-known/openid-configuration` and `/{tenant}/.well-known/openid-configuration`
//! - `/{tenant}/discovery/v2.0/keys` and `/{tenant}/discovery/keys` (the current Entra key set)
//! - `/autodiscover/metadata/json/1` (the current Exchange certificates)
//! - `/redirect?to=<url>` (`302 Found` to `<url>`)

mod routes;
mod state;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};

pub use state::KeyIssuer;
use state::{issuer_for, CannedResponse, Shared};

use crate::keys::TestKey;
use crate::tokens::{EntraToken, ExchangeToken};

/// A running loopback identity provider on `127.0.0.1`; stops when dropped.
///
/// Start more than one to have an "untrusted" peer. All controls take effect immediately, also
/// while requests are in flight.
pub struct LoopbackIdp {
    shared: Arc<Shared>,
    addr: SocketAddr,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackIdp {
    /// Binds `127.0.0.1:0` and serves in the background of the current Tokio runtime.
    ///
    /// Initial Entra key set: `[TestKey::pooled(0)]`; Exchange: `[TestKey::pooled(1)]`.
    pub async fn start() -> LoopbackIdp {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::new(format!("http://{addr}")));
        let data = web::Data::from(Arc::clone(&shared));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(from_fn(routes::gate))
                .configure(routes::configure)
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listen on loopback")
        .run();
        let handle = server.handle();
        let task = tokio::spawn(async move {
            let _ = server.await;
        });
        LoopbackIdp {
            shared,
            addr,
            handle,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Absolute URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// URL of the v2.0 OpenID metadata for `tenant` (GUID, `common`, `organizations`, ...).
    pub fn v2_metadata_url(&self, tenant: &str) -> String {
        self.url(&format!("/{tenant}/v2.0/.well-known/openid-configuration"))
    }

    /// URL of the v1.0 OpenID metadata for `tenant`.
    pub fn v1_metadata_url(&self, tenant: &str) -> String {
        self.url(&format!("/{tenant}/.well-known/openid-configuration"))
    }

    /// URL of the v2.0 JWKS for `tenant` (the metadata's `jwks_uri`).
    pub fn v2_jwks_url(&self, tenant: &str) -> String {
        self.url(&format!("/{tenant}/discovery/v2.0/keys"))
    }

    /// URL of the v1.0 JWKS for `tenant`.
    pub fn v1_jwks_url(&self, tenant: &str) -> String {
        self.url(&format!("/{tenant}/discovery/keys"))
    }

    /// URL of the Exchange auth metadata document (the `amurl` of Exchange tokens).
    pub fn exchange_metadata_url(&self) -> String {
        self.url(routes::EXCHANGE_METADATA_PATH)
    }

    /// URL that answers `302 Found` with `Location: <to>`.
    pub fn redirect_url(&self, to: &str) -> String {
        let mut url = url::Url::parse(&self.url("/redirect")).expect("valid URL");
        url.query_pairs_mut().append_pair("to", to);
        url.into()
    }

    /// The v2.0 issuer template served for `common` (default `<base>/{tenantid}/v2.0`).
    pub fn v2_issuer_template(&self) -> String {
        self.shared.lock().v2_issuer_template.clone()
    }

    /// The v1.0 issuer template served for `common` (default `<base>/{tenantid}/`).
    pub fn v1_issuer_template(&self) -> String {
        self.shared.lock().v1_issuer_template.clone()
    }

    /// The v2.0 issuer served in the metadata of `tenant`.
    pub fn v2_issuer(&self, tenant: &str) -> String {
        issuer_for(&self.v2_issuer_template(), tenant)
    }

    /// The v1.0 issuer served in the metadata of `tenant`.
    pub fn v1_issuer(&self, tenant: &str) -> String {
        issuer_for(&self.v1_issuer_template(), tenant)
    }

    /// Replaces the issuer templates; each should contain `{tenantid}`, e.g. Microsoft's own
    /// `https://login.microsoftonline.com/{tenantid}/v2.0` and `https://sts.windows.net/{tenantid}/`.
    pub fn set_issuer_templates(&self, v2: &str, v1: &str) {
        let mut state = self.shared.lock();
        state.v2_issuer_template = v2.to_owned();
        state.v1_issuer_template = v1.to_owned();
    }

    /// Chooses the Microsoft `issuer` property carried by each served JWKS key.
    pub fn set_key_issuer(&self, key_issuer: KeyIssuer) {
        self.shared.lock().key_issuer = key_issuer;
    }

    /// The first key of the current Entra key set.
    pub fn entra_key(&self) -> TestKey {
        self.entra_keys()
            .first()
            .cloned()
            .expect("Entra key set is empty")
    }

    /// The current Entra key set.
    pub fn entra_keys(&self) -> Vec<TestKey> {
        self.shared.lock().entra_keys.clone()
    }

    /// Replaces the Entra key set (may be empty).
    pub fn set_entra_keys(&self, keys: Vec<TestKey>) {
        self.shared.lock().entra_keys = keys;
    }

    /// Appends a key to the Entra key set (publishing the next key ahead of use).
    pub fn add_entra_key(&self, key: TestKey) {
        self.shared.lock().entra_keys.push(key);
    }

    /// Replaces the Entra key set with a single pooled key not in the current set; returns it.
    pub fn rotate_entra_key(&self) -> TestKey {
        let mut state = self.shared.lock();
        let current = state.entra_keys.clone();
        let key = state.next_key(&current);
        state.entra_keys = vec![key.clone()];
        key
    }

    /// The first key of the current Exchange certificate set.
    pub fn exchange_key(&self) -> TestKey {
        self.exchange_keys()
            .first()
            .cloned()
            .expect("Exchange key set is empty")
    }

    /// The current Exchange certificate set.
    pub fn exchange_keys(&self) -> Vec<TestKey> {
        self.shared.lock().exchange_keys.clone()
    }

    /// Replaces the Exchange certificate set (may be empty).
    pub fn set_exchange_keys(&self, keys: Vec<TestKey>) {
        self.shared.lock().exchange_keys = keys;
    }

    /// Replaces the Exchange certificate set with a single pooled key not in the current set.
    pub fn rotate_exchange_key(&self) -> TestKey {
        let mut state = self.shared.lock();
        let current = state.exchange_keys.clone();
        let key = state.next_key(&current);
        state.exchange_keys = vec![key.clone()];
        key
    }

    /// Number of requests received for `path` (path only, no query), whatever the outcome.
    pub fn fetch_count(&self, path: &str) -> u64 {
        self.shared.lock().counts.get(path).copied().unwrap_or(0)
    }

    /// Number of requests received for all paths.
    pub fn total_fetch_count(&self) -> u64 {
        self.shared.lock().counts.values().sum()
    }

    /// Resets all request counters.
    pub fn reset_fetch_counts(&self) {
        self.shared.lock().counts.clear();
    }

    /// Delays every response by `delay` (zero to turn off).
    pub fn set_delay(&self, delay: Duration) {
        self.shared.lock().delay = delay;
    }

    /// Delays responses for `path` by `delay`, overriding [`set_delay`](Self::set_delay).
    pub fn set_delay_for(&self, path: &str, delay: Duration) {
        self.shared
            .lock()
            .path_delays
            .insert(path.to_owned(), delay);
    }

    /// Answers every request for `path` with `status` (and a JSON error body) until cleared.
    pub fn set_failure(&self, path: &str, status: u16) {
        self.shared.lock().set_failure(path, status, None);
    }

    /// Answers the next `times` requests for `path` with `status`, then serves normally.
    pub fn fail_next(&self, path: &str, status: u16, times: u32) {
        self.shared.lock().set_failure(path, status, Some(times));
    }

    /// Removes the failure injected for `path`.
    pub fn clear_failure(&self, path: &str) {
        self.shared.lock().clear_failures(Some(path));
    }

    /// Removes all injected failures.
    pub fn clear_failures(&self) {
        self.shared.lock().clear_failures(None);
    }

    /// Serves `body` with `status` and `content-type: application/json` for `path` instead of
    /// the real route (e.g. malformed JSON); injected failures take precedence.
    pub fn set_canned_response(&self, path: &str, status: u16, body: &str) {
        let canned = CannedResponse {
            status,
            content_type: "application/json".to_owned(),
            body: body.to_owned(),
        };
        self.shared.lock().canned.insert(path.to_owned(), canned);
    }

    /// Removes the canned response for `path`.
    pub fn clear_canned_response(&self, path: &str) {
        self.shared.lock().canned.remove(path);
    }

    /// A valid v2.0 token signed with the current Entra key, with `iss` from this server's
    /// v2.0 issuer template.
    pub fn entra_v2_token(&self, tenant: &str, audience: &str) -> EntraToken {
        EntraToken::v2(&self.entra_key(), tenant, audience)
            .issuer_template(&self.v2_issuer_template())
    }

    /// A valid v1.0 token signed with the current Entra key, with `iss` from this server's
    /// v1.0 issuer template.
    pub fn entra_v1_token(&self, tenant: &str, audience: &str) -> EntraToken {
        EntraToken::v1(&self.entra_key(), tenant, audience)
            .issuer_template(&self.v1_issuer_template())
    }

    /// A valid Exchange identity token signed with the current Exchange key, whose `amurl` is
    /// this server's metadata document.
    pub fn exchange_token(&self, audience: &str) -> ExchangeToken {
        ExchangeToken::new(
            &self.exchange_key(),
            &self.exchange_metadata_url(),
            audience,
        )
    }

    /// Stops the server and waits until it has shut down.
    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

impl Drop for LoopbackIdp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        self.task.abort();
    }
}

impl std::fmt::Debug for LoopbackIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackIdp")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

/// An HTTP client for talking to loopback servers: no proxy, no redirects, 10 s timeout.
pub fn loopback_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

#[cfg(test)]
mod tests;
