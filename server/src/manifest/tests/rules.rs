//! Each rule, broken through the settings, refuses the manifest with the key to change.

use super::*;
use crate::config::{AddinLocale, AddinToken, ConfigError, RawAddinStrings};
use crate::templates::Templates;

fn main_addin(settings: &mut Settings) -> &mut crate::config::AddinSettings {
    &mut settings.integrations[0].addin
}

/// Settings with the default add-in section changed by `change`.
fn changed(addin: &str, change: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = settings(addin);
    change(&mut settings);
    settings
}

fn xml_problems(settings: &Settings) -> Vec<ConfigProblem> {
    problems(generate_xml(&input(settings)))
}

fn json_problems(settings: &Settings) -> Vec<ConfigProblem> {
    problems(generate_json(&input(settings)))
}

const KEY: &str = "integrations.main.addin";

#[test]
fn short_strings_have_at_most_125_characters() {
    let settings = changed("", |s| main_addin(s).strings.button_label = "x".repeat(140));
    let found = xml_problems(&settings);
    assert_problem(
        &found,
        &format!("{KEY}.button_label"),
        "is 140 characters",
        "at most 125",
    );
    assert_eq!(
        found[0].to_string(),
        "integrations.main.addin.button_label: is 140 characters; expected at most 125"
    );
    // Counted in characters, not bytes.
    let settings = changed("", |s| main_addin(s).strings.group_label = "é".repeat(125));
    assert!(generate_xml(&input(&settings)).is_ok());
}

#[test]
fn long_strings_have_at_most_250_characters() {
    for field in [
        "description",
        "supertip_description",
        "task_pane_supertip_description",
    ] {
        let settings = changed("", |s| {
            let strings = &mut main_addin(s).strings;
            let long = "y".repeat(251);
            match field {
                "description" => strings.description = long,
                "supertip_description" => strings.supertip_description = long,
                _ => strings.task_pane_supertip_description = long,
            }
        });
        assert_problem(
            &xml_problems(&settings),
            &format!("{KEY}.{field}"),
            "is 251 characters",
            "at most 250",
        );
    }
}

#[test]
fn the_unified_manifest_has_tighter_limits() {
    let settings = changed("", |s| main_addin(s).strings.display_name = "n".repeat(31));
    assert!(generate_xml(&input(&settings)).is_ok());
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.display_name"),
        "is 31 characters",
        "at most 30 (the unified manifest's name.short)",
    );
    let settings = changed("", |s| main_addin(s).strings.description = "d".repeat(81));
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.description"),
        "is 81",
        "at most 80",
    );
    let settings = changed("", |s| main_addin(s).strings.button_label = "b".repeat(65));
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.button_label"),
        "is 65",
        "at most 64",
    );
    // The mobile button's label is shorter still.
    let settings = changed("mobile = true", |s| {
        main_addin(s).strings.button_label = "b".repeat(33)
    });
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.button_label"),
        "is 33",
        "at most 32",
    );
    let settings = changed("", |s| main_addin(s).provider_name = "p".repeat(33));
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.provider_name"),
        "is 33",
        "at most 32",
    );
    let settings = changed("", |s| main_addin(s).provider_name = "p".repeat(126));
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.provider_name"),
        "is 126",
        "at most 125",
    );
}

#[test]
fn strings_of_a_surface_that_is_off_are_not_checked() {
    let settings = changed("task_pane = false", |s| {
        main_addin(s).strings.task_pane_button_label = "t".repeat(500);
    });
    assert!(generate_xml(&input(&settings)).is_ok());
    assert!(generate_json(&input(&settings)).is_ok());
}

#[test]
fn strings_are_neither_empty_nor_multi_line() {
    let settings = changed("", |s| main_addin(s).strings.group_label = "  ".into());
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.group_label"),
        "is empty",
        "1 to 125",
    );
    let settings = changed("", |s| {
        main_addin(s).strings.supertip_title = "two\nlines".into()
    });
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.supertip_title"),
        "control character U+000A",
        "one line of text",
    );
}

#[test]
fn a_locale_s_strings_are_checked_under_its_own_key() {
    let settings = settings_with(PUBLIC_URL, "", TWO_LOCALES);
    let mut settings = settings;
    let german = main_addin(&mut settings)
        .locales
        .iter_mut()
        .find(|locale| locale.tag == "de-DE")
        .unwrap();
    german.strings.button_label = Some("z".repeat(126));
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.locales.de-DE.button_label"),
        "is 126 characters",
        "at most 125",
    );
}

fn locale(tag: &str, button_label: &str) -> AddinLocale {
    AddinLocale {
        tag: tag.into(),
        strings: RawAddinStrings {
            button_label: Some(button_label.into()),
            ..RawAddinStrings::default()
        },
        templates: Templates::defaults(),
    }
}

#[test]
fn locale_names_are_culture_names_office_accepts() {
    let settings = changed("", |s| {
        main_addin(s)
            .locales
            .push(locale("de-CH-1996", "Hinzufügen"))
    });
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.locales.de-CH-1996"),
        "`de-CH-1996` is not a culture name",
        "en-US",
    );
    let settings = changed("", |s| main_addin(s).default_locale = "en_US".into());
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.default_locale"),
        "`en_US`",
        "en-US",
    );
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.default_locale"),
        "`en_US`",
        "en-US",
    );
}

