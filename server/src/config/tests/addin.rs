//! The `[integrations.<id>.addin]` section: defaults, the token mode and its consistency with
//! `auth`, surfaces, locales and the icon file.

use super::*;

const CLIENT_ID: &str = "6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";

fn addin(lines: &str) -> String {
    with_section(&format!("[integrations.main.addin]\n{lines}"))
}

fn addin_key(field: &str) -> String {
    main_key(&format!("addin.{field}"))
}

/// The minimal integration accepting only Exchange identity tokens (on-premises).
fn exchange_only() -> String {
    edit(
        MINIMAL,
        &format!("[integrations.main.auth.entra]\naudiences = [\"api://vmr.example.com/{CLIENT_ID}\"]"),
        "[integrations.main.auth.exchange]\ntrusted_metadata_origins = [\"https://mail.example.com\"]",
    )
}

#[test]
fn defaults_use_nested_app_authentication_derived_from_the_api_audience() {
    let settings = valid(MINIMAL);
    let addin = &settings.integrations[0].addin;
    assert_eq!(
        addin.token,
        AddinToken::Naa {
            client_id: CLIENT_ID.into(),
            scopes: vec![format!("api://vmr.example.com/{CLIENT_ID}/access_as_user")],
            authority: "https://login.microsoftonline.com/organizations".into(),
        }
    );
    assert_eq!(addin.default_locale, "en-US");
    assert_eq!(addin.provider_name, "main");
    assert_eq!(addin.strings.display_name, "main");
    assert!(addin.features.function_command && addin.features.task_pane);
    assert!(!addin.features.mobile && !addin.features.personal_vmrs);
    assert!(!addin.air_gapped);
    assert!(addin.locales.is_empty());
    assert!(addin.icon.is_none());
}

#[test]
fn a_single_tenant_gets_a_tenant_authority() {
    let text = edit(
        MINIMAL,
        "[integrations.main.auth.entra]\n",
        "[integrations.main.auth.entra]\ntenant_id = \"9188040d-6c67-4c5b-b112-36a304b66dad\"\n",
    );
    let AddinToken::Naa { authority, .. } = &valid(&text).integrations[0].addin.token else {
        panic!("expected naa");
    };
    assert_eq!(
        authority,
        "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad"
    );
}

#[test]
fn exchange_only_integrations_default_to_exchange_tokens() {
    assert_eq!(
        valid(&exchange_only()).integrations[0].addin.token,
        AddinToken::Exchange
    );
    assert_only_problem(
        &format!(
            "{}[integrations.main.addin]\ntoken = \"naa\"\n",
            exchange_only()
        ),
        &addin_key("token"),
        "no auth.entra section",
        "token = \"exchange\"",
    );
}

#[test]
fn exchange_tokens_need_an_exchange_section() {
    assert_only_problem(
        &addin("token = \"exchange\""),
        &addin_key("token"),
        "no auth.exchange section",
        "[auth.exchange]",
    );
}

#[test]
fn sso_uses_the_api_uri_as_resource() {
    let settings = valid(&addin("token = \"sso\""));
    assert_eq!(
        settings.integrations[0].addin.token,
        AddinToken::Sso {
            client_id: CLIENT_ID.into(),
            resource: format!("api://vmr.example.com/{CLIENT_ID}"),
            scopes: vec![format!("api://vmr.example.com/{CLIENT_ID}/access_as_user")],
        }
    );
    assert_only_problem(
        &addin("token = \"sso\"\nsso_resource = \"https://vmr.example.com\""),
        &addin_key("sso_resource"),
        "not an api:// URI",
        "Application ID URI",
    );
}

#[test]
fn an_unknown_token_mode_is_named() {
    assert_only_problem(
        &addin("token = \"saml\""),
        &addin_key("token"),
        "`saml`",
        "`naa`, `sso` or `exchange`",
    );
}

