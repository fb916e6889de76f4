//! `RawAuth::validate`: turns the administrator's section into [`AuthSettings`], reporting every
//! mistake with its full dotted key so one pass over the file fixes them all.

use super::claims::is_guid;
use super::fetch::MAX_DOCUMENT_BYTES;
use super::jwks::KeySet;
use super::origin::{check_fetch_url, parse_origin, HTTP_RULE};
use super::settings::{
    AuthSettings, EntraKeys, EntraSettings, ExchangeSettings, RawAuth, RawEntra, RawExchange,
    Tenancy, DEFAULT_ENTRA_METADATA_URL, DEFAULT_ISSUER_V1, DEFAULT_ISSUER_V2,
    DEFAULT_REQUIRED_SCOPE, TENANT_PLACEHOLDER,
};
use crate::config::Problems;
use crate::domain::IntegrationId;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

impl RawAuth {
    /// Checks the section at `key` (`integrations.<id>.auth`; the integration id in it names the
    /// default Exchange audience); returns settings only if it recorded no problem.
    /// `public_url` is the service's external base URL. A relative `jwks_file` is taken relative
    /// to the working directory; see [`RawAuth::validate_in`].
    pub fn validate(
        &self,
        key: &str,
        public_url: &Url,
        problems: &mut Problems,
    ) -> Option<AuthSettings> {
        self.validate_in(key, public_url, Path::new(""), problems)
    }

    /// Like [`RawAuth::validate`], with a relative `jwks_file` taken relative to `base_dir`
    /// (the configuration file's folder).
    pub fn validate_in(
        &self,
        key: &str,
        public_url: &Url,
        base_dir: &Path,
        problems: &mut Problems,
    ) -> Option<AuthSettings> {
        let before = problems.iter().count();
        let allow_http = self.insecure_allow_http_loopback;
        let leeway = problems.int_in_range(
            &format!("{key}.leeway_seconds"),
            self.leeway_seconds,
            60,
            0..=300,
        );
        let timeout_ms = problems.int_in_range(
            &format!("{key}.metadata_fetch_timeout_ms"),
            self.metadata_fetch_timeout_ms,
            5000,
            100..=60_000,
        );
        let interval = problems.int_in_range(
            &format!("{key}.key_refresh_min_interval_seconds"),
            self.key_refresh_min_interval_seconds,
            300,
            1..=86_400,
        );
        if self.entra.is_none() && self.exchange.is_none() {
            problems.push(
                key,
                "configures no token kind",
                format!("a [{key}.entra] section, a [{key}.exchange] section, or both"),
            );
        }
        let entra = self
            .entra
            .as_ref()
            .and_then(|raw| raw.validate(&format!("{key}.entra"), allow_http, base_dir, problems));
        let exchange = self.exchange.as_ref().and_then(|raw| {
            let default_audience = default_exchange_audience(key, public_url);
            raw.validate(
                &format!("{key}.exchange"),
                allow_http,
                default_audience,
                problems,
            )
        });
        (problems.iter().count() == before).then(|| AuthSettings {
            leeway_seconds: leeway,
            allow_http_loopback: allow_http,
            fetch_timeout: Duration::from_millis(timeout_ms.unsigned_abs()),
            key_refresh_min_interval: Duration::from_secs(interval.unsigned_abs()),
            entra,
            exchange,
        })
    }
}