#[test]
fn urls_are_https_except_for_a_loopback_public_url() {
    let settings = changed("", |s| {
        main_addin(s).support_url = Some(url::Url::parse("http://help.example.org/vmr").unwrap());
    });
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.support_url"),
        "`http://help.example.org/vmr`, which is not an https URL",
        "https",
    );
    let settings = changed("", |s| {
        main_addin(s).privacy_url = Some(url::Url::parse("http://example.org/privacy").unwrap());
    });
    assert!(
        generate_xml(&input(&settings)).is_ok(),
        "the XML manifest has no privacy URL"
    );
    assert_problem(
        &json_problems(&settings),
        &format!("{KEY}.privacy_url"),
        "not an https URL",
        "https",
    );
    // Only configuration validation stands between an http public URL and the generator.
    let settings = changed("", |s| {
        s.server.public_url = url::Url::parse("http://vmr.example.org").unwrap()
    });
    let found = xml_problems(&settings);
    assert_problem(&found, "server.public_url", "not an https URL", "https");
    assert_problem(
        &json_problems(&settings),
        "server.public_url",
        "not an https URL",
        "https",
    );
    for loopback in [
        "http://localhost:8080",
        "http://127.0.0.1",
        "http://[::1]:8443",
    ] {
        let settings = changed("", |s| {
            s.server.public_url = url::Url::parse(loopback).unwrap()
        });
        assert!(generate_xml(&input(&settings)).is_ok(), "{loopback}");
        assert!(generate_json(&input(&settings)).is_ok(), "{loopback}");
    }
}

#[test]
fn urls_have_at_most_2048_characters() {
    let long = format!("https://vmr.example.org/{}", "p".repeat(2000));
    let settings = changed("", |s| {
        s.server.public_url = url::Url::parse(&long).unwrap()
    });
    let found = xml_problems(&settings);
    assert_problem(
        &found,
        "server.public_url",
        "characters long",
        "at most 2048",
    );
    assert_problem(
        &json_problems(&settings),
        "server.public_url",
        "characters long",
        "at most 2048",
    );
}

#[test]
fn the_xml_manifest_has_at_most_256_kib() {
    let settings = changed("", |s| {
        let locales = &mut main_addin(s).locales;
        for n in 0..120u8 {
            let tag = format!(
                "{}{}-US",
                char::from(b'a' + n / 26),
                char::from(b'a' + n % 26)
            );
            let (short, long) = (Some("s".repeat(120)), Some("l".repeat(240)));
            locales.push(AddinLocale {
                tag,
                strings: RawAddinStrings {
                    display_name: Some("d".repeat(30)),
                    description: Some("e".repeat(80)),
                    group_label: short.clone(),
                    button_label: Some("b".repeat(32)),
                    supertip_title: Some("t".repeat(64)),
                    supertip_description: long.clone(),
                    task_pane_button_label: Some("p".repeat(64)),
                    task_pane_supertip_description: long,
                },
                templates: Templates::defaults(),
            });
            let _ = short;
        }
    });
    let found = xml_problems(&settings);
    assert_problem(
        &found,
        &format!("{KEY}.locales"),
        "make the XML manifest",
        "at most 262144 bytes",
    );
}

#[test]
fn sso_values_fit_web_application_info() {
    let settings = changed("token = \"sso\"", |s| {
        if let AddinToken::Sso { scopes, .. } = &mut main_addin(s).token {
            scopes.push(format!("api://vmr.example.org/{}", "s".repeat(240)));
        }
    });
    assert_problem(
        &xml_problems(&settings),
        &format!("{KEY}.scopes"),
        "characters",
        "at most 250",
    );
    assert!(
        generate_json(&input(&settings)).is_ok(),
        "the unified manifest lists no scopes"
    );
}

#[test]
fn every_icon_file_the_manifests_name_must_exist() {
    let settings = settings("mobile = true");
    let input = input(&settings);
    assert_eq!(
        crate::manifest::checks::settings::check_icon_files(
            &input,
            &[Format::Xml, Format::Json],
            |_| true
        ),
        vec![]
    );
    let found =
        crate::manifest::checks::settings::check_icon_files(&input, &[Format::Xml], |file| {
            file != "icon-80.png" && file != "mobile-48-3x.png"
        });
    assert_problem(
        &found,
        &format!("{KEY}.icon"),
        "icon-80.png, mobile-48-3x.png",
        "every size",
    );
    let found =
        crate::manifest::checks::settings::check_icon_files(&input, &[Format::Json], |file| {
            file != "outline-32.png"
        });
    assert_problem(
        &found,
        &format!("{KEY}.icon"),
        "outline-32.png",
        "every size",
    );
}

/// `check-config` (and start-up) refuse settings that break a manifest.
#[test]
fn configuration_validation_reports_manifest_problems() {
    let text = format!(
        r#"[server]
public_url = "{PUBLIC_URL}"
[integrations.main]
display_name = "A display name much longer than thirty characters"
equipment_resource = {{ name = "Video Meeting Room", email = "vmr@example.com" }}
aliases = {{ prefix = "meet", domain = "vc.example.com" }}
[integrations.main.auth.entra]
audiences = ["api://vmr.example.org/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
[integrations.main.addin]
button_label = "{}"
"#,
        "b".repeat(140)
    );
    let error = Settings::from_toml(&text, Path::new("/etc/vmr.toml"), Vec::new(), &|_| None)
        .expect_err("invalid");
    let ConfigError::Invalid { problems, .. } = error else {
        panic!("expected validation problems, got {error}");
    };
    assert_problem(
        &problems,
        &format!("{KEY}.button_label"),
        "is 140 characters",
        "at most 64",
    );
    assert_problem(
        &problems,
        &format!("{KEY}.display_name"),
        "is 49 characters",
        "at most 30",
    );
    // The provider name defaults to the display name.
    assert_problem(
        &problems,
        &format!("{KEY}.provider_name"),
        "is 49 characters",
        "at most 32",
    );
    assert_eq!(problems.len(), 3, "{problems:#?}");
}
