//! What every request handler shares, built once at start-up.

use super::rate_limit::RateLimiter;
use crate::addin_pages::AddinPages;
use crate::config::{IntegrationSettings, Settings};
use crate::exchange::oauth::DelegatedTokenSource;
use crate::identity::TokenValidator;
use crate::reservations::AliasSpaceMonitor;
use crate::store::Store;
use crate::templates::SharedValues;
use std::collections::HashMap;
use std::sync::Arc;

pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub integrations: HashMap<String, Integration>,
    pub rate_limiter: RateLimiter,
    pub alias_space: AliasSpaceMonitor,
    /// The add-in's pages of every integration, rendered once.
    pub addin_pages: AddinPages,
    /// Recently dialled aliases for the policy endpoint.
    pub policy_cache: Arc<crate::policy::PolicyCache>,
    /// The token sources of integrations whose service account an admin signs in, by id.
    pub exchange_sign_ins: HashMap<String, Arc<DelegatedTokenSource>>,
}

/// One integration's settings with the parts built from them (its token validator and key caches).
pub struct Integration {
    pub settings: IntegrationSettings,
    pub validator: TokenValidator,
    /// The variables every template of this integration receives.
    pub shared_values: SharedValues,
}

impl AppState {
    pub fn new(settings: Arc<Settings>, store: Store) -> Self {
        let integrations = settings
            .integrations
            .iter()
            .map(|integration| {
                let runtime = Integration {
                    settings: integration.clone(),
                    validator: TokenValidator::new(integration.auth.clone()),
                    shared_values: integration.shared_values(&settings.server.public_url),
                };
                (integration.id.as_str().to_string(), runtime)
            })
            .collect();
        let alias_space = AliasSpaceMonitor::new(&settings.integrations);
        let addin_pages = AddinPages::build(&settings);
        let policy_cache = Arc::new(crate::policy::PolicyCache::new(
            settings
                .policy
                .as_ref()
                .map_or(std::time::Duration::ZERO, |policy| policy.cache_for),
        ));
        Self {
            settings,
            store,
            integrations,
            rate_limiter: RateLimiter::new(),
            alias_space,
            addin_pages,
            policy_cache,
            exchange_sign_ins: HashMap::new(),
        }
    }
}
