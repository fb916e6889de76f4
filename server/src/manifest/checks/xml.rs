//! Checks of the generated XML manifest, on the parsed document: what the XSDs cannot express.
//!
//! Each `VersionOverrides` level is its own scope (Outlook reads one level), so resource ids and
//! control ids are resolved and compared within the level that holds them.

use super::{check_function_name, problem, urls, XML_TEMPLATE};
use crate::config::ConfigProblem;
use crate::icons::{MOBILE_SCALES, MOBILE_SIZES};
use crate::manifest::input::ManifestInput;
use crate::manifest::MAX_XML_BYTES;
use roxmltree::{Document, Node};
use std::collections::{BTreeSet, HashMap, HashSet};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const BT: &str = "http://schemas.microsoft.com/office/officeappbasictypes/1.0";

/// Resource ids and `resid` references: 1 to 32 characters.
const MAX_RESOURCE_ID_CHARS: usize = 32;
/// `Group` and `Control` ids.
const MAX_CONTROL_ID_CHARS: usize = 125;
/// Button icon sizes: 16, 32 and 80 are required, the others optional.
const REQUIRED_ICON_SIZES: [u32; 3] = [16, 32, 80];
const OPTIONAL_ICON_SIZES: [u32; 5] = [20, 24, 40, 48, 64];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Url,
    ShortString,
    LongString,
}

impl Kind {
    fn of_list(name: &str) -> Option<Self> {
        match name {
            "Images" => Some(Self::Image),
            "Urls" => Some(Self::Url),
            "ShortStrings" => Some(Self::ShortString),
            "LongStrings" => Some(Self::LongString),
            _ => None,
        }
    }

    /// The resource list an element's `resid` must point into.
    fn expected_by(element: &str) -> Option<Self> {
        match element {
            "Label" | "Title" => Some(Self::ShortString),
            "Description" => Some(Self::LongString),
            "Image" => Some(Self::Image),
            "FunctionFile" | "SourceLocation" => Some(Self::Url),
            _ => None,
        }
    }

    fn list(self) -> &'static str {
        match self {
            Self::Image => "bt:Images",
            Self::Url => "bt:Urls",
            Self::ShortString => "bt:ShortStrings",
            Self::LongString => "bt:LongStrings",
        }
    }
}

/// Every problem of the generated manifest `text`, at most once each.
pub(in crate::manifest) fn check(text: &str, input: &ManifestInput<'_>) -> Vec<ConfigProblem> {
    let mut problems = Vec::new();
    if text.len() > MAX_XML_BYTES {
        problems.push(problem(
            input.key("locales"),
            format!("make the XML manifest {} bytes long", text.len()),
            format!("at most {MAX_XML_BYTES} bytes: fewer locales or shorter strings"),
        ));
    }
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(error) => {
            problems.push(problem(
                XML_TEMPLATE,
                format!("renders XML that does not parse: {error}"),
                "well-formed XML",
            ));
            return problems;
        }
    };
    check_root(&document, &mut problems);
    check_urls(&document, input, &mut problems);
    for level in document
        .descendants()
        .filter(|node| node.has_tag_name("VersionOverrides"))
    {
        check_level(level, &mut problems);
    }
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.key.clone(), p.problem.clone())));
    problems
}

fn defect(problems: &mut Vec<ConfigProblem>, what: String, expected: &str) {
    problems.push(problem(XML_TEMPLATE, what, expected));
}

/// `xsi:type` is only seen by Office (and validators) in the http XSI namespace.
fn check_root(document: &Document<'_>, problems: &mut Vec<ConfigProblem>) {
    let root = document.root_element();
    if !root.has_tag_name("OfficeApp") || root.attribute((XSI, "type")) != Some("MailApp") {
        defect(
            problems,
            "renders a root element that is not an OfficeApp of xsi:type MailApp".into(),
            "<OfficeApp xsi:type=\"MailApp\"> with xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
        );
    }
}

