//! `[policy]` and `[integrations.<id>.policy]`: the conferencing platform's external policy
//! endpoint (`GET /policy/v1/service/configuration`).
//!
//! ```toml
//! [policy]
//! username = "infinity"                        # HTTP Basic user the platform sends
//! password = { env = "POLICY_PASSWORD" }       # its password (file or environment only)
//! allowed_nodes = ["10.0.0.0/24", "10.1.2.3"]  # Conferencing Nodes; empty: any address
//! unknown_alias = "continue"                   # or "reject"
//! cache_seconds = 5                            # answers reuse a read this long (0: never)
//!
//! [integrations.main.policy]
//! outside_window = "reject"                    # or "continue"
//! service_tag = "sched-"                       # prefix, or a template with {alias} …
//! ivr_theme_name = "Corporate"
//! ```

use super::secret::{Secret, SecretSource};
use super::Problems;
use serde::Deserialize;
use std::net::IpAddr;
use std::path::Path;

/// Pexip's limit for names, tags and descriptions.
const MAX_TEXT_CHARS: usize = 250;
const SERVICE_TAG_PLACEHOLDERS: &[&str] = &["{alias}", "{numeric_alias}", "{integration}"];
const VIEWS: &[&str] = &[
    "one_main_zero_pips",
    "one_main_seven_pips",
    "one_main_twentyone_pips",
    "two_mains_twentyone_pips",
    "four_mains_zero_pips",
    "nine_mains_zero_pips",
    "sixteen_mains_zero_pips",
    "twentyfive_mains_zero_pips",
    "five_mains_seven_pips",
];
const ENABLE_CHAT: &[&str] = &["default", "yes", "no"];
const CALL_TYPES: &[&str] = &["video", "video-only", "audio"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub username: String,
    pub password: SecretSource,
    #[serde(default)]
    pub allowed_nodes: Vec<String>,
    #[serde(default)]
    pub unknown_alias: Option<String>,
    /// How long an alias's rooms, once read, answer further requests (0–60, default 5).
    #[serde(default)]
    pub cache_seconds: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawIntegrationPolicy {
    pub outside_window: Option<String>,
    pub service_tag: Option<String>,
    pub ivr_theme_name: Option<String>,
    pub view: Option<String>,
    pub enable_chat: Option<String>,
    pub call_type: Option<String>,
    pub guests_can_present: Option<bool>,
}

/// What the platform is told when no room of a meeting is open for the dialled alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyAction {
    /// The call is refused as "conference not found".
    Reject,
    /// The platform falls back to its own configuration.
    Continue,
}

/// The endpoint's access rules.
#[derive(Debug, Clone)]
pub struct PolicySettings {
    pub username: String,
    pub password: Secret,
    /// Empty: any peer address.
    pub allowed_nodes: Vec<NodeNetwork>,
    pub unknown_alias: PolicyAction,
    /// How long a read of an alias's rooms answers later requests; a write through this
    /// instance ends it at once, a change made by another instance shows after at most this.
    pub cache_for: std::time::Duration,
}

/// One IP address or CIDR block of Conferencing Nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeNetwork {
    address: IpAddr,
    prefix_len: u8,
}

/// Per integration: what happens outside a meeting's windows and what a room is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationPolicy {
    pub outside_window: PolicyAction,
    pub service_tag: ServiceTag,
    pub defaults: ServiceDefaults,
}

impl Default for IntegrationPolicy {
    fn default() -> Self {
        Self {
            outside_window: PolicyAction::Reject,
            service_tag: ServiceTag(DEFAULT_SERVICE_TAG.into()),
            defaults: ServiceDefaults::default(),
        }
    }
}

const DEFAULT_SERVICE_TAG: &str = "sched-";

/// A prefix (the numeric alias is appended) or a template with `{alias}`, `{numeric_alias}`,
/// `{integration}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTag(String);

impl ServiceTag {
    pub fn render(&self, alias: &str, numeric_alias: &str, integration: &str) -> String {
        if !self.0.contains('{') {
            return format!("{}{numeric_alias}", self.0);
        }
        self.0
            .replace("{alias}", alias)
            .replace("{numeric_alias}", numeric_alias)
            .replace("{integration}", integration)
    }
}

/// Room settings passed through to the platform unchanged (checked against its enumerations).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServiceDefaults {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ivr_theme_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_chat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guests_can_present: Option<bool>,
}