impl RawEntra {
    fn validate(
        &self,
        key: &str,
        allow_http: bool,
        base_dir: &Path,
        problems: &mut Problems,
    ) -> Option<EntraSettings> {
        let before = problems.iter().count();
        let tenancy = match (&self.tenant_id, &self.allowed_tenants) {
            (Some(_), Some(_)) => {
                problems.push(
                    format!("{key}.allowed_tenants"),
                    "is set together with tenant_id",
                    "tenant_id for a single-tenant app, or allowed_tenants (optional) for a multi-tenant one",
                );
                None
            }
            (Some(id), None) => {
                guid(problems, &format!("{key}.tenant_id"), id).map(Tenancy::Single)
            }
            (None, Some(list)) if list.is_empty() => {
                problems.push(
                    format!("{key}.allowed_tenants"),
                    "is empty",
                    "at least one tenant GUID, or no allowed_tenants key",
                );
                None
            }
            (None, Some(list)) => {
                let ids: Vec<_> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, id)| {
                        guid(problems, &format!("{key}.allowed_tenants[{i}]"), id)
                    })
                    .collect();
                Some(Tenancy::Multi { allowed: Some(ids) })
            }
            (None, None) => Some(Tenancy::Multi { allowed: None }),
        };
        let audiences = non_empty_list(problems, &format!("{key}.audiences"), self.audiences.as_deref(), |a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                Err(format!("`{a}` is empty or contains spaces"))
            } else {
                Ok(a.to_string())
            }
        }, "the API's client id and/or Application ID URI, e.g. [\"api://vmr.example.com/<client-id>\", \"<client-id>\"]");
        let scope = self
            .required_scope
            .as_deref()
            .unwrap_or(DEFAULT_REQUIRED_SCOPE)
            .trim();
        if scope.is_empty() || scope.contains(char::is_whitespace) {
            problems.push(
                format!("{key}.required_scope"),
                format!("`{scope}` is not a single scope name"),
                "a scope name such as access_as_user",
            );
        }
        let versions = self
            .accepted_versions
            .clone()
            .unwrap_or_else(|| vec!["1.0".into(), "2.0".into()]);
        let versions = non_empty_list(
            problems,
            &format!("{key}.accepted_versions"),
            Some(&versions),
            |v| match v {
                "1.0" | "2.0" => Ok(v.to_string()),
                _ => Err(format!("`{v}` is not a token version")),
            },
            "\"1.0\" and/or \"2.0\"",
        );
        let issuer_v1 = issuer(
            problems,
            &format!("{key}.issuer_v1"),
            self.issuer_v1.as_deref().unwrap_or(DEFAULT_ISSUER_V1),
        );
        let issuer_v2 = issuer(
            problems,
            &format!("{key}.issuer_v2"),
            self.issuer_v2.as_deref().unwrap_or(DEFAULT_ISSUER_V2),
        );
        let keys = self.key_source(key, allow_http, base_dir, problems);
        if problems.iter().count() != before {
            return None;
        }
        let versions = versions.unwrap_or_default();
        Some(EntraSettings {
            tenancy: tenancy?,
            audiences: audiences?,
            required_scope: scope.to_string(),
            accept_v1: versions.iter().any(|v| v == "1.0"),
            accept_v2: versions.iter().any(|v| v == "2.0"),
            issuer_v1: issuer_v1?,
            issuer_v2: issuer_v2?,
            keys: keys?,
        })
    }

    fn key_source(
        &self,
        key: &str,
        allow_http: bool,
        base_dir: &Path,
        problems: &mut Problems,
    ) -> Option<EntraKeys> {
        let given = [
            self.metadata_url.is_some(),
            self.jwks_url.is_some(),
            self.jwks_file.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            problems.push(
                key,
                "sets more than one of metadata_url, jwks_url and jwks_file",
                "exactly one key source, or none for Microsoft's public metadata",
            );
            return None;
        }
        if let Some(url) = &self.jwks_url {
            return fetch_url(problems, &format!("{key}.jwks_url"), url, allow_http)
                .map(EntraKeys::Jwks);
        }
        if let Some(path) = &self.jwks_file {
            // `join` keeps an absolute path as it is.
            let path = base_dir.join(path);
            return match load_jwks_file(&path) {
                Ok(keys) => Some(EntraKeys::File {
                    path,
                    keys: Arc::new(keys),
                }),
                Err(problem) => {
                    problems.push(format!("{key}.jwks_file"), problem, "a readable JWKS file with at least one RSA signing key of 2048 bits or more");
                    None
                }
            };
        }
        let url = self
            .metadata_url
            .as_deref()
            .unwrap_or(DEFAULT_ENTRA_METADATA_URL);
        fetch_url(problems, &format!("{key}.metadata_url"), url, allow_http)
            .map(EntraKeys::Metadata)
    }
}

