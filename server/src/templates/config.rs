//! The `[integrations.<id>.templates]` section: per-template overrides, inline or from a file.
//!
//! ```toml
//! [integrations.main.templates]
//! location = "Video meeting {{numeric_alias}}"
//! joining_instructions = { file = "templates/join.hbs" }
//! ```

use super::build::{build, MAX_TEMPLATE_CHARS};
use super::{TemplateName, Templates};
use crate::config::Problems;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Template overrides as written in the configuration, keyed by template name. Templates not
/// listed keep their defaults. A map rather than one field per template, so that a misspelt
/// name is reported through [`Problems`] with the other mistakes instead of aborting parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawTemplates {
    pub overrides: BTreeMap<String, TemplateSource>,
}

/// One override: the template text itself, or `{ file = "path" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    deny_unknown_fields,
    expecting = "a template string or a table like { file = \"templates/name.hbs\" }"
)]
pub enum TemplateSource {
    Inline(String),
    File { file: PathBuf },
}

impl RawTemplates {
    /// Loads, compiles and test-renders every template; `key` is the section's key (e.g.
    /// `integrations.main.templates`) and `base_dir` resolves relative file paths (normally the
    /// directory of the configuration file). Returns `None` after recording every problem found.
    pub fn validate(
        &self,
        key: &str,
        base_dir: &Path,
        problems: &mut Problems,
    ) -> Option<Templates> {
        let mut sources: Vec<String> = TemplateName::all()
            .iter()
            .map(|name| name.default_source().to_string())
            .collect();
        let mut loaded = true;
        for (template_key, source) in &self.overrides {
            let entry_key = format!("{key}.{template_key}");
            let Some(name) = TemplateName::parse(template_key) else {
                let valid: Vec<&str> = TemplateName::all().iter().map(|name| name.key()).collect();
                problems.push(
                    entry_key,
                    "is not a template name",
                    format!("one of {}", valid.join(", ")),
                );
                loaded = false;
                continue;
            };
            match source.load(base_dir) {
                Ok(text) => sources[name.index()] = text,
                Err(problem) => {
                    let expected = format!(
                        "a readable UTF-8 file of at most {MAX_TEMPLATE_CHARS} characters \
                         (relative paths start at {})",
                        base_dir.display()
                    );
                    problems.push(entry_key, problem, expected);
                    loaded = false;
                }
            }
        }
        // Build even when an override failed to load (its default stands in), so that every
        // other broken template is reported in the same pass.
        match build(sources) {
            Ok(templates) => loaded.then_some(templates),
            Err(failures) => {
                for failure in failures {
                    problems.push(
                        format!("{key}.{}", failure.name),
                        failure.problem,
                        failure.expected,
                    );
                }
                None
            }
        }
    }
}

impl TemplateSource {
    fn load(&self, base_dir: &Path) -> Result<String, String> {
        match self {
            TemplateSource::Inline(text) => Ok(text.clone()),
            TemplateSource::File { file } => read_limited(&base_dir.join(file)),
        }
    }
}

/// Reads at most what a maximal template can take (4 bytes per character), so a wrong path to a
/// huge or endless file fails quickly instead of exhausting memory.
fn read_limited(path: &Path) -> Result<String, String> {
    let limit = (MAX_TEMPLATE_CHARS * 4) as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{} is longer than {MAX_TEMPLATE_CHARS} characters",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}