impl PolicySettings {
    /// Whether the Basic credentials are the configured ones; both compared in constant time.
    pub fn accepts(&self, username: &str, password: &str) -> bool {
        let user_ok = constant_time_eq(self.username.as_bytes(), username.as_bytes());
        let password_ok = constant_time_eq(self.password.expose().as_bytes(), password.as_bytes());
        user_ok & password_ok
    }

    pub fn allows_node(&self, peer: IpAddr) -> bool {
        self.allowed_nodes.is_empty() || self.allowed_nodes.iter().any(|n| n.contains(peer))
    }
}

fn constant_time_eq(expected: &[u8], presented: &[u8]) -> bool {
    let mut difference = u8::from(expected.len() != presented.len());
    for (index, byte) in expected.iter().enumerate() {
        difference |= byte ^ presented.get(index).copied().unwrap_or(0);
    }
    difference == 0
}

impl NodeNetwork {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|len| *len <= max)
                .ok_or_else(|| format!("`{text}` has an invalid prefix length"))?,
        };
        Ok(Self {
            address,
            prefix_len,
        })
    }

    pub fn contains(&self, peer: IpAddr) -> bool {
        // An IPv4 peer reached over a dual-stack socket arrives as ::ffff:a.b.c.d.
        let peer = peer.to_canonical();
        let bits = |address: IpAddr| -> u128 {
            match address {
                IpAddr::V4(v4) => u128::from(u32::from(v4)),
                IpAddr::V6(v6) => u128::from(v6),
            }
        };
        if peer.is_ipv4() != self.address.is_ipv4() {
            return false;
        }
        let width = if peer.is_ipv4() { 32 } else { 128 };
        let shift = width - u32::from(self.prefix_len);
        if shift >= 128 {
            return true;
        }
        bits(peer) >> shift == bits(self.address) >> shift
    }
}

fn action(
    key: &str,
    value: Option<&str>,
    default: PolicyAction,
    problems: &mut Problems,
) -> Option<PolicyAction> {
    match value {
        None => Some(default),
        Some("reject") => Some(PolicyAction::Reject),
        Some("continue") => Some(PolicyAction::Continue),
        Some(other) => {
            problems.push(key, format!("is `{other}`"), "\"reject\" or \"continue\"");
            None
        }
    }
}

impl RawPolicy {
    pub fn validate(
        &self,
        base_dir: &Path,
        lookup_env: &dyn Fn(&str) -> Option<String>,
        problems: &mut Problems,
    ) -> Option<PolicySettings> {
        let before = problems.iter().count();
        let username = self.username.trim().to_string();
        if username.is_empty() || username.contains(':') || username.chars().count() > 100 {
            problems.push(
                "policy.username",
                "is empty, too long or contains `:`",
                "the user name set in the platform's policy server profile (1–100 characters, no `:`)",
            );
        }
        let password = match self.password.read(base_dir, lookup_env) {
            Ok(password) => Some(password),
            Err(problem) => {
                problems.push(
                    "policy.password",
                    problem,
                    "the password of the policy server profile, from { file } or { env }",
                );
                None
            }
        };
        let allowed_nodes: Vec<NodeNetwork> = self
            .allowed_nodes
            .iter()
            .enumerate()
            .filter_map(|(index, text)| {
                problems.check(
                    format!("policy.allowed_nodes[{index}]"),
                    NodeNetwork::parse(text),
                    "an IP address or CIDR block such as 10.0.0.0/24",
                )
            })
            .collect();
        let unknown_alias = action(
            "policy.unknown_alias",
            self.unknown_alias.as_deref(),
            PolicyAction::Continue,
            problems,
        );
        let cache_seconds =
            problems.int_in_range("policy.cache_seconds", self.cache_seconds, 5, 0..=60);
        if problems.iter().count() != before {
            return None;
        }
        Some(PolicySettings {
            username,
            password: password?,
            allowed_nodes,
            unknown_alias: unknown_alias?,
            cache_for: std::time::Duration::from_secs(cache_seconds.unsigned_abs()),
        })
    }
}

