//! Static check of a compiled template. Rendering with sample values only visits the branches the
//! samples select, so a misspelt variable inside `{{#if …}}` or `{{else}}` would otherwise pass
//! config load and fail in front of an organizer. This walks every branch instead.

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{Path, PathSeg};

/// Helpers available to templates: Handlebars' built-ins.
#[rustfmt::skip]
pub(super) const HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

/// Block helpers that render their body with a different context (`this`), inside which plain
/// names refer to the item, not to the template's variables.
const SCOPING_HELPERS: &[&str] = &["each", "with"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Issue {
    pub line: Option<usize>,
    pub message: String,
}

/// Every unknown variable, unknown helper and unsupported construct in `template`. In HTML
/// templates also every `{{{…}}}` but `{{{marker}}}`: no variable carries markup, and unescaped
/// values such as an organizer's subject would put their HTML into meeting bodies and mails.
pub(super) fn check(template: &Template, variables: &[&str], html: bool) -> Vec<Issue> {
    let mut checker = Checker {
        variables,
        html,
        issues: Vec::new(),
    };
    checker.template(template, 0, None);
    checker.issues
}

struct Checker<'v> {
    variables: &'v [&'v str],
    html: bool,
    issues: Vec<Issue>,
}

impl Checker<'_> {
    /// `depth` counts the scoping blocks around `template`; `line` is the enclosing element's
    /// line, used when Handlebars records no position (it does not for `{{else if}}` chains).
    fn template(&mut self, template: &Template, depth: usize, line: Option<usize>) {
        for (index, element) in template.elements.iter().enumerate() {
            let here = template.mapping.get(index).map(|m| m.0).or(line);
            self.element(element, depth, here);
        }
    }

    fn element(&mut self, element: &TemplateElement, depth: usize, line: Option<usize>) {
        match element {
            TemplateElement::HtmlExpression(helper) if self.html && !is_marker(helper) => {
                let shown = match &helper.name {
                    Parameter::Path(path) => raw(path).to_string(),
                    _ => "…".to_string(),
                };
                let message = format!("{{{{{{{shown}}}}}}} inserts a value without HTML escaping");
                self.issue(line, format!("{message}; write {{{{{shown}}}}}"));
            }
            TemplateElement::Expression(helper) | TemplateElement::HtmlExpression(helper) => {
                self.helper(helper, depth, line)
            }
            TemplateElement::HelperBlock(helper) => {
                self.helper(helper, depth, line);
                let scoped = matches!(&helper.name, Parameter::Name(name)
                    if SCOPING_HELPERS.contains(&name.as_str()));
                if let Some(body) = &helper.template {
                    self.template(body, depth + usize::from(scoped), line);
                }
                // `{{else}}` renders in the enclosing context, even for `each` and `with`.
                if let Some(inverse) = &helper.inverse {
                    self.template(inverse, depth, line);
                }
            }
            TemplateElement::DecoratorExpression(_)
            | TemplateElement::DecoratorBlock(_)
            | TemplateElement::PartialExpression(_)
            | TemplateElement::PartialBlock(_) => {
                let message = "partials and decorators ({{> …}}, {{#* …}}) are not supported; \
                               a template must be self-contained";
                self.issue(line, message.to_string())
            }
            _ => {}
        }
    }

    fn helper(&mut self, helper: &HelperTemplate, depth: usize, line: Option<usize>) {
        match &helper.name {
            Parameter::Name(name) if !HELPERS.contains(&name.as_str()) => {
                self.issue(line, format!("unknown helper `{name}`"))
            }
            Parameter::Path(path) if helper.params.is_empty() && helper.hash.is_empty() => {
                self.path(path, depth, line)
            }
            Parameter::Path(path) => self.issue(line, format!("unknown helper `{}`", raw(path))),
            Parameter::Subexpression(sub) => self.element(&sub.element, depth, line),
            _ => {}
        }
        for param in helper.params.iter().chain(helper.hash.values()) {
            match param {
                Parameter::Path(path) => self.path(path, depth, line),
                Parameter::Subexpression(sub) => self.element(&sub.element, depth, line),
                _ => {}
            }
        }
    }

    fn path(&mut self, path: &Path, depth: usize, line: Option<usize>) {
        let Path::Relative((segments, raw)) = path else {
            // `@index`, `@first` and friends exist only inside blocks and are always defined.
            return;
        };
        let Some(first) = segments.iter().find_map(|seg| match seg {
            PathSeg::Named(name) => Some(name.as_str()),
            _ => None,
        }) else {
            return; // `this`, `.`
        };
        // A path refers to the template's variables when it is at the top level, starts at
        // `@root`, or climbs (`../`) out of every scoping block.
        let ups = raw.matches("../").count();
        let at_root = raw.starts_with("@root") || ups >= depth;
        if at_root && !self.variables.contains(&first) && !HELPERS.contains(&first) {
            self.issue(line, format!("unknown variable `{raw}`"));
        }
    }

    fn issue(&mut self, line: Option<usize>, message: String) {
        self.issues.push(Issue { line, message });
    }
}

fn is_marker(helper: &HelperTemplate) -> bool {
    matches!(&helper.name, Parameter::Path(path) if raw(path) == "marker")
}

fn raw(path: &Path) -> &str {
    match path {
        Path::Relative((_, raw)) | Path::Local((_, _, raw)) => raw,
    }
}
