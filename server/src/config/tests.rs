//! Loading and validating the configuration: defaults, every problem named by its key, environment
//! overrides and secrets that never show up in `Debug` output or error messages.

use super::*;
use crate::templates::TemplateName;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The smallest configuration the service accepts; tests vary it one mistake at a time.
const MINIMAL: &str = r#"[server]
public_url = "https://vmr.example.com"

[integrations.main]
equipment_resource = { name = "Video Meeting Room", email = "vmr@example.com" }

[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"

[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/client-id"]
"#;

/// A second integration with its own resource mailbox, valid on its own.
const SECOND: &str = r#"
[integrations.second]
equipment_resource = { name = "Second Room", email = "second@example.com" }

[integrations.second.aliases]
prefix = "room"
domain = "vc.example.com"

[integrations.second.auth.entra]
audiences = ["api://vmr.example.com/client-id"]
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

fn valid(text: &str) -> Settings {
    load(text).unwrap_or_else(|error| panic!("expected a valid configuration:\n{text}\n{error}"))
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

/// Asserts that `text` has exactly one problem, the one described.
fn assert_only_problem(text: &str, key: &str, problem: &str, expected: &str) {
    let found = problems(text);
    assert_eq!(
        found.len(),
        1,
        "expected only a problem at `{key}`, got:\n{}for:\n{text}",
        listing(&found)
    );
    assert_problem(&found, key, problem, expected);
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
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// --- The minimal configuration and its defaults ---

#[test]
fn the_minimal_configuration_loads_with_the_documented_defaults() {
    let settings = valid(MINIMAL);

    assert_eq!(settings.server.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(
        settings.server.public_url.as_str(),
        "https://vmr.example.com/"
    );
    assert!(settings.server.tls.is_none());
    assert!(settings.server.cors_allowed_origins.is_empty());

    assert_eq!(settings.database.url, "sqlite://data/vmr-scheduler.db");
    assert_eq!(settings.database.max_connections, 8);
    assert_eq!(settings.database.acquire_timeout, Duration::from_secs(10));

    assert_eq!(settings.logging.level, "info");
    assert_eq!(settings.logging.format, LogFormat::Text);

    assert_eq!(settings.integrations.len(), 1);
    let main = settings.integration("main").expect("integration `main`");
    assert_eq!(main.id.as_str(), "main");
    assert_eq!(main.display_name, "main");
    assert_eq!(main.equipment_resource.name, "Video Meeting Room");
    assert_eq!(main.equipment_resource.email.as_str(), "vmr@example.com");
    assert_eq!(main.aliases.prefix.as_str(), "meet");
    assert_eq!(main.aliases.domain.as_str(), "vc.example.com");
    assert_eq!(main.aliases.suffix_length.digits(), 6);
    assert_eq!(main.aliases.numeric_prefix.as_str(), "");
    assert_eq!(main.reservation_lifetime, Duration::from_secs(72 * 3600));
    assert_eq!(
        main.buffers,
        Buffers {
            before: Duration::from_secs(30 * 60),
            after: Duration::from_secs(60 * 60),
        }
    );
    assert_eq!(
        main.rate_limit,
        RateLimitSettings {
            per_minute: 30,
            burst: 10
        }
    );
    assert_eq!(
        main.joining.web_join_url,
        "https://vc.example.com/webapp/#/?conference={alias}"
    );
    assert_eq!(
        main.joining.web_join_url_for("meet123456@vc.example.com"),
        "https://vc.example.com/webapp/#/?conference=meet123456@vc.example.com"
    );
    assert_eq!(main.joining.dial_in_number, None);
    assert!(main.auth.accepts_entra() && !main.auth.accepts_exchange());
    assert!(settings.integration("other").is_none());
}

#[test]
fn explicit_values_replace_the_defaults() {
    let text = format!(
        r#"[server]
listen = "[::]:8443"
public_url = "https://vmr.example.com/scheduler/"
cors_allowed_origins = ["https://outlook.office.com", "http://localhost:3000"]

[database]
url = "sqlite::memory:"
max_connections = 2
acquire_timeout_seconds = 3

[logging]
level = "vmr_scheduler=debug,info"
format = "json"

[integrations.head-office]
display_name = "Head office"
equipment_resource = {{ name = "  Rooms  ", email = "rooms@example.com" }}

[integrations.head-office.aliases]
prefix = "VC"
domain = "VC.Example.com"
suffix_length = 15
numeric_prefix = "00881"
reservation_lifetime_hours = 2160

[integrations.head-office.buffers]
before_minutes = 0
after_minutes = 180

[integrations.head-office.joining]
web_join_url = "https://join.example.com/{{alias}}"
dial_in_number = " +1 (555) 010-0.1 "

[integrations.head-office.rate_limit]
per_minute = 1
burst = 1

[integrations.head-office.auth.exchange]
trusted_metadata_origins = ["https://mail.example.com"]
{SECOND}"#
    );
    let settings = valid(&text);
    assert_eq!(settings.server.listen, "[::]:8443".parse().unwrap());
    assert_eq!(settings.server.public_url.path(), "/scheduler");
    assert_eq!(
        settings.server.cors_allowed_origins,
        ["https://outlook.office.com", "http://localhost:3000"]
    );
    assert_eq!(settings.database.url, "sqlite::memory:");
    assert_eq!(settings.database.max_connections, 2);
    assert_eq!(settings.database.acquire_timeout, Duration::from_secs(3));
    assert_eq!(settings.logging.format, LogFormat::Json);
    assert_eq!(settings.logging.level, "vmr_scheduler=debug,info");

    let ids: Vec<&str> = settings
        .integrations
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["head-office", "second"]);
    let office = settings.integration("head-office").unwrap();
    assert_eq!(office.display_name, "Head office");
    assert_eq!(office.equipment_resource.name, "Rooms");
    assert_eq!(office.aliases.prefix.as_str(), "vc");
    assert_eq!(office.aliases.domain.as_str(), "vc.example.com");
    assert_eq!(office.aliases.suffix_length.digits(), 15);
    assert_eq!(office.aliases.numeric_prefix.as_str(), "00881");
    assert_eq!(
        office.reservation_lifetime,
        Duration::from_secs(2160 * 3600)
    );
    assert_eq!(office.buffers.before, Duration::ZERO);
    assert_eq!(office.buffers.after, Duration::from_secs(180 * 60));
    assert_eq!(
        office.joining.web_join_url_for("a@b.c"),
        "https://join.example.com/a@b.c"
    );
    assert_eq!(
        office.joining.dial_in_number.as_deref(),
        Some("+1 (555) 010-0.1")
    );
    assert_eq!(
        office.rate_limit,
        RateLimitSettings {
            per_minute: 1,
            burst: 1
        }
    );
    assert!(office.auth.accepts_exchange() && !office.auth.accepts_entra());
}

#[test]
fn postgres_defaults_to_more_connections_than_sqlite() {
    let settings = valid(&with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com:5432/vmr\"",
    ));
    assert_eq!(
        settings.database.url,
        "postgres://vmr@db.example.com:5432/vmr"
    );
    assert_eq!(settings.database.max_connections, 16);
}

#[test]
fn public_url_may_be_http_on_loopback_only() {
    for url in [
        "http://localhost:8080",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "https://vmr.example.com/",
        "https://vmr.example.com:8443/base",
    ] {
        let text = edit(
            MINIMAL,
            "public_url = \"https://vmr.example.com\"",
            &format!("public_url = \"{url}\""),
        );
        valid(&text);
    }
}

// --- Each mistake is one problem naming its key and what is expected ---

#[test]
fn suffix_length_must_be_5_to_15() {
    for length in [4, 16, 0, -1] {
        assert_only_problem(
            &with_alias_line(&format!("suffix_length = {length}")),
            &main_key("aliases.suffix_length"),
            &format!("is {length}"),
            "5 to 15",
        );
    }
    for length in [5, 15] {
        let settings = valid(&with_alias_line(&format!("suffix_length = {length}")));
        assert_eq!(
            settings.integrations[0].aliases.suffix_length.digits(),
            length
        );
    }
}

#[test]
fn the_prefix_must_be_short_and_start_with_a_letter() {
    let key = main_key("aliases.prefix");
    let too_long = edit(MINIMAL, "prefix = \"meet\"", "prefix = \"meetingrm\"");
    assert_only_problem(&too_long, &key, "9 characters", "1–8 characters");
    let digit_first = edit(MINIMAL, "prefix = \"meet\"", "prefix = \"1meet\"");
    assert_only_problem(
        &digit_first,
        &key,
        "does not start with a letter",
        "starting with a letter",
    );
    let empty = edit(MINIMAL, "prefix = \"meet\"", "prefix = \"\"");
    assert_only_problem(&empty, &key, "0 characters", "1–8 characters");
    let spaces = edit(MINIMAL, "prefix = \"meet\"", "prefix = \"me et\"");
    assert_only_problem(&spaces, &key, "characters other than", "a-z 0-9");
}

#[test]
fn the_alias_domain_must_be_a_dns_name() {
    for domain in [
        "vc_example.com",
        "localhost",
        "vc..example.com",
        "-vc.example.com",
    ] {
        let text = edit(
            MINIMAL,
            "domain = \"vc.example.com\"",
            &format!("domain = \"{domain}\""),
        );
        // The default web join URL is derived from the domain, so it is not reported again.
        assert_only_problem(
            &text,
            &main_key("aliases.domain"),
            "is not a DNS domain",
            "SIP domain",
        );
    }
}

#[test]
fn the_numeric_prefix_must_be_digits() {
    for prefix in ["8a", "123456789", "+44"] {
        assert_only_problem(
            &with_alias_line(&format!("numeric_prefix = \"{prefix}\"")),
            &main_key("aliases.numeric_prefix"),
            "is not 0–8 digits",
            "0–8 digits",
        );
    }
}

#[test]
fn the_reservation_lifetime_is_bounded() {
    for hours in [0, 2161] {
        assert_only_problem(
            &with_alias_line(&format!("reservation_lifetime_hours = {hours}")),
            &main_key("aliases.reservation_lifetime_hours"),
            &format!("is {hours}"),
            "1 to 2160",
        );
    }
}

#[test]
fn buffers_must_be_0_to_180_minutes() {
    assert_only_problem(
        &with_section("[integrations.main.buffers]\nbefore_minutes = -1"),
        &main_key("buffers.before_minutes"),
        "is -1",
        "0 to 180 minutes",
    );
    assert_only_problem(
        &with_section("[integrations.main.buffers]\nafter_minutes = 181"),
        &main_key("buffers.after_minutes"),
        "is 181",
        "0 to 180 minutes",
    );
}

#[test]
fn the_equipment_resource_needs_a_name_and_an_address() {
    let bad_email = edit(
        MINIMAL,
        "email = \"vmr@example.com\"",
        "email = \"vmr.example.com\"",
    );
    assert_only_problem(
        &bad_email,
        &main_key("equipment_resource.email"),
        "`vmr.example.com`",
        "SMTP address",
    );
    let spaces = edit(
        MINIMAL,
        "email = \"vmr@example.com\"",
        "email = \"v mr@example.com\"",
    );
    assert_only_problem(
        &spaces,
        &main_key("equipment_resource.email"),
        "spaces",
        "SMTP address",
    );
    let no_name = edit(MINIMAL, "name = \"Video Meeting Room\"", "name = \"   \"");
    assert_only_problem(
        &no_name,
        &main_key("equipment_resource.name"),
        "is empty",
        "display name",
    );
}

#[test]
fn two_integrations_cannot_share_a_resource_mailbox_in_any_case() {
    let text = format!(
        "{MINIMAL}{}",
        edit(SECOND, "second@example.com", "VMR@Example.COM")
    );
    assert_only_problem(
        &text,
        "integrations.second.equipment_resource.email",
        "integration `main`",
        "only one integration",
    );
    // Different mailboxes are fine.
    assert_eq!(valid(&format!("{MINIMAL}{SECOND}")).integrations.len(), 2);
}

#[test]
fn at_least_one_integration_is_required() {
    assert_only_problem(
        "[server]\npublic_url = \"https://vmr.example.com\"\n",
        "integrations",
        "no integration",
        "[integrations.<name>]",
    );
}

#[test]
fn integration_ids_are_lowercase() {
    let text = MINIMAL.replace("[integrations.main", "[integrations.Main");
    assert_only_problem(&text, "integrations.Main", "`Main`", "lowercase letters");
}

#[test]
fn public_url_is_required_https_and_plain() {
    let key = "server.public_url";
    let missing = edit(MINIMAL, "public_url = \"https://vmr.example.com\"\n", "");
    assert_only_problem(&missing, key, "is missing", "https URL");
    for (url, problem) in [
        ("http://vmr.example.com", "is not https"),
        ("ftp://vmr.example.com", "is not https"),
        ("https://vmr.example.com/?tenant=1", "has a query"),
        ("https://vmr.example.com/#top", "fragment"),
        ("https://admin@vmr.example.com", "user name"),
        ("vmr.example.com", "is not a URL"),
    ] {
        let text = edit(
            MINIMAL,
            "public_url = \"https://vmr.example.com\"",
            &format!("public_url = \"{url}\""),
        );
        assert_only_problem(&text, key, problem, "an https URL");
    }
}

#[test]
fn listen_must_be_an_address_and_port() {
    for listen in ["localhost", "127.0.0.1", "vmr.example.com:80", ":8080"] {
        assert_only_problem(
            &with_server_line(&format!("listen = \"{listen}\"")),
            "server.listen",
            "is not an address and port",
            "127.0.0.1:8080",
        );
    }
}

#[test]
fn logging_format_is_text_or_json() {
    assert_only_problem(
        &with_section("[logging]\nformat = \"xml\""),
        "logging.format",
        "`xml`",
        "`text` or `json`",
    );
}

#[test]
fn logging_level_must_be_a_filter() {
    assert_only_problem(
        &with_section("[logging]\nlevel = \"vmr_scheduler=loud\""),
        "logging.level",
        "is not a log filter",
        "a level",
    );
}

#[test]
fn the_database_is_sqlite_or_postgres() {
    for url in ["mysql://vmr@db.example.com/vmr", "data/vmr.db", ""] {
        assert_only_problem(
            &with_section(&format!("[database]\nurl = \"{url}\"")),
            "database.url",
            "neither an SQLite nor a PostgreSQL URL",
            "postgres://",
        );
    }
    valid(&with_section(
        "[database]\nurl = \"postgresql://vmr@db.example.com/vmr\"",
    ));
}

#[test]
fn database_limits_are_bounded() {
    assert_only_problem(
        &with_section("[database]\nmax_connections = 0"),
        "database.max_connections",
        "is 0",
        "1 to 200",
    );
    assert_only_problem(
        &with_section("[database]\nmax_connections = 201"),
        "database.max_connections",
        "is 201",
        "1 to 200",
    );
    assert_only_problem(
        &with_section("[database]\nacquire_timeout_seconds = 0"),
        "database.acquire_timeout_seconds",
        "is 0",
        "1 to 300",
    );
}

#[test]
fn a_password_inside_the_database_url_is_refused_in_the_file() {
    let text =
        with_section("[database]\nurl = \"postgres://vmr:inline-pw-7731@db.example.com/vmr\"");
    let error = load(&text).unwrap_err();
    let rendered = format!("{error} {error:?}");
    assert!(!rendered.contains("inline-pw-7731"), "{rendered}");
    let found = problems_in(Err(error), &text);
    assert_eq!(found.len(), 1, "{}", listing(&found));
    assert_problem(
        &found,
        "database.url",
        "contains a password in the file",
        "VMR_SCHEDULER__DATABASE__URL",
    );

    // Overriding some other key from the environment does not make the file's password fine.
    let found = problems_in(
        load_with_env(&text, &[("VMR_SCHEDULER__LOGGING__LEVEL", "debug")]),
        &text,
    );
    assert_problem(
        &found,
        "database.url",
        "contains a password",
        "database.password",
    );
}

#[test]
fn a_password_inside_the_database_url_is_accepted_from_the_environment() {
    let url = "postgres://vmr:env-url-pw-5521@db.example.com/vmr";
    let settings = load_with_env(MINIMAL, &[("VMR_SCHEDULER__DATABASE__URL", url)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(settings.database.url, url);
    assert_eq!(settings.database.max_connections, 16);
    assert!(!format!("{settings:?}").contains("env-url-pw-5521"));
    assert!(!format!("{:?}", settings.database).contains("env-url-pw-5521"));

    // It also replaces a URL written in the file.
    let text = with_section("[database]\nurl = \"sqlite://data/x.db\"");
    let settings = load_with_env(&text, &[("VMR_SCHEDULER__DATABASE__URL", url)]).unwrap();
    assert_eq!(settings.database.url, url);
}

#[test]
fn an_unparsable_postgres_url_is_refused() {
    for url in [
        "postgres://vmr:bad-url-pw-4410@db.example.com:99999/vmr",
        "postgres://vmr:bad-url-pw-4410@db example.com/vmr",
    ] {
        let text = with_section(&format!("[database]\nurl = \"{url}\""));
        match load(&text) {
            Ok(settings) => panic!("accepted `{url}`; Debug shows: {:?}", settings.database),
            Err(error) => {
                let found = problems_in(Err(error), &text);
                assert_problem(&found, "database.url", "", "postgres://");
            }
        }
    }
}

#[test]
fn an_unparsable_postgres_url_with_a_password_source_is_a_problem() {
    let text = with_section(&format!(
        "[database]\nurl = \"postgres://vmr@db.example.com:99999/vmr\"\npassword = {{ env = \"{DB_PASSWORD_VAR}\" }}"
    ));
    let lookup = |_: &str| Some("pw".to_string());
    let found = problems_in(
        Settings::from_toml(&text, Path::new(CONFIG_PATH), Vec::new(), &lookup),
        &text,
    );
    assert_problem(&found, "database.url", "", "postgres://");
}

#[test]
fn the_database_password_is_read_from_the_named_environment_variable() {
    let text = with_section(&format!(
        "[database]\nurl = \"postgres://vmr@db.example.com:5432/vmr\"\npassword = {{ env = \"{DB_PASSWORD_VAR}\" }}"
    ));
    let lookup = |name: &str| (name == DB_PASSWORD_VAR).then(|| "lookup-pw-9038".to_string());
    let settings = Settings::from_toml(&text, Path::new(CONFIG_PATH), Vec::new(), &lookup)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        settings.database.url,
        "postgres://vmr:lookup-pw-9038@db.example.com:5432/vmr"
    );
    assert!(!format!("{settings:?}").contains("lookup-pw-9038"));

    // Unset: the problem names the variable; a secret held by another variable is not shown.
    let other = |name: &str| (name == "SOME_OTHER_VAR").then(|| "other-pw-1177".to_string());
    let error = Settings::from_toml(&text, Path::new(CONFIG_PATH), Vec::new(), &other).unwrap_err();
    let rendered = format!("{error} {error:?}");
    assert!(!rendered.contains("other-pw-1177"), "{rendered}");
    let found = problems_in(Err(error), &text);
    assert_eq!(found.len(), 1, "{}", listing(&found));
    assert_problem(
        &found,
        "database.password",
        DB_PASSWORD_VAR,
        "a readable, non-empty secret",
    );

    // Set but empty.
    let empty = |_: &str| Some(String::new());
    let found = problems_in(
        Settings::from_toml(&text, Path::new(CONFIG_PATH), Vec::new(), &empty),
        &text,
    );
    assert_problem(&found, "database.password", "empty", "non-empty secret");
}

#[test]
fn an_inline_database_password_is_refused() {
    let text = with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = \"inline-string-pw\"",
    );
    assert_only_problem(
        &text,
        "database.password",
        "written into the configuration",
        "env",
    );
}

#[test]
fn an_inline_database_password_is_not_echoed() {
    let text = with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = \"inline-string-pw\"",
    );
    let message = load(&text).expect_err("refused").to_string();
    assert!(!message.contains("inline-string-pw"), "{message}");
}

#[test]
fn a_password_is_refused_for_sqlite() {
    let text = with_section(&format!(
        "[database]\nurl = \"sqlite://data/x.db\"\npassword = {{ env = \"{DB_PASSWORD_VAR}\" }}"
    ));
    assert_only_problem(
        &text,
        "database.password",
        "is set for SQLite",
        "no password",
    );
}

#[test]
fn tls_files_must_exist_relative_to_the_configuration_file() {
    let text = with_server_line(
        "tls = { cert_file = \"missing-cert.pem\", key_file = \"/nonexistent/key.pem\" }",
    );
    let found = problems(&text);
    assert_eq!(found.len(), 2, "{}", listing(&found));
    assert_problem(
        &found,
        "server.tls.cert_file",
        "/etc/vmr-scheduler/missing-cert.pem",
        "PEM file",
    );
    assert_problem(
        &found,
        "server.tls.key_file",
        "/nonexistent/key.pem",
        "PEM file",
    );

    let dir = TempDir::new();
    dir.write("cert.pem", "not checked here");
    let key = dir.write("key.pem", "not checked here");
    let text = with_server_line(&format!(
        "tls = {{ cert_file = \"cert.pem\", key_file = {:?} }}",
        key.display().to_string()
    ));
    let settings = Settings::from_toml(&text, &dir.0.join("config.toml"), Vec::new(), &no_env)
        .unwrap_or_else(|e| panic!("{e}"));
    let tls = settings.server.tls.expect("tls");
    assert_eq!(tls.cert_file, dir.0.join("cert.pem"));
    assert_eq!(tls.key_file, key);
}

#[test]
fn cors_origins_have_no_path() {
    for origin in [
        "https://outlook.office.com/mail",
        "https://outlook.office.com/",
        "outlook.office.com",
        "ftp://outlook.office.com",
    ] {
        assert_only_problem(
            &with_server_line(&format!("cors_allowed_origins = [\"{origin}\"]")),
            "server.cors_allowed_origins",
            &format!("`{origin}` is not an origin"),
            "no path",
        );
    }
}

#[test]
fn the_web_join_url_is_https_with_an_alias_placeholder() {
    for url in [
        "https://vc.example.com/webapp/",
        "http://vc.example.com/webapp/#/?conference={alias}",
        "{alias}",
    ] {
        assert_only_problem(
            &with_section(&format!(
                "[integrations.main.joining]\nweb_join_url = \"{url}\""
            )),
            &main_key("joining.web_join_url"),
            "is not an https URL containing {alias}",
            "{alias}",
        );
    }
}

#[test]
fn the_dial_in_number_is_a_phone_number() {
    for number in ["+1 555 CALL", "", "   ", "555-0100 ext. 7"] {
        assert_only_problem(
            &with_section(&format!(
                "[integrations.main.joining]\ndial_in_number = \"{number}\""
            )),
            &main_key("joining.dial_in_number"),
            "is not a phone number",
            "digits",
        );
    }
}

#[test]
fn a_zero_rate_limit_names_the_exact_key() {
    assert_only_problem(
        &with_section("[integrations.main.rate_limit]\nburst = 0"),
        &main_key("rate_limit.burst"),
        "0",
        "at least 1",
    );
    assert_only_problem(
        &with_section("[integrations.main.rate_limit]\nper_minute = 0"),
        &main_key("rate_limit.per_minute"),
        "0",
        "at least 1",
    );
}

#[test]
fn auth_problems_carry_the_integration_key() {
    let text = edit(
        MINIMAL,
        "audiences = [\"api://vmr.example.com/client-id\"]",
        "audiences = []",
    );
    assert_only_problem(
        &text,
        &main_key("auth.entra.audiences"),
        "missing or empty",
        "client id",
    );
    let no_auth = edit(
        MINIMAL,
        "[integrations.main.auth.entra]\naudiences = [\"api://vmr.example.com/client-id\"]\n",
        "",
    );
    assert_only_problem(&no_auth, &main_key("auth"), "no token kind", "entra");
}

#[test]
fn a_relative_jwks_file_is_found_next_to_the_configuration_file() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.0.join("keys")).unwrap();
    dir.write("keys/jwks.json", TEST_JWKS);
    let text = edit(
        MINIMAL,
        "audiences = [\"api://vmr.example.com/client-id\"]",
        "audiences = [\"api://vmr.example.com/client-id\"]\njwks_file = \"keys/jwks.json\"",
    );
    let config = dir.0.join("config.toml");
    Settings::from_toml(&text, &config, Vec::new(), &no_env).unwrap_or_else(|e| panic!("{e}"));

    let missing = text.replace("keys/jwks.json", "keys/none.json");
    let found = problems_in(
        Settings::from_toml(&missing, &config, Vec::new(), &no_env),
        &missing,
    );
    assert_eq!(found.len(), 1, "{}", listing(&found));
    assert_problem(
        &found,
        &main_key("auth.entra.jwks_file"),
        "none.json",
        "JWKS file",
    );
}

