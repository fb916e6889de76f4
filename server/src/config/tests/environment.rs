//! `VMR_SCHEDULER__…` environment overrides.

use super::*;
use std::time::Duration;

const PREFIX_VAR: &str = "VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__PREFIX";

#[test]
fn a_string_key_stays_a_string_when_overridden() {
    assert_only_problem_in(
        load_with_env(MINIMAL, &[(PREFIX_VAR, "123")]),
        MINIMAL,
        &main_key("aliases.prefix"),
        "does not start with a letter",
        "starting with a letter",
    );

    let settings = valid_with_env(MINIMAL, &[(PREFIX_VAR, "room")]);
    assert_eq!(settings.integrations[0].aliases.prefix.as_str(), "room");
}

#[test]
fn a_string_key_absent_from_the_file_stays_a_string() {
    let settings = valid_with_env(
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
    );
    let main = &settings.integrations[0];
    assert_eq!(main.aliases.numeric_prefix.as_str(), "81");
    assert_eq!(main.joining.dial_in_number.as_deref(), Some("5550100"));
}

#[test]
fn a_number_key_becomes_a_number() {
    let var = "VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__SUFFIX_LENGTH";
    let settings = valid_with_env(MINIMAL, &[(var, "8")]);
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
    let settings = valid_with_env(
        &text,
        &[
            (
                "VMR_SCHEDULER__INTEGRATIONS__MAIN__BUFFERS__BEFORE_MINUTES",
                "15",
            ),
            ("VMR_SCHEDULER__DATABASE__MAX_CONNECTIONS", "3"),
            ("VMR_SCHEDULER__SERVER__LISTEN", "0.0.0.0:9000"),
        ],
    );
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
            "[\"api://vmr.example.com/0f1e2d3c-4b5a-4968-8776-655443322110\"]",
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
    let settings = valid_with_env(
        MINIMAL,
        &[
            ("PATH", "/usr/bin"),
            ("VMR_SCHEDULER_CONFIG", "/elsewhere.toml"),
            ("VMR_SCHEDULER_DATABASE_URL", "mysql://x"),
        ],
    );
    assert_eq!(settings.database.url, "sqlite://data/vmr-scheduler.db");
}
