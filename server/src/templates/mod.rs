//! Admin-editable Handlebars templates: joining instructions, replies to organizers, conference
//! names, locations and the add-in's pane strings.
//!
//! Templates are compiled, checked and rendered once with sample values when the configuration is
//! loaded ([`RawTemplates::validate`]), so a broken override stops the service at start with the
//! key and line, rather than failing when an organizer clicks the button. Rendering afterwards
//! only fails if a caller leaves out a documented variable.
//!
//! Two registries keep the two kinds apart: HTML templates escape every value (they end up in
//! meeting bodies and mails), text templates do not escape but are forced onto one plain line
//! (they end up in locations, labels and conference names, where markup would show literally and
//! a newline could break the surrounding protocol).

mod build;
mod check;
mod config;
mod context;
mod names;
mod samples;
#[cfg(test)]
mod tests;

pub use build::MAX_TEMPLATE_CHARS;
pub use config::{RawTemplates, TemplateSource};
pub use context::{JoiningContext, PersonalVmrContext, SharedValues};
pub use names::{TemplateName, SHARED_VARIABLES};
pub use samples::sample_values;

use handlebars::{Handlebars, RenderErrorReason};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The compiled templates of one integration. Cheap to clone; shared by all request handlers.
#[derive(Clone)]
pub struct Templates(Arc<Inner>);

struct Inner {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    /// Source of each template, indexed by [`TemplateName::index`], for the admin editor.
    sources: Vec<String>,
}

/// A template could not be rendered with the values given; at run time this means the caller
/// left out a documented variable, since templates were checked at load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RenderError {
    pub template: TemplateName,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "template {} line {line}: {}", self.template, self.reason),
            None => write!(f, "template {}: {}", self.template, self.reason),
        }
    }
}

impl Templates {
    /// The built-in templates, as used when the configuration overrides none.
    pub fn defaults() -> Self {
        let sources = TemplateName::all()
            .iter()
            .map(|name| name.default_source().to_string());
        build::build(sources.collect())
            .expect("built-in templates compile and render with their sample values")
    }

    /// Renders `name` with `values`: a JSON object or any struct that serializes to one, holding
    /// every variable in [`TemplateName::variables`] (optional ones may be `null`).
    pub fn render<T: Serialize>(
        &self,
        name: TemplateName,
        values: &T,
    ) -> Result<String, RenderError> {
        let registry = if name.is_html() {
            &self.0.html
        } else {
            &self.0.text
        };
        let rendered = registry
            .render(name.key(), values)
            .map_err(|error| render_error(name, &error))?;
        Ok(if name.is_html() {
            rendered
        } else {
            one_line(&rendered)
        })
    }

    /// The HTML for the meeting body of a single-use VMR, with the marker.
    pub fn joining_instructions(&self, ctx: &JoiningContext) -> Result<String, RenderError> {
        self.render(TemplateName::JoiningInstructions, ctx)
    }

    /// The location text of a single-use VMR.
    pub fn location(&self, ctx: &JoiningContext) -> Result<String, RenderError> {
        self.render(TemplateName::Location, ctx)
    }

    /// Every add-in pane string, keyed by template key (`pane_title`, …). `values` carries the
    /// shared variables, e.g. `SharedValues`.
    pub fn pane_strings<T: Serialize>(
        &self,
        values: &T,
    ) -> Result<BTreeMap<String, String>, RenderError> {
        // Serialize once instead of once per string.
        let values = serde_json::to_value(values).map_err(|error| RenderError {
            template: TemplateName::PaneTitle,
            line: None,
            reason: error.to_string(),
        })?;
        TemplateName::all()
            .iter()
            .filter(|name| name.is_pane_string())
            .map(|&name| Ok((name.key().to_string(), self.render(name, &values)?)))
            .collect()
    }

    /// Sample values of `name`'s variables, for previews and the CLI; see [`sample_values`].
    pub fn sample_values(name: TemplateName) -> serde_json::Value {
        sample_values(name)
    }

    /// The source in effect for `name`: the override, else the default.
    pub fn source(&self, name: TemplateName) -> &str {
        &self.0.sources[name.index()]
    }
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The registries are large and say nothing useful; which templates differ does.
        let overridden: Vec<&str> = TemplateName::all()
            .iter()
            .filter(|name| self.source(**name) != name.default_source())
            .map(|name| name.key())
            .collect();
        f.debug_struct("Templates")
            .field("overridden", &overridden)
            .finish()
    }
}

fn render_error(template: TemplateName, error: &handlebars::RenderError) -> RenderError {
    RenderError {
        template,
        line: error.line_no,
        reason: describe(error.reason()),
    }
}

/// Handlebars' messages name Rust-side concepts ("strict mode", `Some(..)`); admins need the
/// variable or helper they wrote.
fn describe(reason: &RenderErrorReason) -> String {
    match reason {
        RenderErrorReason::MissingVariable(Some(path)) => format!("variable `{path}` is missing"),
        RenderErrorReason::MissingVariable(None) => "a looked-up value is missing".to_string(),
        RenderErrorReason::HelperNotFound(name) => format!("unknown helper `{name}`"),
        RenderErrorReason::TemplateError(error) => error.reason().to_string(),
        other => other.to_string(),
    }
}

/// Text output becomes one line: control characters (newlines included) and bidirectional
/// overrides, which could disguise a location or label, turn into spaces; runs of whitespace
/// collapse to one space; the ends are trimmed.
fn one_line(rendered: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    let separators = |c: char| c.is_whitespace() || c.is_control() || is_bidi_control(c);
    for word in rendered.split(separators).filter(|word| !word.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
