//! The manifest generator: every variant renders and passes its own checks, and each rule
//! refuses the setting that breaks it with that setting's key.

mod documents;
mod generation;
mod package;
mod rules;

use super::*;
use crate::config::Settings;
use std::path::Path;

pub(super) const PUBLIC_URL: &str = "https://vmr.example.org";
pub(super) const ADDIN_ID: &str = "4d3c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const API_AUDIENCE: &str = "api://vmr.example.org/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";

/// A valid configuration with one integration `main` whose add-in section is `addin` (TOML
/// lines of `[integrations.main.addin]`) followed by `extra` (further tables, e.g. locales).
pub(super) fn settings_with(public_url: &str, addin: &str, extra: &str) -> Settings {
    let text = format!(
        r#"[server]
public_url = "{public_url}"

[integrations.main]
display_name = "VMR Scheduling"
equipment_resource = {{ name = "Video Meeting Room", email = "vmr@example.com" }}

[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"

[integrations.main.auth.entra]
audiences = ["{API_AUDIENCE}"]

[integrations.main.addin]
{addin}
{extra}
"#
    );
    Settings::from_toml(&text, Path::new("/etc/vmr.toml"), Vec::new(), &|_| None)
        .unwrap_or_else(|error| panic!("test configuration is invalid: {error}\n{text}"))
}

pub(super) fn settings(addin: &str) -> Settings {
    settings_with(PUBLIC_URL, addin, "")
}

/// Two extra locales, one translating every string, one only the button.
pub(super) const TWO_LOCALES: &str = r#"
[integrations.main.addin.locales.fr-FR]
display_name = "Planification VMR"
description = "Ajoute une salle de visioconférence à l'invitation."
group_label = "Visio"
button_label = "Ajouter une visio"
supertip_title = "Ajouter une salle"
supertip_description = "Ajoute une salle de visioconférence à usage unique."
task_pane_button_label = "Options de la salle"
task_pane_supertip_description = "Choisir une salle personnelle ou des options."

[integrations.main.addin.locales.de-DE]
button_label = "Videokonferenz hinzufügen"
"#;

pub(super) fn revision(version: u64) -> Revision {
    Revision {
        addin_id: uuid::Uuid::parse_str(ADDIN_ID).unwrap(),
        version,
    }
}

pub(super) fn input(settings: &Settings) -> ManifestInput<'_> {
    ManifestInput::new(
        &settings.integrations[0],
        &settings.server.public_url,
        revision(7),
    )
}

pub(super) fn xml(settings: &Settings) -> String {
    generate_xml(&input(settings))
        .unwrap_or_else(|error| panic!("manifest generates:\n{error}"))
        .text
}

pub(super) fn json(settings: &Settings) -> serde_json::Value {
    let manifest = generate_json(&input(settings))
        .unwrap_or_else(|error| panic!("manifest generates:\n{error}"));
    serde_json::from_str(&manifest.text).expect("JSON")
}

/// The problems of a generation expected to fail.
pub(super) fn problems(result: Result<impl std::fmt::Debug, ManifestError>) -> Vec<ConfigProblem> {
    match result {
        Err(ManifestError::Invalid(problems)) => problems,
        other => panic!("expected settings problems, got {other:?}"),
    }
}

/// Asserts that exactly one problem has `key` and that its text contains `problem` and
/// `expected`.
pub(super) fn assert_problem(found: &[ConfigProblem], key: &str, problem: &str, expected: &str) {
    let matching: Vec<&ConfigProblem> = found.iter().filter(|p| p.key == key).collect();
    assert_eq!(matching.len(), 1, "one problem for `{key}` in {found:#?}");
    let text = matching[0].to_string();
    assert!(matching[0].problem.contains(problem), "{text}");
    assert!(matching[0].expected.contains(expected), "{text}");
}
