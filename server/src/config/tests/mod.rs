//! Loading and validating the configuration: defaults, every problem named by its key, environment
//! overrides and secrets that never show up in `Debug` output or error messages.

mod addin;
mod aliases_and_joining;
mod database;
mod defaults;
mod environment;
mod exchange;
mod integrations;
mod policy;
mod reporting;
mod secrets;
mod server_and_logging;
mod syntax;

use super::*;
use std::path::{Path, PathBuf};

/// The smallest configuration the service accepts; tests vary it one mistake at a time.
const MINIMAL: &str = r#"[server]
public_url = "https://vmr.example.com"

[integrations.main]
equipment_resource = { name = "Video Meeting Room", email = "vmr@example.com" }

[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"

[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
"#;

/// A second integration with its own resource mailbox, valid on its own.
const SECOND: &str = r#"
[integrations.second]
equipment_resource = { name = "Second Room", email = "second@example.com" }

[integrations.second.aliases]
prefix = "room"
domain = "vc.example.com"

[integrations.second.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
"#;

const CONFIG_PATH: &str = "/etc/vmr-scheduler/vmr-scheduler.toml";
const DB_PASSWORD_VAR: &str = "VMR_TEST_DB_PASSWORD";

fn no_env(_: &str) -> Option<String> {
    None
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn load(text: &str) -> Result<Settings, ConfigError> {
    Settings::from_toml(text, Path::new(CONFIG_PATH), Vec::new(), &no_env)
}

fn load_with_env(text: &str, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::from_toml(text, Path::new(CONFIG_PATH), vars(env), &no_env)
}

/// Loads `text` with `lookup` answering the `{ env = … }` secret sources.
fn load_with_lookup(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    Settings::from_toml(text, Path::new(CONFIG_PATH), Vec::new(), lookup)
}

fn valid(text: &str) -> Settings {
    load(text).unwrap_or_else(|error| panic!("expected a valid configuration:\n{text}\n{error}"))
}

fn valid_with_env(text: &str, env: &[(&str, &str)]) -> Settings {
    load_with_env(text, env).unwrap_or_else(|e| panic!("{e}"))
}

fn problems_in(result: Result<Settings, ConfigError>, text: &str) -> Vec<ConfigProblem> {
    match result {
        Err(ConfigError::Invalid { problems, .. }) => {
            assert!(!problems.is_empty(), "invalid, but no problem to fix");
            problems
        }
        Err(other) => panic!("expected validation problems, got `{other}` for:\n{text}"),
        Ok(settings) => panic!("expected validation problems, got {settings:?} for:\n{text}"),
    }
}

fn problems(text: &str) -> Vec<ConfigProblem> {
    problems_in(load(text), text)
}

fn parse_error(result: Result<Settings, ConfigError>) -> String {
    match result {
        Err(ConfigError::Parse { message, .. }) => message,
        Err(other) => panic!("expected a parse error, got `{other}`"),
        Ok(settings) => panic!("expected a parse error, got {settings:?}"),
    }
}

fn listing(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}\n"))
        .collect::<String>()
}

/// Asserts that a problem with exactly `key` exists, that it says what is wrong (containing
/// `problem`) and what is expected (containing `expected`).
fn assert_problem(problems: &[ConfigProblem], key: &str, problem: &str, expected: &str) {
    let found = problems
        .iter()
        .find(|p| p.key == key)
        .unwrap_or_else(|| panic!("no problem for key `{key}`; got:\n{}", listing(problems)));
    assert!(
        !found.problem.trim().is_empty() && found.problem.contains(problem),
        "problem of `{key}` should contain `{problem}`: {found}"
    );
    assert!(
        !found.expected.trim().is_empty() && found.expected.contains(expected),
        "expectation of `{key}` should contain `{expected}`: {found}"
    );
}

/// Asserts that loading `text` gave `result` with exactly one problem, the one described.
fn assert_only_problem_in(
    result: Result<Settings, ConfigError>,
    text: &str,
    key: &str,
    problem: &str,
    expected: &str,
) {
    let found = problems_in(result, text);
    assert_eq!(
        found.len(),
        1,
        "expected only a problem at `{key}`, got:\n{}for:\n{text}",
        listing(&found)
    );
    assert_problem(&found, key, problem, expected);
}

/// Asserts that `text` has exactly one problem, the one described.
fn assert_only_problem(text: &str, key: &str, problem: &str, expected: &str) {
    assert_only_problem_in(load(text), text, key, problem, expected);
}

/// Like [`assert_only_problem_in`], and neither the error's message nor its `Debug` output
/// contains `secret`.
fn assert_only_problem_hiding(
    result: Result<Settings, ConfigError>,
    text: &str,
    secret: &str,
    key: &str,
    problem: &str,
    expected: &str,
) {
    let error = match result {
        Err(error) => error,
        Ok(settings) => panic!("expected validation problems, got {settings:?} for:\n{text}"),
    };
    let rendered = format!("{error} {error:?}");
    assert!(!rendered.contains(secret), "{rendered}");
    assert_only_problem_in(Err(error), text, key, problem, expected);
}

/// Replaces the first `from` in `text`, which must contain it (so a test cannot silently test
/// the unchanged configuration).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is not in:\n{text}");
    text.replacen(from, to, 1)
}

fn with_server_line(line: &str) -> String {
    edit(MINIMAL, "[server]\n", &format!("[server]\n{line}\n"))
}

fn with_public_url(url: &str) -> String {
    edit(
        MINIMAL,
        "public_url = \"https://vmr.example.com\"",
        &format!("public_url = \"{url}\""),
    )
}

fn with_alias_line(line: &str) -> String {
    edit(
        MINIMAL,
        "domain = \"vc.example.com\"\n",
        &format!("domain = \"vc.example.com\"\n{line}\n"),
    )
}

fn with_section(section: &str) -> String {
    format!("{MINIMAL}\n{section}\n")
}

/// A `[database]` section with `url` and the password taken from [`DB_PASSWORD_VAR`].
fn with_database_password_env(url: &str) -> String {
    with_section(&format!(
        "[database]\nurl = \"{url}\"\npassword = {{ env = \"{DB_PASSWORD_VAR}\" }}"
    ))
}

fn main_key(field: &str) -> String {
    format!("integrations.main.{field}")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("vmr-config-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Loads `text` as if it were `config.toml` in this directory.
    fn load(&self, text: &str) -> Result<Settings, ConfigError> {
        Settings::from_toml(text, &self.0.join("config.toml"), Vec::new(), &no_env)
    }

    fn valid(&self, text: &str) -> Settings {
        self.load(text).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
