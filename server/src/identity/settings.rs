//! The `[integrations.<id>.auth]` configuration section: what the administrator writes
//! ([`RawAuth`]) and what the validator runs on ([`AuthSettings`]). The checks that turn one into
//! the other are in `settings_validation.rs`.

use super::jwks::KeySet;
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::{Origin, Url};

/// Microsoft's multi-tenant discovery document for work and school accounts.
pub const DEFAULT_ENTRA_METADATA_URL: &str =
    "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration";
pub const DEFAULT_ISSUER_V2: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
pub const DEFAULT_ISSUER_V1: &str = "https://sts.windows.net/{tenantid}/";
/// Replaced in issuer templates by the token's `tid`.
pub const TENANT_PLACEHOLDER: &str = "{tenantid}";
/// The scope Office's legacy SSO requires every add-in API to expose.
pub const DEFAULT_REQUIRED_SCOPE: &str = "access_as_user";

/// `[integrations.<id>.auth]`: how add-in users prove who they are. At least one of `entra`
/// and `exchange` must be present.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    /// Clock skew tolerated on `exp` and `nbf`, in seconds: 0 to 300. Default 60.
    pub leeway_seconds: Option<i64>,
    /// For tests and local demos only: also accept `http://` key-document URLs and metadata
    /// origins whose host is a loopback IP literal (127.0.0.0/8, ::1) or `localhost`.
    /// Default false.
    #[serde(default)]
    pub insecure_allow_http_loopback: bool,
    /// Timeout of each request for a key document, in milliseconds: 100 to 60000. Default 5000.
    pub metadata_fetch_timeout_ms: Option<i64>,
    /// Minimum seconds between two key refetches caused by tokens naming an unknown key:
    /// 1 to 86400. Default 300. Scheduled daily refreshes are not limited by this.
    pub key_refresh_min_interval_seconds: Option<i64>,
    /// Entra ID access tokens (Nested App Authentication and legacy Office SSO).
    pub entra: Option<RawEntra>,
    /// Legacy Exchange user identity tokens (Exchange Server on-premises only).
    pub exchange: Option<RawExchange>,
}

/// `[integrations.<id>.auth.entra]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntra {
    /// Single-tenant: the only directory (GUID) whose users are accepted. Omit for multi-tenant.
    pub tenant_id: Option<String>,
    /// Multi-tenant only: if set, the directories (GUIDs) whose users are accepted.
    pub allowed_tenants: Option<Vec<String>>,
    /// Required. Accepted `aud` values, exactly as Entra issues them: the API's client id (v2
    /// tokens) and/or its Application ID URI such as `api://vmr.example.com/<client-id>` (v1).
    pub audiences: Option<Vec<String>>,
    /// A delegated scope that must appear in `scp`. Default `access_as_user`.
    pub required_scope: Option<String>,
    /// Accepted token versions (`ver`): "1.0" and/or "2.0". Default both: the API's app
    /// registration, not the client, decides which one Entra issues.
    pub accepted_versions: Option<Vec<String>>,
    /// Expected `iss` of v2.0 tokens; `{tenantid}` is replaced by the token's `tid`.
    /// Default `https://login.microsoftonline.com/{tenantid}/v2.0`.
    pub issuer_v2: Option<String>,
    /// Expected `iss` of v1.0 tokens; `{tenantid}` is replaced by the token's `tid`.
    /// Default `https://sts.windows.net/{tenantid}/`.
    pub issuer_v1: Option<String>,
    /// Key source: an OpenID Connect discovery document whose `jwks_uri` (same origin) holds
    /// the keys. Default, when no key source is given, Microsoft's `organizations` document.
    pub metadata_url: Option<String>,
    /// Key source: a JWKS URL, fetched directly.
    pub jwks_url: Option<String>,
    /// Key source: a JWKS file read once at start-up (air-gapped sites, demos). A relative
    /// path is taken relative to the configuration file's folder.
    pub jwks_file: Option<PathBuf>,
}

/// `[integrations.<id>.auth.exchange]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExchange {
    /// Required. Origins (scheme, host, optional port) of the Exchange servers whose
    /// auth-metadata documents are trusted, e.g. `https://mail.contoso.com`. A token's
    /// `amurl` must be on one of them before anything is fetched.
    pub trusted_metadata_origins: Option<Vec<String>>,
    /// Accepted `aud` values: the add-in's task pane URL as in the manifest. Default
    /// `<public_url>/addin/<integration>/taskpane.html`.
    pub audiences: Option<Vec<String>>,
}

/// A validated auth section; build a [`super::TokenValidator`] from it.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub(crate) leeway_seconds: i64,
    pub(crate) allow_http_loopback: bool,
    pub(crate) fetch_timeout: Duration,
    pub(crate) key_refresh_min_interval: Duration,
    pub(crate) entra: Option<EntraSettings>,
    pub(crate) exchange: Option<ExchangeSettings>,
}

impl AuthSettings {
    pub fn accepts_entra(&self) -> bool {
        self.entra.is_some()
    }

    pub fn accepts_exchange(&self) -> bool {
        self.exchange.is_some()
    }

    /// The first `api://` audience of the Entra section: the API's Application ID URI, from
    /// which the add-in's scopes and SSO resource are derived.
    pub fn entra_api_audience(&self) -> Option<String> {
        let entra = self.entra.as_ref()?;
        entra
            .audiences
            .iter()
            .find(|audience| audience.starts_with("api://"))
            .cloned()
    }

    /// The API's client id as the audiences reveal it: a GUID audience (v2 tokens), else the
    /// GUID that ends an `api://` audience.
    pub fn entra_client_id(&self) -> Option<String> {
        let entra = self.entra.as_ref()?;
        let direct = entra.audiences.iter().find(|a| super::is_guid(a));
        let from_uri = || {
            entra
                .audiences
                .iter()
                .filter(|a| a.starts_with("api://"))
                .filter_map(|a| a.rsplit('/').next())
                .find(|tail| super::is_guid(tail))
        };
        direct
            .map(String::as_str)
            .or_else(from_uri)
            .map(str::to_ascii_lowercase)
    }

    pub fn entra_required_scope(&self) -> &str {
        self.entra.as_ref().map_or(DEFAULT_REQUIRED_SCOPE, |entra| {
            entra.required_scope.as_str()
        })
    }

    /// The tenant of a single-tenant Entra section.
    pub fn entra_tenant(&self) -> Option<&str> {
        match &self.entra.as_ref()?.tenancy {
            Tenancy::Single(tenant) => Some(tenant),
            Tenancy::Multi { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EntraSettings {
    pub(crate) tenancy: Tenancy,
    pub(crate) audiences: Vec<String>,
    pub(crate) required_scope: String,
    pub(crate) accept_v1: bool,
    pub(crate) accept_v2: bool,
    pub(crate) issuer_v1: String,
    pub(crate) issuer_v2: String,
    pub(crate) keys: EntraKeys,
}

/// Tenant ids are stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tenancy {
    Single(String),
    Multi { allowed: Option<Vec<String>> },
}

#[derive(Clone)]
pub(crate) enum EntraKeys {
    Metadata(Url),
    Jwks(Url),
    File { path: PathBuf, keys: Arc<KeySet> },
}

impl fmt::Debug for EntraKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Metadata(url) => write!(f, "Metadata({url})"),
            Self::Jwks(url) => write!(f, "Jwks({url})"),
            Self::File { path, keys } => write!(f, "File({}, {} keys)", path.display(), keys.len()),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ExchangeSettings {
    pub(crate) trusted_origins: Vec<Origin>,
    pub(crate) audiences: Vec<String>,
}
