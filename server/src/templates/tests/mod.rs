//! Shared fixtures; `rendering` covers output, `loading` covers configuration checks.

mod loading;
mod rendering;

use super::*;
use crate::config::{ConfigProblem, Problems};
use crate::domain::{Alias, AliasMarker, NumericAlias};
use std::path::Path;

pub(super) const KEY: &str = "integrations.main.templates";

pub(super) fn shared() -> SharedValues {
    SharedValues {
        integration_name: "Head office".into(),
        equipment_resource_name: "Video Meeting Rooms".into(),
        equipment_resource_email: "vmr@example.com".into(),
        public_url: "https://scheduler.example.com".into(),
    }
}

/// Validates overrides written as TOML, returning the templates or the problems.
pub(super) fn load(toml_text: &str, base_dir: &Path) -> Result<Templates, Vec<ConfigProblem>> {
    let raw: RawTemplates = toml::from_str(toml_text).expect("valid TOML");
    let mut problems = Problems::default();
    let templates = raw.validate(KEY, base_dir, &mut problems);
    match templates {
        Some(templates) if problems.is_empty() => Ok(templates),
        _ => Err(problems.into_vec()),
    }
}

pub(super) fn problems_of(toml_text: &str) -> Vec<ConfigProblem> {
    load(toml_text, Path::new(".")).expect_err("overrides should be refused")
}

pub(super) fn single_problem(toml_text: &str) -> ConfigProblem {
    let mut problems = problems_of(toml_text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.remove(0)
}

pub(super) fn meeting() -> JoiningContext {
    JoiningContext::new(
        Alias::parse("meet482913@vc.example.com").unwrap(),
        NumericAlias::parse("88482913").unwrap(),
        AliasMarker::generate(&mut rand::thread_rng()),
        shared(),
    )
}
