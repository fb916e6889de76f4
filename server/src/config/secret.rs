//! Secrets are read from a file or an environment variable, never written in the TOML file,
//! and never printed: `Secret`'s `Debug` and `Display` show `[redacted]`.

use serde::Deserialize;
use std::fmt;

/// Where a secret comes from: `{ file = "/run/secrets/db" }` or `{ env = "DB_PASSWORD" }`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged, deny_unknown_fields)]
pub enum SecretSource {
    File { file: String },
    Env { env: String },
}

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret that did not come from configuration (an OAuth token, say).
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl SecretSource {
    /// Reads the secret; errors name the source but never contain the value. A single trailing
    /// newline (as `echo` writes) is dropped from files.
    /// A relative file path is taken relative to `base_dir`, the configuration file's folder.
    pub fn read(
        &self,
        base_dir: &std::path::Path,
        lookup_env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Secret, String> {
        let value = match self {
            Self::File { file } => std::fs::read_to_string(base_dir.join(file))
                .map_err(|error| format!("cannot read secret file `{file}`: {error}"))?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
            Self::Env { env } => {
                lookup_env(env).ok_or_else(|| format!("environment variable `{env}` is not set"))?
            }
        };
        if value.is_empty() {
            return Err("the secret is empty".into());
        }
        Ok(Secret(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_and_environment_without_showing_values() {
        let path = std::env::temp_dir().join(format!("vmr-secret-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, "hunter2\n").unwrap();
        let source: SecretSource = toml::from_str::<toml::Table>(&format!(
            "s = {{ file = {:?} }}",
            path.display().to_string()
        ))
        .unwrap()["s"]
            .clone()
            .try_into()
            .unwrap();
        let secret = source.read(std::path::Path::new(""), &|_| None).unwrap();
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        std::fs::remove_file(path).unwrap();

        let env = SecretSource::Env {
            env: "DB_PASSWORD".into(),
        };
        assert_eq!(
            env.read(std::path::Path::new(""), &|name| (name == "DB_PASSWORD")
                .then(|| "pw".into()))
                .unwrap()
                .expose(),
            "pw"
        );
        let missing = env.read(std::path::Path::new(""), &|_| None).unwrap_err();
        assert!(missing.contains("DB_PASSWORD") && !missing.contains("pw"));
    }

    #[test]
    fn inline_strings_are_not_a_source() {
        let parsed: Result<SecretSource, _> = toml::Value::String("hunter2".into()).try_into();
        assert!(parsed.is_err());
    }
}
