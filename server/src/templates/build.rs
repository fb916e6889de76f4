//! Compiles and proves a full set of template sources: syntax, variables and helpers on every
//! branch, a render with sample values and one with every optional value empty, and the marker.

use super::check::{check, HELPERS};
use super::samples::{sample_values, sparse_sample_values, SAMPLE_MARKER};
use super::{Inner, TemplateName, Templates};
use handlebars::Handlebars;
use std::sync::Arc;

/// Longest accepted template, in characters, as in the reference product.
pub const MAX_TEMPLATE_CHARS: usize = 12288;

/// One reason a template cannot be used, phrased for `Problems`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub name: TemplateName,
    pub problem: String,
    pub expected: String,
}

impl Failure {
    fn new(name: TemplateName, problem: impl Into<String>, expected: impl Into<String>) -> Self {
        Self {
            name,
            problem: problem.into(),
            expected: expected.into(),
        }
    }
}

/// `sources` holds one source per template, indexed by [`TemplateName::index`].
pub(super) fn build(sources: Vec<String>) -> Result<Templates, Vec<Failure>> {
    let mut html = registry(handlebars::html_escape);
    let mut text = registry(handlebars::no_escape);
    let mut failures = Vec::new();
    for &name in TemplateName::all() {
        let registry = if name.is_html() { &mut html } else { &mut text };
        failures.extend(compile(registry, name, &sources[name.index()]));
    }
    // Rendering a template that did not compile would only repeat the same problem.
    if !failures.is_empty() {
        return Err(failures);
    }
    let templates = Templates(Arc::new(Inner {
        html,
        text,
        sources,
    }));
    for &name in TemplateName::all() {
        failures.extend(try_samples(&templates, name));
    }
    if failures.is_empty() {
        Ok(templates)
    } else {
        Err(failures)
    }
}

fn registry(escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    // A value the template names but the caller did not send is an error, not an empty string.
    registry.set_strict_mode(true);
    // Sources come from config, never from watched files: no reload on the hot path.
    registry.set_dev_mode(false);
    registry.register_escape_fn(escape);
    registry
}

fn compile(registry: &mut Handlebars<'static>, name: TemplateName, source: &str) -> Vec<Failure> {
    let length = source.chars().count();
    if length > MAX_TEMPLATE_CHARS {
        let problem = format!("is {length} characters long");
        return vec![Failure::new(
            name,
            problem,
            format!("at most {MAX_TEMPLATE_CHARS} characters"),
        )];
    }
    if let Err(error) = registry.register_template_string(name.key(), source) {
        let at = match error.pos() {
            Some((line, column)) => format!("line {line}, column {column}: "),
            None => String::new(),
        };
        let problem = format!("{at}{}", error.reason());
        return vec![Failure::new(name, problem, "valid Handlebars syntax")];
    }
    let Some(template) = registry.get_template(name.key()) else {
        return Vec::new();
    };
    check(template, name.variables(), name.is_html())
        .into_iter()
        .map(|issue| {
            Failure::new(
                name,
                format!("{}{}", at(issue.line), issue.message),
                allowed(name),
            )
        })
        .collect()
}

fn allowed(name: TemplateName) -> String {
    format!(
        "only the variables {} and the helpers {}",
        name.variables().join(", "),
        HELPERS.join(", ")
    )
}

/// Renders with the full samples, then (if that worked) with every optional value empty; one
/// mistake is reported once, from the first render that shows it.
fn try_samples(templates: &Templates, name: TemplateName) -> Option<Failure> {
    let rendered = match templates.render(name, &sample_values(name)) {
        Ok(rendered) => rendered,
        Err(error) => {
            let problem = format!("{}{}", at(error.line), error.reason);
            return Some(Failure::new(name, problem, allowed(name)));
        }
    };
    if let Some(failure) = check_marker(name, &rendered, "") {
        return Some(failure);
    }
    match templates.render(name, &sparse_sample_values(name)) {
        Ok(rendered) => check_marker(name, &rendered, " when optional values are empty"),
        Err(error) => {
            let problem = format!(
                "{}{} when optional values are empty",
                at(error.line),
                error.reason
            );
            let expected = "optional values (PINs, dial-in number, subject, alias lists …) \
                            read only inside {{#if …}}";
            Some(Failure::new(name, problem, expected))
        }
    }
}

fn at(line: Option<usize>) -> String {
    line.map(|line| format!("line {line}: "))
        .unwrap_or_default()
}

/// Meetings are matched to reservations by the marker in the body, so the joining instructions
/// must carry it exactly once whatever the optional values are.
fn check_marker(name: TemplateName, rendered: &str, when: &str) -> Option<Failure> {
    if name != TemplateName::JoiningInstructions {
        return None;
    }
    let count = rendered.matches(SAMPLE_MARKER).count();
    let problem = match count {
        1 => return None,
        0 => format!("does not render {{{{marker}}}}{when}"),
        n => format!("renders {{{{marker}}}} {n} times{when}"),
    };
    let expected = "{{marker}} exactly once, outside any {{#if …}}; without it meetings cannot \
                    be matched to their reservations";
    Some(Failure::new(name, problem, expected))
}
