//! The configuration file as written: plain values, unknown keys refused, defaults filled in.
//! `validate.rs` turns it into typed [`super::Settings`].

use super::addin::RawAddin;
use super::secret::SecretSource;
use crate::identity::RawAuth;
use crate::templates::RawTemplates;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Text that may look like a number (`numeric_prefix = 81` written without quotes, or set from
/// the environment): accepted as the text it was written as.
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl From<TextOrNumber> for String {
    fn from(value: TextOrNumber) -> Self {
        match value {
            TextOrNumber::Text(text) => text,
            TextOrNumber::Integer(number) => number.to_string(),
            TextOrNumber::Float(number) => number.to_string(),
        }
    }
}

fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    TextOrNumber::deserialize(deserializer).map(String::from)
}

fn optional_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<TextOrNumber>::deserialize(deserializer).map(|value| value.map(String::from))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub database: RawDatabase,
    #[serde(default)]
    pub logging: RawLogging,
    #[serde(default)]
    pub admin: super::admin::RawAdmin,
    /// The conferencing platform's external policy endpoint; off when absent.
    #[serde(default)]
    pub policy: Option<super::policy::RawPolicy>,
    #[serde(default)]
    pub janitor: super::janitor::RawJanitor,
    #[serde(default)]
    pub integrations: BTreeMap<String, RawIntegration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawServer {
    /// Address and port to listen on.
    pub listen: String,
    /// The https URL under which users' Outlook reaches this service (add-in pages, API).
    pub public_url: Option<String>,
    /// Serve HTTPS directly; omit to serve plain HTTP behind a TLS-terminating reverse proxy.
    pub tls: Option<RawTls>,
    /// Origins allowed to call the API from another origin (the add-in pages are same-origin).
    pub cors_allowed_origins: Vec<String>,
    /// The `node_modules` folder of `npm ci` in addin-web: MSAL.js (token `naa`) and Office.js
    /// (`air_gapped`) are served from it.
    pub addin_vendor_dir: Option<PathBuf>,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            tls: None,
            cors_allowed_origins: Vec::new(),
            addin_vendor_dir: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    pub cert_file: String,
    pub key_file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDatabase {
    /// `sqlite://path/to/file.db` (created on first run) or `postgres://user@host/db`.
    pub url: String,
    /// PostgreSQL password, from `{ file = … }` or `{ env = … }`.
    pub password: Option<SecretSource>,
    pub max_connections: Option<u32>,
    pub acquire_timeout_seconds: u64,
}

impl Default for RawDatabase {
    fn default() -> Self {
        Self {
            url: "sqlite://data/vmr-scheduler.db".into(),
            password: None,
            max_connections: None,
            acquire_timeout_seconds: 10,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLogging {
    /// A tracing filter such as `info` or `vmr_scheduler=debug,info`; `RUST_LOG` wins if set.
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: String,
}

impl Default for RawLogging {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntegration {
    /// Shown to users and admins; defaults to the integration's id.
    #[serde(default, deserialize_with = "optional_text")]
    pub display_name: Option<String>,
    pub equipment_resource: RawEquipmentResource,
    pub aliases: RawAliases,
    #[serde(default)]
    pub buffers: RawBuffers,
    #[serde(default)]
    pub joining: RawJoining,
    #[serde(default)]
    pub rate_limit: RawRateLimit,
    #[serde(default)]
    pub auth: RawAuth,
    #[serde(default)]
    pub templates: RawTemplates,
    #[serde(default)]
    pub addin: RawAddin,
    /// The mailbox watch; without it no meeting request is processed.
    #[serde(default)]
    pub exchange: Option<super::exchange::RawExchange>,
    /// How the policy endpoint answers for this integration's rooms.
    #[serde(default)]
    pub policy: super::policy::RawIntegrationPolicy,
    /// Rooms kept in Pexip Infinity's configuration through its management API.
    #[serde(default)]
    pub pexip_push: Option<super::pexip_push::RawPexipPush>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEquipmentResource {
    #[serde(deserialize_with = "text")]
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAliases {
    #[serde(deserialize_with = "text")]
    pub prefix: String,
    pub domain: String,
    #[serde(default = "default_suffix_length")]
    pub suffix_length: i64,
    #[serde(default, deserialize_with = "text")]
    pub numeric_prefix: String,
    /// How long an alias handed to the add-in stays reserved if no meeting arrives for it.
    #[serde(default = "default_reservation_lifetime_hours")]
    pub reservation_lifetime_hours: i64,
}

fn default_suffix_length() -> i64 {
    6
}

fn default_reservation_lifetime_hours() -> i64 {
    72
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBuffers {
    /// Minutes before the start during which the room already admits callers (0–180).
    pub before_minutes: i64,
    /// Minutes after the end during which the room still admits callers (0–180).
    pub after_minutes: i64,
}

impl Default for RawBuffers {
    fn default() -> Self {
        Self {
            before_minutes: 30,
            after_minutes: 60,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawJoining {
    /// Browser join link; `{alias}` is replaced. Default: `https://<alias domain>/webapp/#/?conference={alias}`.
    pub web_join_url: Option<String>,
    /// Phone number to call before entering the numeric alias; the phone line is left out if unset.
    #[serde(deserialize_with = "optional_text")]
    pub dial_in_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRateLimit {
    /// Reservations a user may make per minute, on average.
    pub per_minute: u32,
    /// Reservations a user may make in a quick burst.
    pub burst: u32,
}

impl Default for RawRateLimit {
    fn default() -> Self {
        Self {
            per_minute: 30,
            burst: 10,
        }
    }
}
