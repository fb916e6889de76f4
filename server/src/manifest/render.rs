//! Renders the manifest templates of `manifest-templates/` (compiled in) with values taken from
//! the settings: XML-escaped for the XML manifest, JSON-escaped for the unified one.

use super::checks::{problem, JSON_TEMPLATE, XML_TEMPLATE};
use super::input::{
    ManifestInput, HIGH_RESOLUTION_ICON_PX, ICON_PX, PACKAGE_ICON_PX, RIBBON_ICON_SIZES,
};
use super::strings::Field;
use super::{package, ManifestError, FUNCTION_NAME, JSON_MANIFEST_VERSION};
use crate::config::{AddinFeatures, AddinToken};
use crate::icons;
use handlebars::Handlebars;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const XML_SOURCE: &str = include_str!("../../../manifest-templates/manifest.xml.hbs");
const JSON_SOURCE: &str = include_str!("../../../manifest-templates/manifest.json.hbs");

/// Shown behind the unified manifest's colour icon.
const ACCENT_COLOR: &str = "#FFFFFF";

/// The unified manifest's JSON schema; Microsoft's tools find it bundled under the same path.
pub(super) fn schema_url(file: &str) -> String {
    format!("https://developer.microsoft.com/json-schemas/teams/v{JSON_MANIFEST_VERSION}/{file}")
}

/// Escapes a value for XML text and attribute values (either quote). Tabs and line breaks
/// become character references so attribute normalisation keeps them; other control
/// characters cannot appear in XML 1.0 at all (the settings checks refuse them first).
pub(super) fn xml_escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' => escaped.push_str("&#9;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            c if c.is_control() => escaped.push(char::REPLACEMENT_CHARACTER),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Escapes a value for the inside of a JSON string literal.
pub(super) fn json_escape(value: &str) -> String {
    let quoted = serde_json::to_string(value).expect("a string serialises");
    quoted[1..quoted.len() - 1].to_string()
}

fn registry(name: &str, source: &str, escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    // A value the template names but the generator does not send is an error, not "".
    registry.set_strict_mode(true);
    registry.register_escape_fn(escape);
    registry
        .register_template_string(name, source)
        .unwrap_or_else(|error| panic!("the built-in template {name} compiles: {error}"));
    registry
}

fn render<T: Serialize>(
    registry: &Handlebars<'static>,
    name: &str,
    data: &T,
) -> Result<String, ManifestError> {
    registry.render(name, data).map_err(|error| {
        ManifestError::Invalid(vec![problem(
            name,
            format!("does not render: {error}"),
            "a template that uses only the values the generator sends",
        )])
    })
}

/// The XML manifest with `version` (unchecked).
pub(super) fn xml(input: &ManifestInput<'_>, version: &str) -> Result<String, ManifestError> {
    static XML: OnceLock<Handlebars<'static>> = OnceLock::new();
    let registry = XML.get_or_init(|| registry(XML_TEMPLATE, XML_SOURCE, xml_escape));
    render(registry, XML_TEMPLATE, &XmlData::new(input, version))
}

/// The unified manifest with `version` (unchecked), as the template lays it out.
pub(super) fn json(input: &ManifestInput<'_>, version: &str) -> Result<String, ManifestError> {
    static JSON: OnceLock<Handlebars<'static>> = OnceLock::new();
    let registry = JSON.get_or_init(|| registry(JSON_TEMPLATE, JSON_SOURCE, json_escape));
    let rendered = render(registry, JSON_TEMPLATE, &JsonData::new(input, version))?;
    if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(&rendered) {
        return Err(ManifestError::Invalid(vec![problem(
            JSON_TEMPLATE,
            format!("renders JSON that does not parse: {error}"),
            "valid JSON",
        )]));
    }
    Ok(rendered)
}

/// A string of the default locale and its translations.
#[derive(Serialize)]
struct Localized<'a> {
    value: &'a str,
    overrides: Vec<Translation<'a>>,
}

#[derive(Serialize)]
struct Translation<'a> {
    locale: &'a str,
    value: &'a str,
}

fn localized<'a>(input: &ManifestInput<'a>, field: Field) -> Localized<'a> {
    let addin = input.addin();
    Localized {
        value: field.value(&addin.strings),
        overrides: addin
            .locales
            .iter()
            .filter_map(|locale| {
                field
                    .override_value(&locale.strings)
                    .map(|value| Translation {
                        locale: &locale.tag,
                        value,
                    })
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct Icon {
    size: u32,
    /// Only for the mobile icons.
    #[serde(skip_serializing_if = "Option::is_none")]
    scale: Option<u32>,
    resid: String,
    url: String,
}

fn ribbon_icons(input: &ManifestInput<'_>) -> Vec<Icon> {
    RIBBON_ICON_SIZES
        .iter()
        .map(|&size| Icon {
            size,
            scale: None,
            resid: format!("vmrIcon{size}"),
            url: input.color_icon_url(size),
        })
        .collect()
}

fn mobile_icons(input: &ManifestInput<'_>) -> Vec<Icon> {
    icons::MOBILE_SIZES
        .iter()
        .flat_map(|&size| {
            icons::MOBILE_SCALES.iter().map(move |&scale| Icon {
                size,
                scale: Some(scale),
                resid: format!("vmrMobile{size}x{scale}"),
                url: input.icon_url(&icons::mobile_file(size, scale)),
            })
        })
        .collect()
}

/// The add-in commands both manifest formats declare, under the same template names.
#[derive(Serialize)]
struct Commands<'a> {
    ribbon_icons: Vec<Icon>,
    mobile_icons: Vec<Icon>,
    features: &'a AddinFeatures,
    function_name: &'static str,
}

impl<'a> Commands<'a> {
    fn new(input: &ManifestInput<'a>) -> Self {
        Self {
            ribbon_icons: ribbon_icons(input),
            mobile_icons: mobile_icons(input),
            features: &input.addin().features,
            function_name: FUNCTION_NAME,
        }
    }
}

#[derive(Serialize)]
struct XmlUrls {
    icon: String,
    high_resolution_icon: String,
    support: Option<String>,
    app_domain: String,
    taskpane: String,
    commands: String,
}

#[derive(Serialize)]
struct XmlSso<'a> {
    client_id: &'a str,
    resource: &'a str,
    scopes: &'a [String],
}

#[derive(Serialize)]
struct XmlData<'a> {
    id: String,
    version: &'a str,
    provider_name: &'a str,
    default_locale: &'a str,
    display_name: Localized<'a>,
    description: Localized<'a>,
    strings: BTreeMap<&'static str, Localized<'a>>,
    urls: XmlUrls,
    #[serde(flatten)]
    commands: Commands<'a>,
    sso: Option<XmlSso<'a>>,
    development_warning: Option<&'static str>,
}

