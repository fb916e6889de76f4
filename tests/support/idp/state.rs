//! Mutable state of a loopback identity provider, shared between the test and the server.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::keys::TestKey;

/// Which Microsoft-style `issuer` property the served JWKS keys carry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum KeyIssuer {
    /// No `issuer` property (the default).
    #[default]
    Omitted,
    /// The templated issuer of the endpoint's version, with `{tenantid}` left in place
    /// (as Microsoft's `common` key sets do).
    Templated,
    /// The issuer of the endpoint's version for the tenant in the request path (templated for
    /// `common`/`organizations`).
    PathTenant,
    /// This exact string on every key.
    Fixed(String),
}

/// A canned response served instead of the real route.
#[derive(Clone, Debug)]
pub(crate) struct CannedResponse {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: String,
}

/// What the request gate decided for one request.
pub(crate) enum Verdict {
    /// Answer with this status and an error body.
    Fail(u16),
    /// Answer with this canned response.
    Canned(CannedResponse),
    /// Serve the route normally.
    Pass,
}

#[derive(Clone, Copy, Debug)]
struct FailureRule {
    status: u16,
    remaining: Option<u32>,
}

/// All mutable settings and counters.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) entra_keys: Vec<TestKey>,
    pub(crate) exchange_keys: Vec<TestKey>,
    pub(crate) key_issuer: KeyIssuer,
    pub(crate) v2_issuer_template: String,
    pub(crate) v1_issuer_template: String,
    pub(crate) delay: Duration,
    pub(crate) path_delays: HashMap<String, Duration>,
    failures: HashMap<String, FailureRule>,
    pub(crate) canned: HashMap<String, CannedResponse>,
    pub(crate) counts: HashMap<String, u64>,
    next_slot: usize,
}

/// First pool slot used for rotation; 0 and 1 hold the initial Entra and Exchange keys.
const FIRST_ROTATION_SLOT: usize = 2;

impl State {
    /// Initial state for a server at `base_url`.
    pub(crate) fn new(base_url: &str) -> State {
        State {
            entra_keys: vec![TestKey::pooled(0)],
            exchange_keys: vec![TestKey::pooled(1)],
            key_issuer: KeyIssuer::Omitted,
            v2_issuer_template: format!("{base_url}/{{tenantid}}/v2.0"),
            v1_issuer_template: format!("{base_url}/{{tenantid}}/"),
            delay: Duration::ZERO,
            path_delays: HashMap::new(),
            failures: HashMap::new(),
            canned: HashMap::new(),
            counts: HashMap::new(),
            next_slot: FIRST_ROTATION_SLOT,
        }
    }

    /// The next pooled key whose `kid` is not in `in_use`.
    pub(crate) fn next_key(&mut self, in_use: &[TestKey]) -> TestKey {
        loop {
            let key = TestKey::pooled(self.next_slot);
            self.next_slot += 1;
            if self.next_slot == crate::keys::POOL_SIZE {
                self.next_slot = FIRST_ROTATION_SLOT;
            }
            if in_use.iter().all(|k| k.kid() != key.kid()) {
                return key;
            }
        }
    }

    /// Fails requests to `path` with `status`, `times` times or forever.
    pub(crate) fn set_failure(&mut self, path: &str, status: u16, times: Option<u32>) {
        let rule = FailureRule {
            status,
            remaining: times,
        };
        self.failures.insert(path.to_owned(), rule);
    }

    /// Removes the failure rule for `path`, or all rules.
    pub(crate) fn clear_failures(&mut self, path: Option<&str>) {
        match path {
            Some(path) => {
                self.failures.remove(path);
            }
            None => self.failures.clear(),
        }
    }

    /// Counts a request to `path` and decides how to answer it.
    pub(crate) fn admit(&mut self, path: &str) -> (Duration, Verdict) {
        *self.counts.entry(path.to_owned()).or_default() += 1;
        let delay = self.path_delays.get(path).copied().unwrap_or(self.delay);
        if let Some(rule) = self.failures.get_mut(path) {
            let status = rule.status;
            match rule.remaining.as_mut() {
                Some(0) => {
                    self.failures.remove(path);
                }
                Some(n) => {
                    *n -= 1;
                    if *n == 0 {
                        self.failures.remove(path);
                    }
                    return (delay, Verdict::Fail(status));
                }
                None => return (delay, Verdict::Fail(status)),
            }
        }
        match self.canned.get(path) {
            Some(canned) => (delay, Verdict::Canned(canned.clone())),
            None => (delay, Verdict::Pass),
        }
    }
}

/// State plus the fixed base URL, shared by reference between test and server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) base_url: String,
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(base_url: String) -> Shared {
        let state = Mutex::new(State::new(&base_url));
        Shared { base_url, state }
    }

    /// Locks the state; a panic in another holder does not poison it for the rest of the test.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The issuer for `tenant` from `template`: templated for multi-tenant aliases, concrete otherwise.
pub(crate) fn issuer_for(template: &str, tenant: &str) -> String {
    match tenant {
        "common" | "organizations" => template.to_owned(),
        "consumers" => template.replace("{tenantid}", CONSUMERS_TENANT_ID),
        tenant => template.replace("{tenantid}", tenant),
    }
}

/// Tenant ID of Microsoft personal accounts, used by the `consumers` alias.
pub(crate) const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_failures_expire() {
        let mut state = State::new("http://127.0.0.1:1");
        state.set_failure("/x", 503, Some(2));
        assert!(matches!(state.admit("/x").1, Verdict::Fail(503)));
        assert!(matches!(state.admit("/x").1, Verdict::Fail(503)));
        assert!(matches!(state.admit("/x").1, Verdict::Pass));
        assert_eq!(state.counts["/x"], 3);
    }

    #[test]
    fn issuer_templates_resolve_per_tenant() {
        let t = "https://h/{tenantid}/v2.0";
        assert_eq!(issuer_for(t, "common"), t);
        assert_eq!(issuer_for(t, "organizations"), t);
        assert_eq!(issuer_for(t, "abc"), "https://h/abc/v2.0");
        assert_eq!(
            issuer_for(t, "consumers"),
            format!("https://h/{CONSUMERS_TENANT_ID}/v2.0")
        );
    }
}
