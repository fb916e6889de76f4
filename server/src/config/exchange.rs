//! The `[integrations.<id>.exchange]` section: how the scheduling service reaches the equipment
//! resource's mailbox. Without it the integration hands out aliases but watches no mailbox.
//!
//! ```toml
//! [integrations.main.exchange]
//! url = "https://mail.example.org/EWS/Exchange.asmx"
//! impersonation = "resource"        # or "everyone": may also act as organizers
//! unmarked_meetings = "decline"     # or "provision"
//! [integrations.main.exchange.auth]
//! method = "basic"                  # or "oauth_app", "oauth_delegated"
//! username = "svc-vmr@example.org"
//! password = { file = "secrets/ews-password" }
//! ```

use super::secret::{Secret, SecretSource};
use super::Problems;
use crate::identity::is_guid;
use crate::scheduling::UnmarkedMeetings;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;
use url::Url;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExchange {
    /// The EWS endpoint, e.g. `https://outlook.office365.com/EWS/Exchange.asmx`.
    pub url: String,
    /// `Exchange2016` (default) or `Exchange2013_SP1`.
    #[serde(default)]
    pub server_version: Option<String>,
    /// Whom the service account may impersonate: `resource` (default) or `everyone`.
    #[serde(default)]
    pub impersonation: Option<String>,
    /// `decline` (default) or `provision` for meetings that reach the resource without a marker.
    #[serde(default)]
    pub unmarked_meetings: Option<String>,
    /// Seconds between two syncs of the inbox (1–3600, default 30).
    #[serde(default)]
    pub poll_interval_seconds: Option<i64>,
    /// Seconds one EWS call may take (1–300, default 30).
    #[serde(default)]
    pub timeout_seconds: Option<i64>,
    /// Allows `http://` to a loopback host, for tests only.
    #[serde(default)]
    pub insecure_allow_http_loopback: bool,
    pub auth: RawExchangeAuth,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "method", rename_all = "snake_case")]
