//! The add-in's manifests, generated from an integration's `[integrations.<id>.addin]` section
//! and `server.public_url`: the add-in-only XML manifest and the Microsoft 365 app package (the
//! unified JSON manifest, its icons and one language file per extra locale).
//!
//! Both are rendered from Handlebars templates in `manifest-templates/` (compiled in), then
//! checked for what Office requires and its schemas cannot express; a failed check names the
//! setting to change. The add-in id and the version counter live in storage
//! ([`current_revision`]): the id never changes, the version goes up whenever the generated
//! content does.

mod checks;
pub mod command;
mod input;
mod package;
mod render;
mod strings;
#[cfg(test)]
mod tests;
mod versioning;

pub use input::{ManifestInput, Revision};
pub use versioning::current_revision;

use crate::config::{ConfigProblem, IntegrationSettings};
use crate::store::StoreError;

/// The function `commands.html` registers with `Office.actions.associate`; the one-click buttons
/// run it.
pub const FUNCTION_NAME: &str = "addSingleUseVmr";

/// Highest value of one version part in either manifest format.
pub const MAX_VERSION: u32 = 99_999;

/// Largest XML manifest Outlook accepts.
pub const MAX_XML_BYTES: usize = 256 * 1024;

/// `$schema` and `manifestVersion` of the unified manifest: the newest schema of npm
/// `@microsoft/app-manifest` (bundled there as `json-schemas/teams/v<version>/`).
pub const JSON_MANIFEST_VERSION: &str = "1.30";

/// The two manifest formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Add-in-only XML manifest.
    Xml,
    /// Unified manifest for Microsoft 365 (JSON, in an app package).
    Json,
}

/// A generated manifest document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub text: String,
    /// As written in the document: `1.0.<n>.0` (XML) or `1.0.<n>` (JSON).
    pub version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Settings that make the manifest break a rule of Office; each problem names the setting
    /// (or, for a defect of the service, the template) to change.
    #[error("{}", describe(.0))]
    Invalid(Vec<ConfigProblem>),
    #[error(
        "the manifest version of integration `{integration}` has reached {version}, above the \
         highest Office accepts ({MAX_VERSION}); deleting the integration's row from the \
         `integrations` table starts again at 1 with a new add-in id, which Outlook treats as \
         a different add-in"
    )]
    VersionExhausted { integration: String, version: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(ConfigProblem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl ManifestError {
    fn invalid_if_any(problems: Vec<ConfigProblem>) -> Result<(), Self> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Self::Invalid(problems))
        }
    }
}

/// The add-in-only XML manifest.
pub fn generate_xml(input: &ManifestInput<'_>) -> Result<Manifest, ManifestError> {
    ManifestError::invalid_if_any(checks::settings::check(input, &[Format::Xml]))?;
    let version = input.xml_version()?;
    let text = render::xml(input, &version)?;
    ManifestError::invalid_if_any(checks::xml::check(&text, input))?;
    Ok(Manifest { text, version })
}

/// The unified manifest (`manifest.json` of the app package).
pub fn generate_json(input: &ManifestInput<'_>) -> Result<Manifest, ManifestError> {
    ManifestError::invalid_if_any(checks::settings::check(input, &[Format::Json]))?;
    let version = input.json_version()?;
    let text = render::json(input, &version)?;
    ManifestError::invalid_if_any(checks::json::check(&text, input))?;
    Ok(Manifest { text, version })
}

/// The Microsoft 365 app package: a zip of `manifest.json`, its two icons and one language file
/// per extra locale.
pub fn generate_package(input: &ManifestInput<'_>) -> Result<Vec<u8>, ManifestError> {
    let manifest = generate_json(input)?;
    package::build(input, &manifest.text)
}

/// Every problem the integration's settings cause in either manifest, for the configuration
/// check at start (draft id and version; storage is not consulted).
pub fn check_settings(
    integration: &IntegrationSettings,
    public_url: &url::Url,
) -> Vec<ConfigProblem> {
    let input = ManifestInput::new(integration, public_url, Revision::DRAFT);
    let mut problems = checks::settings::check(&input, &[Format::Xml, Format::Json]);
    if problems.is_empty() {
        for result in [generate_xml(&input), generate_json(&input)] {
            if let Err(ManifestError::Invalid(found)) = result {
                problems.extend(found);
            }
        }
    }
    // One line per setting: a URL breaks the same rule in both formats.
    let mut seen = std::collections::HashSet::new();
    problems.retain(|problem| seen.insert((problem.key.clone(), problem.problem.clone())));
    problems
}
