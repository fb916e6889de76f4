//! The `[integrations.<id>.pexip_push]` section: for sites without an external policy server,
//! the service keeps the rooms in Pexip Infinity's own configuration through its management API.
//!
//! ```toml
//! [integrations.main.pexip_push]
//! url = "https://manager.example.org"
//! username = "vmr-scheduler"
//! password = { file = "secrets/pexip-password" }
//! reconcile_interval_seconds = 300
//! timeout_seconds = 30
//! tag = "vmr-scheduler"
//! ```

use super::secret::{Secret, SecretSource};
use super::Problems;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;
use url::Url;

/// Infinity's limit on a conference's `tag`.
const MAX_TAG_CHARS: usize = 250;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPexipPush {
    /// The Management Node, e.g. `https://manager.example.org` (the API path is added).
    pub url: String,
    pub username: String,
    pub password: SecretSource,
    /// Seconds between two reconciliations (1–86400, default 300).
    #[serde(default)]
    pub reconcile_interval_seconds: Option<i64>,
    /// Seconds one management API call may take (1–300, default 30).
    #[serde(default)]
    pub timeout_seconds: Option<i64>,
    /// Marks the rooms this service owns; default `vmr-scheduler`.
    #[serde(default)]
    pub tag: Option<String>,
    /// Allows `http://` to a loopback host, for tests only.
    #[serde(default)]
    pub insecure_allow_http_loopback: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PexipPushSettings {
    /// The Management Node's base URL, without a trailing slash.
    pub url: Url,
    pub username: String,
    pub password: Secret,
    pub reconcile_interval: Duration,
    pub timeout: Duration,
    /// The tag prefix; rooms carry `<tag>:<integration id>`.
    pub tag: String,
}

impl RawPexipPush {
    pub fn validate(
        &self,
        key: &str,
        base_dir: &Path,
        lookup_env: &dyn Fn(&str) -> Option<String>,
        problems: &mut Problems,
    ) -> Option<PexipPushSettings> {
        let at = |field: &str| format!("{key}.{field}");
        let before = problems.iter().count();
        let url = manager_url(
            problems,
            &at("url"),
            &self.url,
            self.insecure_allow_http_loopback,
        );
        let username = self.username.trim();
        if username.is_empty() {
            problems.push(at("username"), "is empty", "the management API user name");
        }
        let password = self
            .password
            .read(base_dir, lookup_env)
            .map_err(|problem| {
                problems.push(at("password"), problem, "a readable, non-empty secret")
            })
            .ok();
        let interval = problems.int_in_range(
            &at("reconcile_interval_seconds"),
            self.reconcile_interval_seconds,
            300,
            1..=86_400,
        );
        let timeout =
            problems.int_in_range(&at("timeout_seconds"), self.timeout_seconds, 30, 1..=300);
        let tag = self.tag.as_deref().unwrap_or("vmr-scheduler").trim();
        let tag_ok = !tag.is_empty()
            && tag.chars().count() <= MAX_TAG_CHARS - 64
            && tag.chars().all(|c| c.is_ascii_graphic() && c != ':');
        if !tag_ok {
            problems.push(
                at("tag"),
                format!("`{tag}` is not allowed"),
                "1–186 printable ASCII characters without spaces or `:`",
            );
        }
        if problems.iter().count() > before {
            return None;
        }
        Some(PexipPushSettings {
            url: url?,
            username: username.to_string(),
            password: password?,
            reconcile_interval: Duration::from_secs(interval.unsigned_abs()),
            timeout: Duration::from_secs(timeout.unsigned_abs()),
            tag: tag.to_string(),
        })
    }
}

fn manager_url(problems: &mut Problems, key: &str, input: &str, allow_http: bool) -> Option<Url> {
    let expected = "the https:// URL of the Management Node (http:// only with \
                    insecure_allow_http_loopback = true and a loopback host), without a path";
    let url = match Url::parse(input.trim()) {
        Ok(url) => url,
        Err(error) => {
            problems.push(key, format!("`{input}` is not a URL ({error})"), expected);
            return None;
        }
    };
    let secure = url.scheme() == "https" && url.host().is_some();
    let loopback_http = allow_http && url.scheme() == "http" && crate::identity::is_loopback(&url);
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !(secure || loopback_http) || !plain {
        problems.push(key, format!("`{input}` is not allowed"), expected);
        return None;
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(extra: &str) -> RawPexipPush {
        toml::from_str(&format!(
            "url = \"https://manager.example.org\"\nusername = \"api\"\n\
             password = {{ env = \"PEXIP_PASSWORD\" }}\n{extra}"
        ))
        .unwrap()
    }

    fn check(raw: &RawPexipPush) -> (Option<PexipPushSettings>, Vec<String>) {
        let mut problems = Problems::default();
        let settings = raw.validate(
            "integrations.main.pexip_push",
            Path::new(""),
            &|name| (name == "PEXIP_PASSWORD").then(|| "pw".into()),
            &mut problems,
        );
        (settings, problems.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn defaults_fill_in_the_optional_keys() {
        let (settings, problems) = check(&raw(""));
        assert!(problems.is_empty(), "{problems:?}");
        let settings = settings.unwrap();
        assert_eq!(settings.reconcile_interval, Duration::from_secs(300));
        assert_eq!(settings.timeout, Duration::from_secs(30));
        assert_eq!(settings.tag, "vmr-scheduler");
        assert_eq!(settings.password.expose(), "pw");
    }

    #[test]
    fn every_wrong_key_is_named() {
        let mut wrong = raw(
            "reconcile_interval_seconds = 0\ntimeout_seconds = 301\ntag = \"a b\"\n\
             insecure_allow_http_loopback = true",
        );
        wrong.url = "http://manager.example.org".into();
        wrong.username = " ".into();
        wrong.password = SecretSource::Env {
            env: "MISSING".into(),
        };
        let (settings, problems) = check(&wrong);
        assert!(settings.is_none());
        let keys: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        for field in [
            "url",
            "username",
            "password",
            "reconcile_interval_seconds",
            "timeout_seconds",
            "tag",
        ] {
            assert!(
                keys.contains(&format!("integrations.main.pexip_push.{field}").as_str()),
                "{field} missing in {problems:?}"
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback_when_allowed() {
        let mut loopback = raw("insecure_allow_http_loopback = true");
        loopback.url = "http://127.0.0.1:8443".into();
        assert!(check(&loopback).0.is_some());
        loopback.insecure_allow_http_loopback = false;
        assert!(check(&loopback).0.is_none());
        let mut with_path = raw("");
        with_path.url = "https://manager.example.org/api/admin".into();
        assert!(check(&with_path).0.is_none());
    }
}