#[test]
fn template_overrides_are_loaded_and_checked() {
    let dir = TempDir::new();
    dir.write("location.hbs", "Room {{numeric_alias}}");
    let text = with_section(
        "[integrations.main.templates]\nlocation = { file = \"location.hbs\" }\npane_title = \"Rooms\"",
    );
    let settings = Settings::from_toml(&text, &dir.0.join("config.toml"), Vec::new(), &no_env)
        .unwrap_or_else(|e| panic!("{e}"));
    let templates = &settings.integrations[0].templates;
    assert_eq!(
        templates.source(TemplateName::Location),
        "Room {{numeric_alias}}"
    );
    assert_eq!(templates.source(TemplateName::PaneTitle), "Rooms");

    let found = problems(&with_section(
        "[integrations.main.templates]\nlocaton = \"Room\"\npane_title = { file = \"missing.hbs\" }",
    ));
    assert_eq!(found.len(), 2, "{}", listing(&found));
    assert_problem(
        &found,
        &main_key("templates.locaton"),
        "is not a template name",
        "location",
    );
    assert_problem(
        &found,
        &main_key("templates.pane_title"),
        "missing.hbs",
        "/etc/vmr-scheduler",
    );
}

// --- Every problem at once ---

#[test]
fn every_mistake_is_reported_in_one_pass() {
    let text = format!(
        r#"[server]
public_url = "https://vmr.example.com"
cors_allowed_origins = ["https://outlook.office.com/mail"]

[database]
url = "mysql://db.example.com/vmr"

[logging]
format = "xml"

[integrations.main]
equipment_resource = {{ name = "", email = "not-an-address" }}

[integrations.main.aliases]
prefix = "1meet"
domain = "vc.example.com"
suffix_length = 4
numeric_prefix = "8a"

[integrations.main.buffers]
before_minutes = -1
after_minutes = 181

[integrations.main.joining]
dial_in_number = "call us"

[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/client-id"]
{SECOND}"#
    );
    let found = problems(&text);
    let mut keys: Vec<&str> = found.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "database.url",
            "integrations.main.aliases.numeric_prefix",
            "integrations.main.aliases.prefix",
            "integrations.main.aliases.suffix_length",
            "integrations.main.buffers.after_minutes",
            "integrations.main.buffers.before_minutes",
            "integrations.main.equipment_resource.email",
            "integrations.main.equipment_resource.name",
            "integrations.main.joining.dial_in_number",
            "logging.format",
            "server.cors_allowed_origins",
        ],
        "{}",
        listing(&found)
    );
    let message = load(&text).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!(
            "configuration file {CONFIG_PATH} has 11 problem(s):\n"
        )),
        "{message}"
    );
    assert_eq!(message.lines().count(), 12, "{message}");
    for problem in &found {
        assert!(message.contains(&format!("  - {problem}\n")), "{message}");
        assert!(problem.to_string().contains("; expected "), "{problem}");
    }
}