fn check_urls(
    document: &Document<'_>,
    input: &ManifestInput<'_>,
    problems: &mut Vec<ConfigProblem>,
) {
    let found = document
        .descendants()
        .filter(Node::is_element)
        .filter_map(|node| {
            let name = node.tag_name().name();
            let url = match name {
                "AppDomain" => node.text(),
                "IconUrl"
                | "HighResolutionIconUrl"
                | "SupportUrl"
                | "SourceLocation"
                | "Image"
                | "Url" => node.attribute("DefaultValue"),
                "Override" if is_url_setting(node.parent_element()) => node.attribute("Value"),
                _ => None,
            }?;
            let place = match node.attribute("id") {
                Some(id) => format!("<{name} id=\"{id}\">"),
                None => format!("<{name}>"),
            };
            Some((place, url.trim()))
        });
    problems.extend(urls::check_all(found, input, XML_TEMPLATE));
}

fn is_url_setting(parent: Option<Node<'_, '_>>) -> bool {
    parent.is_some_and(|parent| {
        matches!(
            parent.tag_name().name(),
            "IconUrl" | "HighResolutionIconUrl" | "SupportUrl" | "SourceLocation" | "Image" | "Url"
        )
    })
}

/// The `VersionOverrides` level an element belongs to (its nearest enclosing one).
fn level_of<'a, 'input>(node: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    node.ancestors()
        .skip(1)
        .find(|ancestor| ancestor.has_tag_name("VersionOverrides"))
}

fn check_level(level: Node<'_, '_>, problems: &mut Vec<ConfigProblem>) {
    let elements: Vec<Node<'_, '_>> = level
        .descendants()
        .filter(|node| node.is_element() && *node != level && level_of(*node) == Some(level))
        .collect();
    let resources = resources_of(level, problems);
    for element in &elements {
        if let Some(resid) = element.attribute("resid") {
            check_reference(*element, resid, &resources, problems);
        }
    }
    check_control_ids(&elements, problems);
    for control in elements.iter().filter(|node| node.has_tag_name("Control")) {
        check_icons(*control, problems);
    }
    for action in elements.iter().filter(|node| node.has_tag_name("Action")) {
        check_action(*action, problems);
    }
}

/// The resource ids of a level and the list each is in; reports ids that are too long or used
/// twice.
fn resources_of<'a>(
    level: Node<'a, '_>,
    problems: &mut Vec<ConfigProblem>,
) -> HashMap<&'a str, Kind> {
    let mut resources = HashMap::new();
    let lists = level
        .children()
        .filter(|node| node.has_tag_name("Resources"))
        .flat_map(|node| node.children())
        .filter(|node| node.tag_name().namespace() == Some(BT));
    for list in lists {
        let Some(kind) = Kind::of_list(list.tag_name().name()) else {
            continue;
        };
        for item in list.children().filter(Node::is_element) {
            let Some(id) = item.attribute("id") else {
                defect(
                    problems,
                    format!("renders an entry of {} without an id", kind.list()),
                    "an id on every resource",
                );
                continue;
            };
            let length = id.chars().count();
            if length == 0 || length > MAX_RESOURCE_ID_CHARS {
                defect(
                    problems,
                    format!("renders the resource id `{id}` of {length} characters"),
                    "resource ids of 1 to 32 characters",
                );
            }
            if resources.insert(id, kind).is_some() {
                defect(
                    problems,
                    format!("renders the resource id `{id}` twice in one VersionOverrides level"),
                    "resource ids unique within their VersionOverrides level",
                );
            }
        }
    }
    resources
}

fn check_reference(
    element: Node<'_, '_>,
    resid: &str,
    resources: &HashMap<&str, Kind>,
    problems: &mut Vec<ConfigProblem>,
) {
    let name = element.tag_name().name();
    let Some(expected) = Kind::expected_by(name) else {
        defect(
            problems,
            format!("renders a resid on <{name}>, which takes none"),
            "resid only on Label, Title, Description, bt:Image, FunctionFile and SourceLocation",
        );
        return;
    };
    if resid.chars().count() > MAX_RESOURCE_ID_CHARS {
        defect(
            problems,
            format!("renders the resid `{resid}` on <{name}>, longer than 32 characters"),
            "resource ids of 1 to 32 characters",
        );
    }
    let expectation = format!(
        "a resid of <{name}> that names an entry of {}",
        expected.list()
    );
    match resources.get(resid) {
        None => defect(
            problems,
            format!("renders the resid `{resid}` on <{name}>, which names no resource"),
            &expectation,
        ),
        Some(&found) if found != expected => defect(
            problems,
            format!(
                "renders the resid `{resid}` on <{name}>, which names an entry of {}",
                found.list()
            ),
            &expectation,
        ),
        Some(_) => {}
    }
}

