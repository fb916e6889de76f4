//! An integration as a whole: its id, equipment resource, buffers, rate limit, authentication
//! and templates, and the list of integrations.

use super::*;
use crate::templates::TemplateName;

/// A JWKS with one 2048-bit RSA signing key (public part only).
const TEST_JWKS: &str = r#"{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"test-key","e":"AQAB","n":"pvTGLwIr06L8FDostogpC0Ppk5cEGQ2QdRcdIDe1prYg0FiwfvdNm_E2BZPpiGhoqCPsFTsIKIjQ057KsEygvmgiKiMqx0pZwSkdy1C-5jMVRMMn6Xcx2YgZhH7ybTdLR82cv8WHYwvzvghTwfxrXJgJsINyhRsPrTYD-QG9WWtaK7ksAjdCWcG8SipDB8gj67zepXrTmByBwwTRQyjcku_68YFvsg0aMpv2DzvZYp4pzF8agAbLYcxb9WORyFMCRmyPQ4v9rOaex4MbHiR0OUddPlrR6f27zsBQxqySxEBmvPqBpYt8_fmbnrL-csD-8U00Uq4f_6eILsgi_S2mNw"}]}"#;

/// The minimal configuration with another address for its equipment resource.
fn with_resource_email(email: &str) -> String {
    edit(
        MINIMAL,
        "email = \"vmr@example.com\"",
        &format!("email = \"{email}\""),
    )
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
    assert_only_problem(
        &with_resource_email("vmr.example.com"),
        &main_key("equipment_resource.email"),
        "`vmr.example.com`",
        "SMTP address",
    );
    assert_only_problem(
        &with_resource_email("v mr@example.com"),
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
        "audiences = [\"api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"]",
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
        "[integrations.main.auth.entra]\naudiences = [\"api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"]\n",
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
        "audiences = [\"api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"]",
        "audiences = [\"api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"]\njwks_file = \"keys/jwks.json\"",
    );
    dir.valid(&text);

    let missing = text.replace("keys/jwks.json", "keys/none.json");
    assert_only_problem_in(
        dir.load(&missing),
        &missing,
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
    let settings = dir.valid(&text);
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