impl RawExchange {
    fn validate(
        &self,
        key: &str,
        allow_http: bool,
        default_audience: Option<String>,
        problems: &mut Problems,
    ) -> Option<ExchangeSettings> {
        let origins = non_empty_list(
            problems,
            &format!("{key}.trusted_metadata_origins"),
            self.trusted_metadata_origins.as_deref(),
            |o| parse_origin(o, allow_http),
            &format!("origins of your Exchange servers such as https://mail.contoso.com: {HTTP_RULE}, no path"),
        );
        let audiences = self
            .audiences
            .clone()
            .or_else(|| default_audience.map(|a| vec![a]));
        let audiences = non_empty_list(
            problems,
            &format!("{key}.audiences"),
            audiences.as_deref(),
            |a| {
                if Url::parse(a).is_ok_and(|u| u.has_host()) {
                    Ok(a.to_string())
                } else {
                    Err(format!("`{a}` is not an absolute URL"))
                }
            },
            "the add-in's task pane URLs exactly as in the manifest",
        );
        Some(ExchangeSettings {
            trusted_origins: origins?,
            audiences: audiences?,
        })
    }
}

/// `<public_url>/addin/<integration>/taskpane.html`, the task pane URL the generated manifest
/// uses, with the integration id taken from `integrations.<id>.auth`.
fn default_exchange_audience(key: &str, public_url: &Url) -> Option<String> {
    let id = key.strip_prefix("integrations.")?.strip_suffix(".auth")?;
    let id = IntegrationId::parse(id).ok()?;
    Some(format!(
        "{}/addin/{id}/taskpane.html",
        public_url.as_str().trim_end_matches('/')
    ))
}

/// Parses each entry with `parse`; an entry it refuses becomes a problem at `key[index]`.
/// Returns the list only if it was present, non-empty and fully valid.
fn non_empty_list<T>(
    problems: &mut Problems,
    key: &str,
    list: Option<&[String]>,
    mut parse: impl FnMut(&str) -> Result<T, String>,
    expected: &str,
) -> Option<Vec<T>> {
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        problems.push(key, "is missing or empty", expected);
        return None;
    };
    let mut parsed = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        match parse(item.trim()) {
            Ok(value) => parsed.push(value),
            Err(problem) => problems.push(format!("{key}[{i}]"), problem, expected),
        }
    }
    (parsed.len() == list.len()).then_some(parsed)
}

fn guid(problems: &mut Problems, key: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if is_guid(value) {
        Some(value.to_ascii_lowercase())
    } else {
        problems.push(
            key,
            format!("`{value}` is not a GUID"),
            "a directory (tenant) id such as 72f988bf-86f1-41af-91ab-2d7cd011db47",
        );
        None
    }
}

fn fetch_url(problems: &mut Problems, key: &str, value: &str, allow_http: bool) -> Option<Url> {
    let checked = Url::parse(value.trim())
        .map_err(|e| format!("`{value}` is not a URL ({e})"))
        .and_then(|url| {
            check_fetch_url(&url, allow_http)
                .map(|()| url)
                .map_err(|e| format!("`{value}` {e}"))
        });
    problems.check(key, checked, HTTP_RULE)
}

/// Issuers are compared, never fetched, so any absolute URL will do.
fn issuer(problems: &mut Problems, key: &str, template: &str) -> Option<String> {
    let sample = template.replace(TENANT_PLACEHOLDER, "00000000-0000-0000-0000-000000000000");
    if Url::parse(&sample).is_ok_and(|u| u.has_host()) {
        Some(template.to_string())
    } else {
        problems.push(
            key,
            format!("`{template}` is not an absolute URL"),
            "an issuer URL, optionally with {tenantid}",
        );
        None
    }
}

pub(crate) fn load_jwks_file(path: &Path) -> Result<KeySet, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("`{}` cannot be read ({e})", path.display()))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "`{}` is larger than {MAX_DOCUMENT_BYTES} bytes",
            path.display()
        ));
    }
    let document: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("`{}` is not JSON ({e})", path.display()))?;
    KeySet::from_jwks(&document).map_err(|e| format!("`{}`: {e}", path.display()))
}
