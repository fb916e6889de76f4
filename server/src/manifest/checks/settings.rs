//! Checks of the settings a manifest is made from: string lengths counted in characters, locale
//! names, and the icon files the manifests refer to.

use super::problem;
use crate::config::{AddinToken, ConfigProblem};
use crate::icons;
use crate::manifest::input::{
    ManifestInput, HIGH_RESOLUTION_ICON_PX, ICON_PX, PACKAGE_ICON_PX, RIBBON_ICON_SIZES,
};
use crate::manifest::strings::{Field, Limit};
use crate::manifest::Format;
use regex::Regex;
use std::sync::OnceLock;

/// Every problem the add-in's settings cause in the given formats; at most one per value: the
/// tightest limit it breaks.
pub(in crate::manifest) fn check(
    input: &ManifestInput<'_>,
    formats: &[Format],
) -> Vec<ConfigProblem> {
    let mut problems: Vec<ConfigProblem> = texts(input, formats)
        .iter()
        .filter_map(Text::check)
        .collect();
    problems.extend(check_locales(input, formats));
    problems.extend(check_icons(input, formats));
    problems
}

/// A string of the settings with its key and the limits of the places it appears.
struct Text<'a> {
    key: String,
    value: &'a str,
    limits: Vec<Limit>,
}

impl Text<'_> {
    fn check(&self) -> Option<ConfigProblem> {
        let tightest = self.limits.iter().map(|limit| limit.max).min()?;
        if self.value.trim().is_empty() {
            return Some(problem(
                &self.key,
                "is empty",
                format!("1 to {tightest} characters"),
            ));
        }
        if let Some(control) = self.value.chars().find(|c| c.is_control()) {
            return Some(problem(
                &self.key,
                format!(
                    "contains the control character U+{:04X}",
                    u32::from(control)
                ),
                "one line of text",
            ));
        }
        let length = self.value.chars().count();
        let broken = self
            .limits
            .iter()
            .filter(|limit| length > limit.max)
            .min_by_key(|limit| limit.max)?;
        let source = broken
            .source
            .map(|source| format!(" ({source})"))
            .unwrap_or_default();
        Some(problem(
            &self.key,
            format!("is {length} characters"),
            format!("at most {}{source}", broken.max),
        ))
    }
}

fn texts<'a>(input: &ManifestInput<'a>, formats: &[Format]) -> Vec<Text<'a>> {
    let addin = input.addin();
    let features = &addin.features;
    let mut texts = Vec::new();
    for field in Field::ALL.into_iter().filter(|f| f.in_use(features)) {
        let limits: Vec<Limit> = formats.iter().map(|&f| field.limit(f, features)).collect();
        texts.push(Text {
            key: input.key(field.name()),
            value: field.value(&addin.strings),
            limits: limits.clone(),
        });
        for locale in &addin.locales {
            if let Some(value) = field.override_value(&locale.strings) {
                texts.push(Text {
                    key: input.locale_key(&locale.tag, field.name()),
                    value,
                    limits: limits.clone(),
                });
            }
        }
    }
    texts.push(Text {
        key: input.key("provider_name"),
        value: &addin.provider_name,
        limits: formats
            .iter()
            .map(|format| match format {
                Format::Xml => Limit::SHORT,
                Format::Json => Limit::from(32, "the unified manifest's developer.name"),
            })
            .collect(),
    });
    if let AddinToken::Sso {
        resource, scopes, ..
    } = &addin.token
    {
        // WebApplicationInfo: only the XML manifest lists the scopes.
        let resource_limits = formats
            .iter()
            .map(|format| match format {
                Format::Xml => Limit::LONG,
                Format::Json => Limit::from(2048, "the unified manifest's webApplicationInfo"),
            })
            .collect();
        texts.push(Text {
            key: input.key("sso_resource"),
            value: resource,
            limits: resource_limits,
        });
        if formats.contains(&Format::Xml) {
            texts.extend(scopes.iter().map(|scope| Text {
                key: input.key("scopes"),
                value: scope,
                limits: vec![Limit::LONG],
            }));
        }
    }
    texts
}

/// Office's `CultureName` (XML) and the unified manifest's `languageTag` are narrower than the
/// locale names the configuration accepts.
fn check_locales(input: &ManifestInput<'_>, formats: &[Format]) -> Vec<ConfigProblem> {
    static CULTURE_NAME: OnceLock<Regex> = OnceLock::new();
    static LANGUAGE_TAG: OnceLock<Regex> = OnceLock::new();
    let culture_name = CULTURE_NAME.get_or_init(|| {
        Regex::new(
            r"^(?:[a-zA-Z]{2,3}-[a-zA-Z0-9]{3,8}(?:-[a-zA-Z]{2,3})?|[a-zA-Z]{2,3}(?:-[a-zA-Z]{2,3}(?:_tradnl|\.pseudo|-[a-zA-Z]{4,8})?)?)$",
        )
        .expect("valid pattern")
    });
    let language_tag = LANGUAGE_TAG.get_or_init(|| {
        Regex::new(r"^[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8}){0,2}$").expect("valid pattern")
    });
    let addin = input.addin();
    let tags = std::iter::once((input.key("default_locale"), addin.default_locale.as_str())).chain(
        addin.locales.iter().map(|locale| {
            (
                input.key(&format!("locales.{}", locale.tag)),
                locale.tag.as_str(),
            )
        }),
    );
    tags.filter(|(_, tag)| {
        formats.iter().any(|format| match format {
            Format::Xml => !culture_name.is_match(tag),
            Format::Json => !language_tag.is_match(tag),
        })
    })
    .map(|(key, tag)| {
        problem(
            key,
            format!("`{tag}` is not a culture name Office accepts"),
            "a language and region such as en-US, fr-FR or zh-Hant-TW",
        )
    })
    .collect()
}

/// The icon files the manifest of `format` refers to.
fn icon_files(input: &ManifestInput<'_>, format: Format) -> Vec<String> {
    let mut files: Vec<String> = RIBBON_ICON_SIZES
        .iter()
        .map(|&px| icons::color_file(px))
        .collect();
    match format {
        Format::Xml => files.extend([ICON_PX, HIGH_RESOLUTION_ICON_PX].map(icons::color_file)),
        Format::Json => files.extend([
            icons::color_file(PACKAGE_ICON_PX),
            icons::OUTLINE_FILE.to_string(),
        ]),
    }
    if input.addin().features.mobile {
        for &size in icons::MOBILE_SIZES {
            files.extend(
                icons::MOBILE_SCALES
                    .iter()
                    .map(|&scale| icons::mobile_file(size, scale)),
            );
        }
    }
    files
}

fn check_icons(input: &ManifestInput<'_>, formats: &[Format]) -> Vec<ConfigProblem> {
    let icon_set = &input.addin().icons;
    check_icon_files(input, formats, |file| icon_set.file(file).is_some())
}

/// Every icon file the manifests of `formats` refer to exists (`exists` answers for the icon
/// set).
pub(in crate::manifest) fn check_icon_files(
    input: &ManifestInput<'_>,
    formats: &[Format],
    exists: impl Fn(&str) -> bool,
) -> Vec<ConfigProblem> {
    let mut missing: Vec<String> = formats
        .iter()
        .flat_map(|&format| icon_files(input, format))
        .filter(|file| !exists(file))
        .collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![problem(
        input.key("icon"),
        format!("was not rendered as {}", missing.join(", ")),
        "an icon the service renders at every size the manifests list",
    )]
}