pub enum RawExchangeAuth {
    /// Exchange Server with Basic authentication (over https).
    Basic {
        username: String,
        password: SecretSource,
    },
    /// App-only OAuth (client credentials) with impersonation, for Exchange Online.
    OauthApp {
        tenant_id: String,
        client_id: String,
        client_secret: SecretSource,
        #[serde(default)]
        authority: Option<String>,
    },
    /// A service account signed in once by an admin (authorization code with PKCE); its
    /// refresh token is stored encrypted with `token_encryption_key`.
    OauthDelegated {
        tenant_id: String,
        client_id: String,
        /// `v1` (`resource=`) or `v2` (scopes), default `v2`.
        #[serde(default)]
        endpoint_version: Option<String>,
        token_encryption_key: SecretSource,
        /// For an app registered as a confidential client ("Web" redirect URI); a public
        /// client ("Mobile and desktop" redirect URI) relies on PKCE alone.
        #[serde(default)]
        client_secret: Option<SecretSource>,
        #[serde(default)]
        authority: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EwsServerVersion {
    Exchange2013Sp1,
    Exchange2016,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impersonation {
    /// The account acts as the resource only; instructions for unmarked meetings go to the
    /// organizer as a reply.
    ResourceOnly,
    /// The account may act as organizers too, and update their meetings.
    Everyone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthEndpoints {
    V1,
    V2,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeAuth {
    Basic {
        username: String,
        password: Secret,
    },
    OAuthApp {
        authority: Url,
        tenant_id: String,
        client_id: String,
        client_secret: Secret,
    },
    OAuthDelegated {
        authority: Url,
        tenant_id: String,
        client_id: String,
        endpoints: OAuthEndpoints,
        token_encryption_key: Secret,
        client_secret: Option<Secret>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeSettings {
    pub url: Url,
    pub server_version: EwsServerVersion,
    pub impersonation: Impersonation,
    pub unmarked_meetings: UnmarkedMeetings,
    pub poll_interval: Duration,
    pub timeout: Duration,
    pub auth: ExchangeAuth,
}

const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";

impl RawExchange {
    pub fn validate(
        &self,
        key: &str,
        base_dir: &Path,
        lookup_env: &dyn Fn(&str) -> Option<String>,
        problems: &mut Problems,
    ) -> Option<ExchangeSettings> {
        let at = |field: &str| format!("{key}.{field}");
        let before = problems.iter().count();
        let allow_http = self.insecure_allow_http_loopback;
        let url = endpoint_url(problems, &at("url"), &self.url, allow_http);
        let server_version = match self.server_version.as_deref() {
            None | Some("Exchange2016") => Some(EwsServerVersion::Exchange2016),
            Some("Exchange2013_SP1") => Some(EwsServerVersion::Exchange2013Sp1),
            Some(other) => {
                problems.push(
                    at("server_version"),
                    format!("`{other}` is not an EWS schema version we speak"),
                    "Exchange2016 or Exchange2013_SP1",
                );
                None
            }
        };
        let impersonation = match self.impersonation.as_deref() {
            None | Some("resource") => Some(Impersonation::ResourceOnly),
            Some("everyone") => Some(Impersonation::Everyone),
            Some(other) => {
                problems.push(
                    at("impersonation"),
                    format!("is `{other}`"),
                    "resource or everyone",
                );
                None
            }
        };
        let unmarked_meetings = match (self.unmarked_meetings.as_deref(), impersonation) {
            (None | Some("decline"), _) => Some(UnmarkedMeetings::Decline),
            (Some("provision"), Some(scope)) => Some(UnmarkedMeetings::Provision {
                organizer_impersonation: scope == Impersonation::Everyone,
            }),
            (Some("provision"), None) => None,
            (Some(other), _) => {
                problems.push(
                    at("unmarked_meetings"),
                    format!("is `{other}`"),
                    "decline or provision",
                );
                None
            }
        };
        let poll_seconds = problems.int_in_range(
            &at("poll_interval_seconds"),
            self.poll_interval_seconds,
            30,
            1..=3600,
        );
        let timeout_seconds =
            problems.int_in_range(&at("timeout_seconds"), self.timeout_seconds, 30, 1..=300);
        let auth = self
            .auth
            .validate(&at("auth"), base_dir, lookup_env, allow_http, problems);
        if problems.iter().count() > before {
            return None;
        }
        Some(ExchangeSettings {
            url: url?,
            server_version: server_version?,
            impersonation: impersonation?,
            unmarked_meetings: unmarked_meetings?,
            poll_interval: Duration::from_secs(poll_seconds.unsigned_abs()),
            timeout: Duration::from_secs(timeout_seconds.unsigned_abs()),
            auth: auth?,
        })
    }
}

impl RawExchangeAuth {
    fn validate(
        &self,
        key: &str,
        base_dir: &Path,
        lookup_env: &dyn Fn(&str) -> Option<String>,
        allow_http: bool,
        problems: &mut Problems,
    ) -> Option<ExchangeAuth> {
        let at = |field: &str| format!("{key}.{field}");
        let secret = |field: &str, source: &SecretSource, problems: &mut Problems| {
            source
                .read(base_dir, lookup_env)
                .map_err(|problem| {
                    problems.push(at(field), problem, "a readable, non-empty secret")
                })
                .ok()
        };
        match self {
            Self::Basic { username, password } => {
                let username = username.trim();
                if username.is_empty() {
                    problems.push(
                        at("username"),
                        "is empty",
                        "the service account's user name",
                    );
                }
                let password = secret("password", password, problems);
                (!username.is_empty()).then_some(())?;
                Some(ExchangeAuth::Basic {
                    username: username.to_string(),
                    password: password?,
                })
            }
            Self::OauthApp {
                tenant_id,
                client_id,
                client_secret,
                authority,
            } => {
                let tenant_id = tenant(problems, &at("tenant_id"), tenant_id);
                let client_id = guid(problems, &at("client_id"), client_id);
                let authority = authority_url(problems, &at("authority"), authority, allow_http);
                let client_secret = secret("client_secret", client_secret, problems);
                Some(ExchangeAuth::OAuthApp {
                    authority: authority?,
                    tenant_id: tenant_id?,
                    client_id: client_id?,
                    client_secret: client_secret?,
                })
            }
            Self::OauthDelegated {
                tenant_id,
                client_id,
                endpoint_version,
                token_encryption_key,
                client_secret,
                authority,
            } => {
                let tenant_id = tenant(problems, &at("tenant_id"), tenant_id);
                let client_id = guid(problems, &at("client_id"), client_id);
                let authority = authority_url(problems, &at("authority"), authority, allow_http);
                let endpoints = match endpoint_version.as_deref() {
                    None | Some("v2") => Some(OAuthEndpoints::V2),
                    Some("v1") => Some(OAuthEndpoints::V1),
                    Some(other) => {
                        problems.push(at("endpoint_version"), format!("is `{other}`"), "v1 or v2");
                        None
                    }
                };
                let client_secret = client_secret
                    .as_ref()
                    .map(|source| secret("client_secret", source, problems));
                let key = secret("token_encryption_key", token_encryption_key, problems);
                if let Some(key) = &key {
                    if key.expose().len() < 32 {
                        problems.push(
                            at("token_encryption_key"),
                            "is shorter than 32 characters",
                            "at least 32 random characters (e.g. `openssl rand -base64 32`)",
                        );
                        return None;
                    }
                }
                Some(ExchangeAuth::OAuthDelegated {
                    authority: authority?,
                    tenant_id: tenant_id?,
                    client_id: client_id?,
                    endpoints: endpoints?,
                    token_encryption_key: key?,
                    client_secret: match client_secret {
                        Some(read) => Some(read?),
                        None => None,
                    },
                })
            }
        }
    }
}

fn endpoint_url(problems: &mut Problems, key: &str, input: &str, allow_http: bool) -> Option<Url> {
    let expected = "the https:// URL of the EWS endpoint (http:// only with \
                    insecure_allow_http_loopback = true and a loopback host)";
    let url = match Url::parse(input.trim()) {
        Ok(url) => url,
        Err(error) => {
            problems.push(key, format!("`{input}` is not a URL ({error})"), expected);
            return None;
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        problems.push(
            key,
            "contains a user name or password",
            "credentials in the auth section",
        );
        return None;
    }
    let secure = url.scheme() == "https" && url.host().is_some();
    let loopback_http = allow_http && url.scheme() == "http" && crate::identity::is_loopback(&url);
    if !(secure || loopback_http) {
        problems.push(key, format!("`{input}` is not allowed"), expected);
        return None;
    }
    Some(url)
}

fn authority_url(
    problems: &mut Problems,
    key: &str,
    input: &Option<String>,
    allow_http: bool,
) -> Option<Url> {
    endpoint_url(
        problems,
        key,
        input.as_deref().unwrap_or(DEFAULT_AUTHORITY),
        allow_http,
    )
}

fn guid(problems: &mut Problems, key: &str, input: &str) -> Option<String> {
    let input = input.trim();
    if is_guid(input) {
        Some(input.to_ascii_lowercase())
    } else {
        problems.push(
            key,
            format!("`{input}` is not a GUID"),
            "the application (client) id",
        );
        None
    }
}

/// A tenant GUID or a verified domain name (`contoso.onmicrosoft.com`).
fn tenant(problems: &mut Problems, key: &str, input: &str) -> Option<String> {
    let input = input.trim();
    let is_domain = input.contains('.')
        && input.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if is_guid(input) || is_domain {
        Some(input.to_ascii_lowercase())
    } else {
        problems.push(
            key,
            format!("`{input}` is not a tenant"),
            "the directory (tenant) id or a domain such as contoso.onmicrosoft.com",
        );
        None
    }
}