#[test]
fn a_server_mistake_does_not_hide_integration_mistakes() {
    let base = with_alias_line("suffix_length = 4");
    for (text, server_key) in [
        (
            edit(&base, "[server]\n", "[server]\nlisten = \"nowhere\"\n"),
            "server.listen",
        ),
        (
            edit(
                &base,
                "https://vmr.example.com\"",
                "http://vmr.example.com\"",
            ),
            "server.public_url",
        ),
        (
            edit(&base, "public_url = \"https://vmr.example.com\"\n", ""),
            "server.public_url",
        ),
    ] {
        let found = problems(&text);
        assert_eq!(found.len(), 2, "{}", listing(&found));
        assert_eq!(found[0].key, server_key, "{}", listing(&found));
        assert_problem(
            &found,
            &main_key("aliases.suffix_length"),
            "is 4",
            "5 to 15",
        );
    }
}

#[test]
fn a_shared_mailbox_is_reported_with_other_mistakes() {
    let second = edit(SECOND, "second@example.com", "vmr@example.com");
    let second = edit(
        &second,
        "prefix = \"room\"",
        "prefix = \"room\"\nsuffix_length = 4",
    );
    let found = problems(&format!("{MINIMAL}{second}"));
    assert_problem(
        &found,
        "integrations.second.aliases.suffix_length",
        "is 4",
        "5 to 15",
    );
    assert_problem(
        &found,
        "integrations.second.equipment_resource.email",
        "integration `main`",
        "only one integration",
    );
}

