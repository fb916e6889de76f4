//! The rules Office imposes on a manifest that its schemas do not express, each failure a
//! [`ConfigProblem`] naming what to change: a setting, or for a defect of the service itself,
//! the template.
//!
//! [`settings`] checks the input (lengths, locales, icons) where the key of each value is known;
//! [`xml`] and [`json`] parse the generated documents and check what is actually emitted.

pub(super) mod json;
pub(super) mod settings;
mod urls;
pub(super) mod xml;

use crate::config::ConfigProblem;

/// What to change when a generated document breaks a rule no setting controls.
pub(super) const XML_TEMPLATE: &str = "manifest-templates/manifest.xml.hbs";
pub(super) const JSON_TEMPLATE: &str = "manifest-templates/manifest.json.hbs";
pub(super) const COMMANDS_SCRIPT: &str = "addin-web/src/commands.js";

/// The script `commands.html` serves; the buttons run the function it registers.
pub(super) const COMMANDS_JS: &str = include_str!("../../../../addin-web/src/commands.js");

/// The function name a manifest names for its one-click command must be the one the served
/// script registers, or Outlook finds no handler when the button is clicked.
fn check_function_name(name: &str, template: &str) -> Option<ConfigProblem> {
    use crate::manifest::FUNCTION_NAME;
    if name != FUNCTION_NAME {
        return Some(problem(
            template,
            format!("renders the function name `{name}`"),
            format!("`{FUNCTION_NAME}`, the function commands.html registers"),
        ));
    }
    let registration = format!("Office.actions.associate(\"{name}\"");
    (!COMMANDS_JS.contains(&registration)).then(|| {
        problem(
            COMMANDS_SCRIPT,
            format!("does not contain `{registration}`"),
            format!("the script to register the function `{name}` the manifests name"),
        )
    })
}

pub(super) fn problem(
    key: impl Into<String>,
    problem: impl Into<String>,
    expected: impl Into<String>,
) -> ConfigProblem {
    ConfigProblem {
        key: key.into(),
        problem: problem.into(),
        expected: expected.into(),
    }
}