impl<'a> XmlData<'a> {
    fn new(input: &ManifestInput<'a>, version: &'a str) -> Self {
        let addin = input.addin();
        Self {
            id: input.revision.addin_id.to_string(),
            version,
            provider_name: &addin.provider_name,
            default_locale: &addin.default_locale,
            display_name: localized(input, Field::DisplayName),
            description: localized(input, Field::Description),
            strings: Field::ALL
                .iter()
                .map(|&field| (field.name(), localized(input, field)))
                .collect(),
            urls: XmlUrls {
                icon: input.color_icon_url(ICON_PX),
                high_resolution_icon: input.color_icon_url(HIGH_RESOLUTION_ICON_PX),
                support: addin.support_url.as_ref().map(url::Url::to_string),
                app_domain: input.origin(),
                taskpane: input.page_url("taskpane.html"),
                commands: input.page_url("commands.html"),
            },
            commands: Commands::new(input),
            sso: match &addin.token {
                AddinToken::Sso {
                    client_id,
                    resource,
                    scopes,
                } => Some(XmlSso {
                    client_id,
                    resource,
                    scopes,
                }),
                AddinToken::Naa { .. } | AddinToken::Exchange => None,
            },
            development_warning: input.development_warning(),
        }
    }
}

#[derive(Serialize)]
struct Developer {
    name: String,
    website_url: String,
    privacy_url: String,
    terms_of_use_url: String,
}

#[derive(Serialize)]
struct PackageIcons {
    color: String,
    outline: &'static str,
}

#[derive(Serialize)]
struct Language<'a> {
    tag: &'a str,
    file: String,
}

#[derive(Serialize)]
struct JsonUrls {
    commands: String,
    taskpane: String,
}

#[derive(Serialize)]
struct JsonSso<'a> {
    client_id: &'a str,
    resource: &'a str,
}

#[derive(Serialize)]
struct JsonData<'a> {
    schema_url: String,
    manifest_version: &'static str,
    id: String,
    version: &'a str,
    developer: Developer,
    display_name: &'a str,
    description: &'a str,
    default_locale: &'a str,
    strings: BTreeMap<&'static str, &'a str>,
    icons: PackageIcons,
    accent_color: &'static str,
    valid_domain: String,
    languages: Vec<Language<'a>>,
    urls: JsonUrls,
    #[serde(flatten)]
    commands: Commands<'a>,
    sso: Option<JsonSso<'a>>,
}

impl<'a> JsonData<'a> {
    fn new(input: &ManifestInput<'a>, version: &'a str) -> Self {
        let addin = input.addin();
        Self {
            schema_url: schema_url("MicrosoftTeams.schema.json"),
            manifest_version: JSON_MANIFEST_VERSION,
            id: input.revision.addin_id.to_string(),
            version,
            developer: Developer {
                name: addin.provider_name.clone(),
                website_url: input.website_url(),
                privacy_url: input.privacy_url(),
                terms_of_use_url: input.terms_of_use_url(),
            },
            display_name: &addin.strings.display_name,
            description: &addin.strings.description,
            default_locale: &addin.default_locale,
            strings: Field::ALL
                .iter()
                .map(|&field| (field.name(), field.value(&addin.strings)))
                .collect(),
            icons: PackageIcons {
                color: icons::color_file(PACKAGE_ICON_PX),
                outline: icons::OUTLINE_FILE,
            },
            accent_color: ACCENT_COLOR,
            valid_domain: input.origin(),
            languages: addin
                .locales
                .iter()
                .map(|locale| Language {
                    tag: &locale.tag,
                    file: package::language_file(&locale.tag),
                })
                .collect(),
            urls: JsonUrls {
                commands: input.page_url("commands.html"),
                taskpane: input.page_url("taskpane.html"),
            },
            commands: Commands::new(input),
            sso: match &addin.token {
                AddinToken::Sso {
                    client_id,
                    resource,
                    ..
                } => Some(JsonSso {
                    client_id,
                    resource,
                }),
                AddinToken::Naa { .. } | AddinToken::Exchange => None,
            },
        }
    }
}
