//! Configuration: a TOML file, then `VMR_SCHEDULER__…` environment overrides, then validation
//! that reports every problem with its key, what is wrong and what is expected.

mod addin;
mod admin;
mod env;
mod exchange;
mod janitor;
mod pexip_push;
mod policy;
mod problems;
mod raw;
mod secret;
mod settings;
#[cfg(test)]
mod tests;
mod validate;

pub use addin::{
    is_locale_tag, AddinFeatures, AddinLocale, AddinSettings, AddinStrings, AddinToken,
    RawAddinStrings,
};
pub use admin::AdminSettings;
pub use env::PREFIX as ENV_PREFIX;
pub use exchange::{
    EwsServerVersion, ExchangeAuth, ExchangeSettings, Impersonation, OAuthEndpoints,
};
pub use janitor::JanitorSettings;
pub use pexip_push::PexipPushSettings;
pub use policy::{
    IntegrationPolicy, NodeNetwork, PolicyAction, PolicySettings, ServiceDefaults, ServiceTag,
};
pub use problems::{ConfigProblem, Problems};
pub use raw::RawConfig;
pub use secret::{Secret, SecretSource};
pub use settings::*;

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    Parse {
        path: PathBuf,
        message: String,
    },
    Invalid {
        path: PathBuf,
        problems: Vec<ConfigProblem>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, error } => write!(
                f,
                "cannot read configuration file {}: {error}",
                path.display()
            ),
            Self::Parse { path, message } => write!(
                f,
                "configuration file {} is not valid: {message}",
                path.display()
            ),
            Self::Invalid { path, problems } => {
                writeln!(
                    f,
                    "configuration file {} has {} problem(s):",
                    path.display(),
                    problems.len()
                )?;
                for problem in problems {
                    writeln!(f, "  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Keys whose values are secrets and must come from `{ file = … }` or `{ env = … }`.
const SECRET_KEYS: &[&str] = &["database.password", "policy.password"];

/// Checked before deserialising, because a deserialisation error would quote the line, secret
/// included.
fn refuse_inline_secrets(table: &toml::Table, path: &Path) -> Result<(), ConfigError> {
    let problems: Vec<ConfigProblem> = SECRET_KEYS
        .iter()
        .filter(|key| {
            let (sections, name) = key.rsplit_once('.').unwrap_or(("", key));
            let section = sections
                .split('.')
                .filter(|segment| !segment.is_empty())
                .try_fold(table, |current, segment| current.get(segment)?.as_table());
            section
                .and_then(|section| section.get(name))
                .is_some_and(|value| !value.is_table())
        })
        .map(|key| ConfigProblem {
            key: (*key).to_string(),
            problem: "is written into the configuration (the value is not shown)".into(),
            expected: "{ file = \"/path/to/secret\" } or { env = \"VARIABLE\" }".into(),
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            problems,
        })
    }
}

impl Settings {
    /// Reads `path`, applies overrides from the process environment and validates.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Self::from_toml(&text, path, std::env::vars(), &|name| {
            std::env::var(name).ok()
        })
    }

    /// Validates configuration text; `path` locates relative files and names the source in errors.
    pub fn from_toml(
        text: &str,
        path: &Path,
        env_vars: impl IntoIterator<Item = (String, String)>,
        lookup_env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let parse_error = |message: String| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| parse_error(e.to_string()))?;
        let from_env = env::apply_overrides(&mut table, env_vars).map_err(parse_error)?;
        refuse_inline_secrets(&table, path)?;
        // Without overrides, deserialise the text itself so errors keep their line numbers.
        let raw: RawConfig = if from_env.is_empty() {
            toml::from_str(text).map_err(|e: toml::de::Error| parse_error(e.to_string()))?
        } else {
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| parse_error(e.to_string()))?
        };
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let context = validate::Context {
            base_dir: &base_dir,
            from_env: &from_env,
            lookup_env,
        };
        let mut problems = Problems::default();
        match validate::validate(&raw, &context, &mut problems) {
            Some(settings) if problems.is_empty() => Ok(settings),
            _ => Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                problems: problems.into_vec(),
            }),
        }
    }
}
