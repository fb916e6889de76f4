//! Checks of the generated unified manifest, on the parsed document: what its JSON schema
//! cannot express (references between actions and controls, the function name, https).

use super::{check_function_name, problem, urls, JSON_TEMPLATE};
use crate::config::ConfigProblem;
use crate::icons::{MOBILE_SCALES, MOBILE_SIZES};
use crate::manifest::input::ManifestInput;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

const REQUIRED_ICON_SIZES: [u64; 3] = [16, 32, 80];

/// Every problem of the generated manifest `text`, at most once each.
pub(in crate::manifest) fn check(text: &str, input: &ManifestInput<'_>) -> Vec<ConfigProblem> {
    let manifest: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            return vec![defect(
                format!("renders JSON that does not parse: {error}"),
                "valid JSON",
            )]
        }
    };
    let mut problems = Vec::new();
    check_urls(&manifest, input, &mut problems);
    for extension in items(&manifest, "extensions") {
        check_extension(extension, &mut problems);
    }
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.key.clone(), p.problem.clone())));
    problems
}

fn defect(what: String, expected: &str) -> ConfigProblem {
    problem(JSON_TEMPLATE, what, expected)
}

/// The elements of the array `key` of `value` (none if it is missing).
fn items<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value[key].as_array().into_iter().flatten()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

fn check_urls(manifest: &Value, input: &ManifestInput<'_>, problems: &mut Vec<ConfigProblem>) {
    let developer = &manifest["developer"];
    let mut found: Vec<(String, &str)> = ["websiteUrl", "privacyUrl", "termsOfUseUrl"]
        .into_iter()
        .map(|key| (format!("developer.{key}"), text(developer, key)))
        .collect();
    found.extend(items(manifest, "validDomains").map(|domain| {
        (
            "validDomains".to_string(),
            domain.as_str().unwrap_or_default(),
        )
    }));
    for extension in items(manifest, "extensions") {
        for runtime in items(extension, "runtimes") {
            let place = format!("the page of runtime `{}`", text(runtime, "id"));
            found.push((place, text(&runtime["code"], "page")));
        }
        for control in controls(extension) {
            let place = format!("an icon of control `{}`", text(control, "id"));
            found.extend(items(control, "icons").map(|icon| (place.clone(), text(icon, "url"))));
        }
    }
    problems.extend(urls::check_all(found, input, JSON_TEMPLATE));
}

/// Groups of the ribbons' tabs, desktop and mobile.
fn groups(extension: &Value) -> impl Iterator<Item = &Value> {
    items(extension, "ribbons")
        .flat_map(|ribbon| items(ribbon, "tabs"))
        .flat_map(|tab| items(tab, "groups").chain(items(tab, "customMobileRibbonGroups")))
}

fn controls(extension: &Value) -> impl Iterator<Item = &Value> {
    groups(extension).flat_map(|group| items(group, "controls"))
}

fn check_extension(extension: &Value, problems: &mut Vec<ConfigProblem>) {
    let mut actions = HashSet::new();
    for runtime in items(extension, "runtimes") {
        for action in items(runtime, "actions") {
            let id = text(action, "id");
            if !actions.insert(id) {
                problems.push(defect(
                    format!("renders the action id `{id}` twice"),
                    "unique action ids",
                ));
            }
            if text(action, "type") == "executeFunction" {
                problems.extend(check_function_name(id, JSON_TEMPLATE));
            }
        }
    }
    let mut ids = HashSet::new();
    let named = groups(extension).chain(controls(extension));
    for id in named.map(|element| text(element, "id")) {
        if !ids.insert(id) {
            problems.push(defect(
                format!("renders the group or control id `{id}` twice"),
                "unique group and control ids",
            ));
        }
    }
    for control in controls(extension) {
        let id = text(control, "id");
        let action = text(control, "actionId");
        if !actions.contains(action) {
            problems.push(defect(
                format!(
                    "renders the control `{id}` with actionId `{action}`, which names no action"
                ),
                "an actionId that names an action of a runtime",
            ));
        }
        check_icons(control, problems);
    }
}

fn check_icons(control: &Value, problems: &mut Vec<ConfigProblem>) {
    let id = text(control, "id");
    let icons: Vec<&Value> = items(control, "icons").collect();
    if text(control, "type") == "mobileButton" {
        let found: BTreeSet<(Option<u64>, Option<u64>)> = icons
            .iter()
            .map(|icon| (icon["size"].as_u64(), icon["scale"].as_u64()))
            .collect();
        let wanted: BTreeSet<(Option<u64>, Option<u64>)> = MOBILE_SIZES
            .iter()
            .flat_map(|&size| {
                MOBILE_SCALES
                    .iter()
                    .map(move |&scale| (Some(u64::from(size)), Some(u64::from(scale))))
            })
            .collect();
        if found != wanted || icons.len() != wanted.len() {
            problems.push(defect(
                format!("renders the mobile button `{id}` with icons {found:?}"),
                "one icon for each of 25, 32 and 48 at scales 1, 2 and 3",
            ));
        }
    } else {
        let sizes: BTreeSet<Option<u64>> = icons.iter().map(|icon| icon["size"].as_u64()).collect();
        if !REQUIRED_ICON_SIZES
            .iter()
            .all(|s| sizes.contains(&Some(*s)))
        {
            problems.push(defect(
                format!("renders the button `{id}` with icon sizes {sizes:?}"),
                "icons of 16, 32 and 80 px",
            ));
        }
    }
}
