//! Every problem is reported at once: one mistake never hides another.

use super::*;

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
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
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
