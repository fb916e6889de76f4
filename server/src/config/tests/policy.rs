//! `[policy]` and `[integrations.<id>.policy]`: off by default, credentials from secrets only,
//! every value checked with its key.

use super::*;

const POLICY_VAR: &str = "VMR_TEST_POLICY_PASSWORD";

fn with_policy(lines: &str) -> String {
    with_section(&format!(
        "[policy]\nusername = \"infinity\"\npassword = {{ env = \"{POLICY_VAR}\" }}\n{lines}"
    ))
}

fn load_policy(text: &str) -> Result<Settings, ConfigError> {
    load_with_lookup(text, &|name| {
        (name == POLICY_VAR).then(|| "policy-pw-5521".to_string())
    })
}

#[test]
fn the_endpoint_is_off_without_its_section_and_rooms_are_rejected_outside_windows() {
    let settings = valid(MINIMAL);
    assert!(settings.policy.is_none());
    let main = settings.integration("main").unwrap();
    assert_eq!(main.policy, IntegrationPolicy::default());
    assert_eq!(main.policy.outside_window, PolicyAction::Reject);
}

#[test]
fn a_section_with_secret_credentials_turns_it_on() {
    let text = with_policy("allowed_nodes = [\"10.0.0.0/24\"]\nunknown_alias = \"reject\"");
    let settings = load_policy(&text).unwrap_or_else(|e| panic!("{e}"));
    let policy = settings.policy.unwrap();
    assert!(policy.accepts("infinity", "policy-pw-5521"));
    assert_eq!(policy.unknown_alias, PolicyAction::Reject);
    assert!(policy.allows_node("10.0.0.9".parse().unwrap()));
    assert!(!policy.allows_node("10.0.1.9".parse().unwrap()));
    assert!(!format!("{policy:?}").contains("policy-pw-5521"));
    assert_eq!(policy.cache_for, std::time::Duration::from_secs(5));
}

#[test]
fn an_inline_password_is_refused_without_being_shown() {
    let text = with_section("[policy]\nusername = \"infinity\"\npassword = \"inline-pw-0042\"");
    assert_only_problem_hiding(
        load(&text),
        &text,
        "inline-pw-0042",
        "policy.password",
        "is written into the configuration",
        "{ file",
    );
}

#[test]
fn mistakes_are_named_by_their_keys() {
    let text = with_policy(
        "allowed_nodes = [\"10.0.0.0/40\"]\nunknown_alias = \"drop\"\ncache_seconds = 61",
    );
    let found = problems_in(load_policy(&text), &text);
    assert_problem(&found, "policy.allowed_nodes[0]", "prefix length", "CIDR");
    assert_problem(&found, "policy.cache_seconds", "is 61", "from 0 to 60");
    assert_problem(
        &found,
        "policy.unknown_alias",
        "`drop`",
        "\"reject\" or \"continue\"",
    );
    let text =
        with_section("[integrations.main.policy]\nview = \"huge\"\nservice_tag = \"{subject}\"");
    let found = problems(&text);
    assert_problem(
        &found,
        "integrations.main.policy.view",
        "`huge`",
        "one_main_seven_pips",
    );
    assert_problem(
        &found,
        "integrations.main.policy.service_tag",
        "`{subject}`",
        "{numeric_alias}",
    );
    assert_only_problem_in(
        load(&with_policy("")),
        &with_policy(""),
        "policy.password",
        &format!("`{POLICY_VAR}` is not set"),
        "{ file }",
    );
}