// --- Syntax errors and unknown keys ---

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .expect("needle in text")
        + 1
}

#[test]
fn a_syntax_error_names_its_line() {
    let text = edit(MINIMAL, "prefix = \"meet\"", "prefix = \"meet");
    let message = parse_error(load(&text));
    let line = line_of(&text, "prefix = \"meet");
    assert!(message.contains(&format!("line {line}")), "{message}");
    let error = load(&text).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("configuration file {CONFIG_PATH} is not valid:")),
        "{error}"
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = edit(MINIMAL, "prefix = \"meet\"", "prefx = \"meet\"");
    let message = parse_error(load(&text));
    assert!(message.contains("prefx"), "{message}");
    assert!(
        message.contains(&format!("line {}", line_of(&text, "prefx"))),
        "{message}"
    );

    for (from, to, unknown) in [
        ("[server]\n", "[server]\nlistn = \"0.0.0.0:80\"\n", "listn"),
        ("[server]\n", "[servr]\nx = 1\n[server]\n", "servr"),
        ("audiences = [", "audience = [", "audience"),
    ] {
        let message = parse_error(load(&edit(MINIMAL, from, to)));
        assert!(message.contains(unknown), "{message}");
    }
}

#[test]
fn an_unknown_key_is_named_even_with_environment_overrides() {
    let text = edit(MINIMAL, "prefix = \"meet\"", "prefx = \"meet\"");
    let message = parse_error(load_with_env(
        &text,
        &[("VMR_SCHEDULER__LOGGING__LEVEL", "debug")],
    ));
    assert!(message.contains("prefx"), "{message}");
}