#[test]
fn the_client_id_is_a_guid_and_required_when_it_cannot_be_derived() {
    assert_only_problem(
        &addin("client_id = \"my-app\""),
        &addin_key("client_id"),
        "`my-app` is not a GUID",
        "client) id",
    );
    let opaque_audience = edit(
        MINIMAL,
        &format!("api://vmr.example.com/{CLIENT_ID}"),
        "api://vmr.example.com/scheduler",
    );
    assert_only_problem(
        &opaque_audience,
        &addin_key("client_id"),
        "is missing",
        "client) id",
    );
    let explicit = format!(
        "{opaque_audience}\n[integrations.main.addin]\nclient_id = \"{}\"\n",
        CLIENT_ID.to_uppercase()
    );
    let AddinToken::Naa {
        client_id, scopes, ..
    } = &valid(&explicit).integrations[0].addin.token
    else {
        panic!("expected naa");
    };
    assert_eq!(client_id, CLIENT_ID, "stored lowercase");
    assert_eq!(
        scopes,
        &["api://vmr.example.com/scheduler/access_as_user".to_string()]
    );
}

#[test]
fn scopes_cannot_be_blank_and_the_authority_is_https() {
    assert_only_problem(
        &addin("scopes = [\"\"]"),
        &addin_key("scopes"),
        "blank scope",
        "access_as_user",
    );
    assert_only_problem(
        &addin("authority = \"http://login.example.com\""),
        &addin_key("authority"),
        "not an https URL",
        "login.microsoftonline.com",
    );
}

#[test]
fn at_least_one_button_and_mobile_needs_the_one_click_command() {
    assert_only_problem(
        &addin("function_command = false\ntask_pane = false"),
        &addin_key("function_command"),
        "both false",
        "at least one",
    );
    assert_only_problem(
        &addin("function_command = false\nmobile = true"),
        &addin_key("mobile"),
        "function_command is false",
        "function_command = true",
    );
}

#[test]
fn locales_are_culture_names_other_than_the_default() {
    assert_only_problem(
        &addin("default_locale = \"english\""),
        &addin_key("default_locale"),
        "`english`",
        "en-US",
    );
    assert_only_problem(
        &addin("[integrations.main.addin.locales.french]\nbutton_label = \"Visio\""),
        &addin_key("locales.french"),
        "is not a locale",
        "fr-FR",
    );
    assert_only_problem(
        &addin("[integrations.main.addin.locales.en-US]\nbutton_label = \"Video\""),
        &addin_key("locales.en-US"),
        "default locale",
        "extra locales only",
    );
}

#[test]
fn a_locale_overrides_strings_and_pane_templates() {
    let text = addin(
        "[integrations.main.addin.locales.fr-FR]\nbutton_label = \"Ajouter une visio\"\n\
         pane = { pane_title = \"Salle de {{integration_name}}\" }",
    );
    let settings = valid(&text);
    let integration = &settings.integrations[0];
    let locale = &integration.addin.locales[0];
    assert_eq!(locale.tag, "fr-FR");
    assert_eq!(
        locale.strings.button_label.as_deref(),
        Some("Ajouter une visio")
    );
    assert_eq!(
        locale.strings.display_name, None,
        "unset strings are not overridden"
    );
    let shared = integration.shared_values(&settings.server.public_url);
    let french = locale.templates.pane_strings(&shared).unwrap();
    assert_eq!(french["pane_title"], "Salle de main");
    let default = integration.templates.pane_strings(&shared).unwrap();
    assert_ne!(default["pane_title"], french["pane_title"]);
    assert_eq!(default["pane_error_heading"], french["pane_error_heading"]);
}

#[test]
fn a_locale_may_only_override_pane_templates_and_they_must_compile() {
    assert_only_problem(
        &addin("[integrations.main.addin.locales.fr-FR]\npane = { location = \"Visio\" }"),
        &addin_key("locales.fr-FR.pane.location"),
        "not a pane string",
        "pane_*",
    );
    let problems = problems(&addin(
        "[integrations.main.addin.locales.fr-FR]\npane = { pane_title = \"{{#if}}\" }",
    ));
    assert!(
        problems.iter().any(|p| p
            .key
            .starts_with(&addin_key("locales.fr-FR.pane.pane_title"))),
        "{}",
        listing(&problems)
    );
}

#[test]
fn urls_must_parse_and_the_icon_must_exist() {
    assert_only_problem(
        &addin("support_url = \"help desk\""),
        &addin_key("support_url"),
        "`help desk` is not a URL",
        "https URL",
    );
    assert_only_problem(
        &addin("icon = \"branding/missing.png\""),
        &addin_key("icon"),
        "/etc/vmr-scheduler/branding/missing.png",
        "PNG or SVG",
    );
}

#[test]
fn unknown_keys_in_the_section_are_refused() {
    let message = parse_error(load(&addin("button_lable = \"x\"")));
    assert!(message.contains("button_lable"), "{message}");
}