impl RawIntegrationPolicy {
    pub fn validate(&self, key: &str, problems: &mut Problems) -> Option<IntegrationPolicy> {
        let before = problems.iter().count();
        let at = |field: &str| format!("{key}.{field}");
        let outside_window = action(
            &at("outside_window"),
            self.outside_window.as_deref(),
            PolicyAction::Reject,
            problems,
        );
        let service_tag = self
            .service_tag
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVICE_TAG.into());
        if !valid_service_tag(&service_tag) {
            problems.push(
                at("service_tag"),
                format!("is `{service_tag}`"),
                format!(
                    "a prefix or a template using only {} (1–{MAX_TEXT_CHARS} characters)",
                    SERVICE_TAG_PLACEHOLDERS.join(", ")
                ),
            );
        }
        let mut one_of = |field: &str, value: &Option<String>, allowed: &[&str]| {
            if let Some(value) = value {
                if !allowed.contains(&value.as_str()) {
                    problems.push(at(field), format!("is `{value}`"), allowed.join(", "));
                }
            }
        };
        one_of("view", &self.view, VIEWS);
        one_of("enable_chat", &self.enable_chat, ENABLE_CHAT);
        one_of("call_type", &self.call_type, CALL_TYPES);
        if let Some(theme) = &self.ivr_theme_name {
            if theme.trim().is_empty() || theme.chars().count() > MAX_TEXT_CHARS {
                problems.push(
                    at("ivr_theme_name"),
                    "is empty or too long",
                    format!("the name of a theme configured in the platform (1–{MAX_TEXT_CHARS} characters)"),
                );
            }
        }
        if problems.iter().count() != before {
            return None;
        }
        Some(IntegrationPolicy {
            outside_window: outside_window?,
            service_tag: ServiceTag(service_tag),
            defaults: ServiceDefaults {
                ivr_theme_name: self.ivr_theme_name.clone(),
                view: self.view.clone(),
                enable_chat: self.enable_chat.clone(),
                call_type: self.call_type.clone(),
                guests_can_present: self.guests_can_present,
            },
        })
    }
}

fn valid_service_tag(tag: &str) -> bool {
    let mut rest = tag.to_string();
    for placeholder in SERVICE_TAG_PLACEHOLDERS {
        rest = rest.replace(placeholder, "");
    }
    (1..=MAX_TEXT_CHARS).contains(&tag.chars().count())
        && !rest.contains(['{', '}'])
        && !tag.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> NodeNetwork {
        NodeNetwork::parse(text).unwrap()
    }

    #[test]
    fn node_networks_match_addresses_and_blocks() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!(net("10.0.0.0/24").contains(ip("10.0.0.200")));
        assert!(!net("10.0.0.0/24").contains(ip("10.0.1.1")));
        assert!(net("10.1.2.3").contains(ip("10.1.2.3")));
        assert!(!net("10.1.2.3").contains(ip("10.1.2.4")));
        assert!(net("10.1.2.3").contains(ip("::ffff:10.1.2.3")));
        assert!(net("0.0.0.0/0").contains(ip("192.0.2.1")));
        assert!(net("2001:db8::/32").contains(ip("2001:db8::1")));
        assert!(!net("2001:db8::/32").contains(ip("10.1.2.3")));
        assert!(NodeNetwork::parse("10.0.0.0/33").is_err());
        assert!(NodeNetwork::parse("node1").is_err());
    }

    #[test]
    fn credentials_must_both_match() {
        let settings = PolicySettings {
            username: "infinity".into(),
            password: Secret::new("s3cret-pw".into()),
            allowed_nodes: Vec::new(),
            unknown_alias: PolicyAction::Continue,
            cache_for: std::time::Duration::ZERO,
        };
        assert!(settings.accepts("infinity", "s3cret-pw"));
        assert!(!settings.accepts("infinity", "s3cret-p"));
        assert!(!settings.accepts("infinitx", "s3cret-pw"));
        assert!(!settings.accepts("", ""));
    }

    #[test]
    fn service_tags_are_prefixes_or_templates() {
        let tag = |text: &str| ServiceTag(text.into()).render("meet1@vc", "811", "main");
        assert_eq!(tag("sched-"), "sched-811");
        assert_eq!(tag("{integration}/{alias}"), "main/meet1@vc");
        assert!(valid_service_tag("{integration}-{numeric_alias}"));
        assert!(!valid_service_tag("{subject}"));
        assert!(!valid_service_tag(""));
    }

    #[test]
    fn integration_values_are_checked_against_the_platform_enumerations() {
        let raw = RawIntegrationPolicy {
            outside_window: Some("maybe".into()),
            view: Some("one_main_seven_pips".into()),
            enable_chat: Some("sometimes".into()),
            ..Default::default()
        };
        let mut problems = Problems::default();
        assert!(raw
            .validate("integrations.x.policy", &mut problems)
            .is_none());
        let keys: Vec<String> = problems.into_vec().into_iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            [
                "integrations.x.policy.outside_window",
                "integrations.x.policy.enable_chat"
            ]
        );
        let mut problems = Problems::default();
        let policy = RawIntegrationPolicy::default()
            .validate("k", &mut problems)
            .unwrap();
        assert_eq!(policy, IntegrationPolicy::default());
    }
}