#[test]
fn wrong_types_are_parse_errors() {
    let text = with_alias_line("suffix_length = \"six\"");
    let message = parse_error(load(&text));
    let line = line_of(&text, "suffix_length");
    assert!(message.contains(&format!("line {line}")), "{message}");
    assert!(message.contains("expected i64"), "{message}");

    let text = with_section("[integrations.main.rate_limit]\nburst = -1");
    let message = parse_error(load(&text));
    assert!(
        message.contains(&format!("line {}", line_of(&text, "burst"))),
        "{message}"
    );

    // From the environment there is no line, but the key is named.
    let message = parse_error(load_with_env(
        MINIMAL,
        &[("VMR_SCHEDULER__DATABASE__MAX_CONNECTIONS", "lots")],
    ));
    assert!(message.contains("database.max_connections"), "{message}");
}

// --- Environment overrides ---

const PREFIX_VAR: &str = "VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__PREFIX";

#[test]
fn a_string_key_stays_a_string_when_overridden() {
    let found = problems_in(load_with_env(MINIMAL, &[(PREFIX_VAR, "123")]), MINIMAL);
    assert_eq!(found.len(), 1, "{}", listing(&found));
    assert_problem(
        &found,
        &main_key("aliases.prefix"),
        "does not start with a letter",
        "starting with a letter",
    );

    let settings = load_with_env(MINIMAL, &[(PREFIX_VAR, "room")]).unwrap();
    assert_eq!(settings.integrations[0].aliases.prefix.as_str(), "room");
}

