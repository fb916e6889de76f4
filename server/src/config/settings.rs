//! Validated settings: every value here has been checked, so the rest of the service trusts it.

use crate::domain::{Alias, AliasMarker, EmailAddress, IntegrationId, NumericAlias};
use crate::identity::AuthSettings;
use crate::reservations::AliasSettings;
use crate::store::DatabaseSettings;
use crate::templates::{JoiningContext, SharedValues, Templates};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub logging: LoggingSettings,
    pub admin: super::AdminSettings,
    /// `None`: the policy endpoint is off.
    pub policy: Option<super::PolicySettings>,
    pub janitor: super::JanitorSettings,
    pub integrations: Vec<IntegrationSettings>,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// Without a trailing slash.
    pub public_url: url::Url,
    pub tls: Option<TlsSettings>,
    pub cors_allowed_origins: Vec<String>,
    /// Where the add-in's npm packages were installed (resolved against the configuration
    /// file's folder); `None` when the vendor routes are not used.
    pub addin_vendor_dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct TlsSettings {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct LoggingSettings {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Clone)]
pub struct IntegrationSettings {
    pub id: IntegrationId,
    pub display_name: String,
    pub equipment_resource: EquipmentResource,
    pub aliases: AliasSettings,
    pub reservation_lifetime: Duration,
    pub buffers: Buffers,
    pub joining: JoiningSettings,
    pub rate_limit: RateLimitSettings,
    pub auth: AuthSettings,
    pub templates: Templates,
    pub addin: super::AddinSettings,
    /// `None`: the integration watches no mailbox.
    pub exchange: Option<super::ExchangeSettings>,
    pub policy: super::IntegrationPolicy,
    /// `None`: rooms are not pushed to Pexip Infinity's management API.
    pub pexip_push: Option<super::PexipPushSettings>,
}

impl std::fmt::Debug for IntegrationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegrationSettings")
            .field("id", &self.id)
            .field("equipment_resource", &self.equipment_resource)
            .field("aliases", &self.aliases)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EquipmentResource {
    pub name: String,
    pub email: EmailAddress,
}

/// How long before the start and after the end a meeting's room admits callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buffers {
    pub before: Duration,
    pub after: Duration,
}

#[derive(Debug, Clone)]
pub struct JoiningSettings {
    /// Contains `{alias}`.
    pub web_join_url: String,
    pub dial_in_number: Option<String>,
}

impl JoiningSettings {
    pub fn web_join_url_for(&self, alias: &str) -> String {
        self.web_join_url.replace("{alias}", alias)
    }
}

impl IntegrationSettings {
    /// The variables every template of this integration receives.
    pub fn shared_values(&self, public_url: &url::Url) -> SharedValues {
        SharedValues {
            integration_name: self.display_name.clone(),
            equipment_resource_name: self.equipment_resource.name.clone(),
            equipment_resource_email: self.equipment_resource.email.to_string(),
            public_url: public_url.as_str().trim_end_matches('/').to_string(),
        }
    }

    /// What the joining instructions and location of a single-use VMR are rendered from.
    pub fn joining_context(
        &self,
        alias: Alias,
        numeric_alias: NumericAlias,
        marker: AliasMarker,
        shared: SharedValues,
    ) -> JoiningContext {
        JoiningContext {
            web_join_url: Some(self.joining.web_join_url_for(alias.as_str())),
            dial_in_number: self.joining.dial_in_number.clone(),
            ..JoiningContext::new(alias, numeric_alias, marker, shared)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub per_minute: u32,
    pub burst: u32,
}

impl Settings {
    pub fn integration(&self, id: &str) -> Option<&IntegrationSettings> {
        self.integrations.iter().find(|i| i.id.as_str() == id)
    }

    /// The integration ids, comma-separated, for messages that list the choices.
    pub fn integration_ids(&self) -> String {
        self.integrations
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
