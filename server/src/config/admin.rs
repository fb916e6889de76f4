//! The `[admin]` section: how administrators authenticate to the admin routes.
//!
//! ```toml
//! [admin]
//! token = { file = "secrets/admin-token" }   # 32+ random characters; sent as a Bearer token
//! ```
//!
//! A bearer token sent by a script is never attached by a browser on its own, so the admin JSON
//! routes are not exposed to cross-site request forgery.

use super::secret::{Secret, SecretSource};
use super::Problems;
use serde::Deserialize;
use std::path::Path;

/// Shorter tokens could be guessed.
const MIN_TOKEN_CHARS: usize = 32;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAdmin {
    pub token: Option<SecretSource>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminSettings {
    /// `None`: the admin routes are switched off.
    pub token: Option<Secret>,
}

impl AdminSettings {
    /// Whether `presented` is the admin token, compared in constant time.
    pub fn accepts(&self, presented: &str) -> bool {
        let Some(token) = &self.token else {
            return false;
        };
        let expected = token.expose().as_bytes();
        let presented = presented.as_bytes();
        let mut difference = u8::from(expected.len() != presented.len());
        for (index, byte) in expected.iter().enumerate() {
            difference |= byte ^ presented.get(index).copied().unwrap_or(0);
        }
        difference == 0
    }
}

impl RawAdmin {
    pub fn validate(
        &self,
        base_dir: &Path,
        lookup_env: &dyn Fn(&str) -> Option<String>,
        problems: &mut Problems,
    ) -> Option<AdminSettings> {
        let Some(source) = &self.token else {
            return Some(AdminSettings::default());
        };
        let expected = format!(
            "at least {MIN_TOKEN_CHARS} random characters (e.g. `openssl rand -base64 32`)"
        );
        match source.read(base_dir, lookup_env) {
            Ok(token) if token.expose().chars().count() >= MIN_TOKEN_CHARS => {
                Some(AdminSettings { token: Some(token) })
            }
            Ok(_) => {
                problems.push(
                    "admin.token",
                    format!("is shorter than {MIN_TOKEN_CHARS} characters"),
                    expected,
                );
                None
            }
            Err(problem) => {
                problems.push("admin.token", problem, expected);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_token(token: &str) -> AdminSettings {
        let mut problems = Problems::default();
        let raw = RawAdmin {
            token: Some(SecretSource::Env { env: "T".into() }),
        };
        let token = token.to_string();
        let settings = raw.validate(Path::new("."), &move |_| Some(token.clone()), &mut problems);
        assert!(problems.is_empty(), "{:?}", problems.into_vec());
        settings.unwrap()
    }

    #[test]
    fn accepts_only_the_exact_token() {
        let token = "0123456789abcdef0123456789abcdef";
        let admin = with_token(token);
        assert!(admin.accepts(token));
        assert!(!admin.accepts(&token[..31]));
        assert!(!admin.accepts(&format!("{token}x")));
        assert!(!admin.accepts("1123456789abcdef0123456789abcdef"));
        assert!(!admin.accepts(""));
        assert!(
            !AdminSettings::default().accepts(""),
            "no token configured: nobody gets in"
        );
    }

    #[test]
    fn short_or_missing_tokens_are_refused_without_showing_them() {
        let raw = RawAdmin {
            token: Some(SecretSource::Env { env: "T".into() }),
        };
        let mut problems = Problems::default();
        assert!(raw
            .validate(
                Path::new("."),
                &|_| Some("tiny-admin-pw".into()),
                &mut problems
            )
            .is_none());
        let found = problems.into_vec();
        assert_eq!(found[0].key, "admin.token");
        assert!(!format!("{found:?}").contains("tiny-admin-pw"));
        let mut problems = Problems::default();
        assert!(raw
            .validate(Path::new("."), &|_| None, &mut problems)
            .is_none());
        assert!(problems.into_vec()[0].problem.contains("`T` is not set"));
    }
}