#[test]
fn a_string_key_absent_from_the_file_stays_a_string() {
    let settings = load_with_env(
        MINIMAL,
        &[
            (
                "VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__NUMERIC_PREFIX",
                "81",
            ),
            (
                "VMR_SCHEDULER__INTEGRATIONS__MAIN__JOINING__DIAL_IN_NUMBER",
                "5550100",
            ),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let main = &settings.integrations[0];
    assert_eq!(main.aliases.numeric_prefix.as_str(), "81");
    assert_eq!(main.joining.dial_in_number.as_deref(), Some("5550100"));
}

#[test]
fn a_number_key_becomes_a_number() {
    let var = "VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__SUFFIX_LENGTH";
    let settings = load_with_env(MINIMAL, &[(var, "8")]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(settings.integrations[0].aliases.suffix_length.digits(), 8);

    // Out of range is a validation problem, not a type error.
    let found = problems_in(load_with_env(MINIMAL, &[(var, "4")]), MINIMAL);
    assert_problem(
        &found,
        &main_key("aliases.suffix_length"),
        "is 4",
        "5 to 15",
    );

    // It replaces a value written in the file.
    let text = with_section("[integrations.main.buffers]\nbefore_minutes = 5");
    let settings = load_with_env(
        &text,
        &[
            (
                "VMR_SCHEDULER__INTEGRATIONS__MAIN__BUFFERS__BEFORE_MINUTES",
                "15",
            ),
            ("VMR_SCHEDULER__DATABASE__MAX_CONNECTIONS", "3"),
            ("VMR_SCHEDULER__SERVER__LISTEN", "0.0.0.0:9000"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        settings.integrations[0].buffers.before,
        Duration::from_secs(15 * 60)
    );
    assert_eq!(settings.database.max_connections, 3);
    assert_eq!(settings.server.listen, "0.0.0.0:9000".parse().unwrap());
}

#[test]
fn an_integration_can_be_created_from_the_environment() {
    let base = "VMR_SCHEDULER__INTEGRATIONS__SECOND__";
    let env: Vec<(String, String)> = [
        ("EQUIPMENT_RESOURCE__NAME", "Second Room"),
        ("EQUIPMENT_RESOURCE__EMAIL", "second@example.com"),
        ("ALIASES__PREFIX", "room"),
        ("ALIASES__DOMAIN", "vc2.example.com"),
        ("ALIASES__SUFFIX_LENGTH", "7"),
        (
            "AUTH__ENTRA__AUDIENCES",
            "[\"api://vmr.example.com/second\"]",
        ),
    ]
    .iter()
    .map(|(key, value)| (format!("{base}{key}"), value.to_string()))
    .collect();
    let settings = Settings::from_toml(MINIMAL, Path::new(CONFIG_PATH), env, &no_env)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(settings.integrations.len(), 2);
    let second = settings
        .integration("second")
        .expect("integration `second`");
    assert_eq!(second.equipment_resource.name, "Second Room");
    assert_eq!(
        second.equipment_resource.email.as_str(),
        "second@example.com"
    );
    assert_eq!(second.aliases.prefix.as_str(), "room");
    assert_eq!(second.aliases.suffix_length.digits(), 7);
    assert_eq!(
        second.joining.web_join_url,
        "https://vc2.example.com/webapp/#/?conference={alias}"
    );
    assert!(second.auth.accepts_entra());
}

#[test]
fn a_value_cannot_become_a_section() {
    let var = "VMR_SCHEDULER__SERVER__PUBLIC_URL__HOST";
    let message = parse_error(load_with_env(MINIMAL, &[(var, "vmr.example.com")]));
    assert!(message.contains(var), "{message}");
    assert!(message.contains("public_url"), "{message}");

    let var = "VMR_SCHEDULER__DATABASE____URL";
    let message = parse_error(load_with_env(MINIMAL, &[(var, "sqlite://x.db")]));
    assert!(message.contains(var), "{message}");
}

#[test]
fn unrelated_environment_variables_are_ignored() {
    let settings = load_with_env(
        MINIMAL,
        &[
            ("PATH", "/usr/bin"),
            ("VMR_SCHEDULER_CONFIG", "/elsewhere.toml"),
            ("VMR_SCHEDULER_DATABASE_URL", "mysql://x"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(settings.database.url, "sqlite://data/vmr-scheduler.db");
}

// --- Secrets ---

#[test]
fn secrets_never_appear_in_debug_output_or_errors() {
    let secret = "file-pw-Zq9xL27";
    let dir = TempDir::new();
    let file = dir.write("db-password", &format!("{secret}\n"));
    let database = format!(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = {{ file = {:?} }}",
        file.display().to_string()
    );
    let text = with_section(&database);
    let settings = load(&text).unwrap_or_else(|e| panic!("{e}"));
    // The password reaches the connection URL (without the newline) ...
    assert_eq!(
        settings.database.url,
        format!("postgres://vmr:{secret}@db.example.com/vmr")
    );
    // ... but no debug output.
    for shown in [
        format!("{settings:?}"),
        format!("{settings:#?}"),
        format!("{:?}", settings.database),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }

    // Error messages of every kind, with the same password source, never show it either.
    let mut failures = vec![
        load(&format!("{text}\n[logging]\nformat = \"xml\"\n")).unwrap_err(),
        load(&format!("{text}max_connections = 0\n")).unwrap_err(),
        load(&edit(&text, "prefix = \"meet\"", "prefix = \"1meet\"")).unwrap_err(),
        load(&edit(&text, "prefix = \"meet\"", "prefx = \"meet\"")).unwrap_err(),
        load_with_env(
            &text,
            &[("VMR_SCHEDULER__DATABASE__MAX_CONNECTIONS", "lots")],
        )
        .unwrap_err(),
        load_with_env(
            &text,
            &[("VMR_SCHEDULER__DATABASE__PASSWORD__FILE__X", "1")],
        )
        .unwrap_err(),
        load_with_env(
            &text,
            &[(
                "VMR_SCHEDULER__DATABASE__URL",
                "postgres://vmr:other@[::1/vmr",
            )],
        )
        .unwrap_err(),
    ];
    // The URL from the environment holding the password, plus another mistake.
    let env_url = format!("postgres://vmr:{secret}@db.example.com/vmr");
    failures.push(
        load_with_env(
            &with_section("[logging]\nformat = \"xml\""),
            &[("VMR_SCHEDULER__DATABASE__URL", &env_url)],
        )
        .unwrap_err(),
    );
    failures.push(
        load_with_env(
            &with_section("[database]\nmax_connections = 0"),
            &[
                ("VMR_SCHEDULER__DATABASE__URL", &env_url),
                ("VMR_SCHEDULER__DATABASE__ACQUIRE_TIMEOUT_SECONDS", "oops"),
            ],
        )
        .unwrap_err(),
    );
    for error in &failures {
        let shown = format!("{error}\n{error:?}");
        assert!(!shown.contains(secret), "{shown}");
    }

    // An unreadable password file is named, not read.
    let missing = text.replace("db-password", "no-such-password");
    let found = problems_in(load(&missing), &missing);
    assert_problem(&found, "database.password", "no-such-password", "readable");
}

/// A JWKS with one 2048-bit RSA signing key (public part only).
const TEST_JWKS: &str = r#"{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"test-key","e":"AQAB","n":"pvTGLwIr06L8FDostogpC0Ppk5cEGQ2QdRcdIDe1prYg0FiwfvdNm_E2BZPpiGhoqCPsFTsIKIjQ057KsEygvmgiKiMqx0pZwSkdy1C-5jMVRMMn6Xcx2YgZhH7ybTdLR82cv8WHYwvzvghTwfxrXJgJsINyhRsPrTYD-QG9WWtaK7ksAjdCWcG8SipDB8gj67zepXrTmByBwwTRQyjcku_68YFvsg0aMpv2DzvZYp4pzF8agAbLYcxb9WORyFMCRmyPQ4v9rOaex4MbHiR0OUddPlrR6f27zsBQxqySxEBmvPqBpYt8_fmbnrL-csD-8U00Uq4f_6eILsgi_S2mNw"}]}"#;

#[test]
fn a_relative_password_file_is_found_next_to_the_configuration_file() {
    let dir = TempDir::new();
    dir.write("db-password", "relative-pw\n");
    let text = with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = { file = \"db-password\" }",
    );
    let settings = Settings::from_toml(&text, &dir.0.join("config.toml"), Vec::new(), &no_env)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        settings.database.url,
        "postgres://vmr:relative-pw@db.example.com/vmr"
    );
}