/// Group and control ids: at most 125 characters, unique within the level.
fn check_control_ids(elements: &[Node<'_, '_>], problems: &mut Vec<ConfigProblem>) {
    let mut seen = HashSet::new();
    let ids = elements
        .iter()
        .filter(|node| node.has_tag_name("Group") || node.has_tag_name("Control"))
        .filter_map(|node| node.attribute("id"));
    for id in ids {
        let length = id.chars().count();
        if length == 0 || length > MAX_CONTROL_ID_CHARS {
            defect(
                problems,
                format!("renders the group or control id `{id}` of {length} characters"),
                "group and control ids of 1 to 125 characters",
            );
        }
        if !seen.insert(id) {
            defect(
                problems,
                format!("renders the group or control id `{id}` twice"),
                "group and control ids unique within their VersionOverrides level",
            );
        }
    }
}

/// A button has the 16, 32 and 80 px icons (and only sizes Outlook knows); the mobile button
/// has each of 25, 32 and 48 pt at scales 1, 2 and 3.
fn check_icons(control: Node<'_, '_>, problems: &mut Vec<ConfigProblem>) {
    let id = control.attribute("id").unwrap_or_default();
    let images: Vec<Node<'_, '_>> = control
        .children()
        .filter(|node| node.has_tag_name("Icon"))
        .flat_map(|icon| icon.children().filter(|node| node.has_tag_name("Image")))
        .collect();
    let number = |node: &Node<'_, '_>, attribute: &str| {
        node.attribute(attribute)
            .and_then(|value| value.parse::<u32>().ok())
    };
    match control.attribute((XSI, "type")) {
        Some("Button") => {
            let sizes: BTreeSet<Option<u32>> = images.iter().map(|i| number(i, "size")).collect();
            let known = |size: &Option<u32>| {
                size.is_some_and(|s| {
                    REQUIRED_ICON_SIZES.contains(&s) || OPTIONAL_ICON_SIZES.contains(&s)
                })
            };
            let complete = REQUIRED_ICON_SIZES
                .iter()
                .all(|s| sizes.contains(&Some(*s)));
            if !complete || !sizes.iter().all(known) {
                defect(
                    problems,
                    format!("renders the button `{id}` with icon sizes {sizes:?}"),
                    "icons of 16, 32 and 80 px (optionally 20, 24, 40, 48, 64)",
                );
            }
        }
        Some("MobileButton") => {
            let found: BTreeSet<(Option<u32>, Option<u32>)> = images
                .iter()
                .map(|i| (number(i, "size"), number(i, "scale")))
                .collect();
            let wanted: BTreeSet<(Option<u32>, Option<u32>)> = MOBILE_SIZES
                .iter()
                .flat_map(|&size| {
                    MOBILE_SCALES
                        .iter()
                        .map(move |&scale| (Some(size), Some(scale)))
                })
                .collect();
            if found != wanted || images.len() != wanted.len() {
                defect(
                    problems,
                    format!("renders the mobile button `{id}` with icons {found:?}"),
                    "one icon for each of 25, 32 and 48 at scales 1, 2 and 3",
                );
            }
        }
        _ => {}
    }
}

/// An `ExecuteFunction` action names the function `commands.html` registers, and its form
/// factor loads that page (`FunctionFile`).
fn check_action(action: Node<'_, '_>, problems: &mut Vec<ConfigProblem>) {
    if action.attribute((XSI, "type")) != Some("ExecuteFunction") {
        return;
    }
    let name = action
        .children()
        .find(|node| node.has_tag_name("FunctionName"))
        .and_then(|node| node.text())
        .unwrap_or_default()
        .trim();
    problems.extend(check_function_name(name, XML_TEMPLATE));
    let form_factor = action.ancestors().find(|node| {
        node.has_tag_name("DesktopFormFactor") || node.has_tag_name("MobileFormFactor")
    });
    let has_function_file = form_factor.is_some_and(|form_factor| {
        form_factor
            .children()
            .any(|node| node.has_tag_name("FunctionFile"))
    });
    if !has_function_file {
        defect(
            problems,
            "renders an ExecuteFunction action in a form factor without FunctionFile".into(),
            "a FunctionFile in every form factor with an ExecuteFunction action",
        );
    }
}
