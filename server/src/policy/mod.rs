//! The conferencing platform's external policy: for a dialled alias, the room of the booked
//! meeting while one of its windows is open, else reject or continue as configured.
//!
//! `request` (query parsing), `alias` (normalisation), `window` (the open rule) and `response`
//! (the JSON) are pure; [`decide`] picks the answer from what storage holds; [`answer`] is the
//! one place that reads storage and the clock's value handed to it.

pub mod alias;
pub mod cache;
pub mod request;
pub mod response;
pub mod window;

pub use alias::LookupKey;
pub use cache::PolicyCache;
pub use request::{PolicyRequest, RequestProblem};
pub use response::{PolicyResponse, ServiceResult};
pub use window::Window;

use crate::config::{Buffers, IntegrationSettings, PolicyAction, PolicySettings, Settings};
use crate::domain::IntegrationId;
use crate::store::{AliasLookup, PolicyCandidate, Store, StoreError};
use crate::templates::TemplateName;

/// What to answer, before rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<'a> {
    Open {
        candidate: &'a PolicyCandidate,
        window: Window,
    },
    Closed(PolicyAction),
}

/// The rules of one integration that the decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomRules {
    pub buffers: Buffers,
    pub outside_window: PolicyAction,
}

impl RoomRules {
    pub fn of(integration: &IntegrationSettings) -> Self {
        Self {
            buffers: integration.buffers,
            outside_window: integration.policy.outside_window,
        }
    }
}

/// The first room with a window open at `now` (its integration's buffers); otherwise the
/// `outside_window` action of the integration holding the alias; for an alias no configured
/// integration holds, `unknown_alias`.
pub fn decide(
    candidates: &[PolicyCandidate],
    rules_of: impl Fn(&IntegrationId) -> Option<RoomRules>,
    unknown_alias: PolicyAction,
    now: i64,
) -> Decision<'_> {
    let configured: Vec<(&PolicyCandidate, RoomRules)> = candidates
        .iter()
        .filter_map(|c| rules_of(&c.integration).map(|rules| (c, rules)))
        .collect();
    for (candidate, rules) in &configured {
        let windows: Vec<Window> = candidate
            .windows
            .iter()
            .map(|&(start, end)| Window { start, end })
            .collect();
        if let Some(window) = window::open_window(&windows, rules.buffers, now) {
            return Decision::Open { candidate, window };
        }
    }
    Decision::Closed(
        configured
            .first()
            .map_or(unknown_alias, |(_, rules)| rules.outside_window),
    )
}

/// Looks the alias up in storage and builds the answer for `now` (Unix ms).
pub async fn answer(
    store: &Store,
    settings: &Settings,
    policy: &PolicySettings,
    request: &PolicyRequest,
    now: i64,
) -> Result<PolicyResponse, StoreError> {
    answer_from(None, store, settings, policy, request, now).await
}

/// As [`answer`], through the cache of recently dialled aliases.
pub async fn answer_cached(
    cache: &std::sync::Arc<PolicyCache>,
    store: &Store,
    settings: &Settings,
    policy: &PolicySettings,
    request: &PolicyRequest,
    now: i64,
) -> Result<PolicyResponse, StoreError> {
    answer_from(Some(cache), store, settings, policy, request, now).await
}

async fn answer_from(
    cache: Option<&std::sync::Arc<PolicyCache>>,
    store: &Store,
    settings: &Settings,
    policy: &PolicySettings,
    request: &PolicyRequest,
    now: i64,
) -> Result<PolicyResponse, StoreError> {
    let lookup = match &request.key {
        LookupKey::Uri(alias) => AliasLookup::Alias(alias),
        LookupKey::Numeric(digits) => AliasLookup::Numeric(digits),
        LookupKey::Unmatchable => return Ok(PolicyResponse::action(policy.unknown_alias)),
    };
    let (before, after) = widest_buffers(settings);
    let second = now.div_euclid(1000) * 1000;
    let (from, to) = (second - after, second + before);
    let rooms = match cache {
        Some(cache) => cache.rooms(store, lookup, from, to).await?,
        None => std::sync::Arc::new(cache::Rooms::new(
            store.policy_candidates(lookup, from, to).await?,
        )),
    };
    let integration_of = |id: &IntegrationId| settings.integration(id.as_str());
    let rules_of = |id: &IntegrationId| integration_of(id).map(RoomRules::of);
    Ok(
        match decide(&rooms.candidates, rules_of, policy.unknown_alias, now) {
            Decision::Closed(action) => PolicyResponse::action(action),
            Decision::Open { candidate, .. } => {
                let integration = integration_of(&candidate.integration)
                    .expect("decide returns rooms of configured integrations only");
                PolicyResponse::conference(rooms.answer_for(candidate, || {
                    service_result(candidate, integration, settings)
                }))
            }
        },
    )
}

fn service_result(
    candidate: &PolicyCandidate,
    integration: &IntegrationSettings,
    settings: &Settings,
) -> ServiceResult {
    let values = integration
        .shared_values(&settings.server.public_url)
        .with(serde_json::json!({
            "subject": candidate.subject,
            "organizer_name": candidate.organizer_name,
            "organizer_email": candidate.organizer_email,
            "alias": candidate.alias,
            "numeric_alias": candidate.numeric_alias,
        }));
    // Templates are checked with these variables at load; a failure here still must not drop
    // the call, so the room gets a plain name instead.
    let render = |name: TemplateName, fallback: &str| {
        integration
            .templates
            .render(name, &values)
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "policy: template failed, using a plain text");
                fallback.to_string()
            })
    };
    let policy = &integration.policy;
    ServiceResult::new(
        &render(TemplateName::ConferenceName, "Video meeting"),
        &candidate.alias,
        policy.service_tag.render(
            &candidate.alias,
            &candidate.numeric_alias,
            candidate.integration.as_str(),
        ),
        &render(TemplateName::ConferenceDescription, ""),
        &candidate.options,
        &policy.defaults,
    )
}

/// The largest before/after buffers of any integration, in ms: the window query's margins.
fn widest_buffers(settings: &Settings) -> (i64, i64) {
    let millis = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4);
    settings.integrations.iter().map(|i| i.buffers).fold(
        (0, 0),
        |(before, after),
         Buffers {
             before: b,
             after: a,
         }| { (before.max(millis(b)), after.max(millis(a))) },
    )
}

#[cfg(test)]
mod tests;
