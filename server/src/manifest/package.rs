//! The Microsoft 365 app package: `manifest.json`, its colour and outline icons, and one
//! language file per extra locale, zipped with fixed timestamps (same input, same bytes).

use super::checks::problem;
use super::input::{ManifestInput, PACKAGE_ICON_PX};
use super::render::schema_url;
use super::strings::Field;
use super::ManifestError;
use crate::config::AddinLocale;
use crate::icons;
use serde_json::{Map, Value};
use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub(super) const MANIFEST_FILE: &str = "manifest.json";

/// The language file of `tag` inside the package.
pub(super) fn language_file(tag: &str) -> String {
    format!("{tag}.json")
}

/// Where the localizable strings sit in the unified manifest, as the language files address
/// them (see `manifest.json.hbs`).
const GROUP: &str = "extensions[0].ribbons[0].tabs[0].groups[0]";
const MOBILE_GROUP: &str = "extensions[0].ribbons[0].tabs[0].customMobileRibbonGroups[0]";

/// The language files: `(file name, JSON text)` per extra locale.
pub(super) fn language_files(input: &ManifestInput<'_>) -> Vec<(String, String)> {
    input
        .addin()
        .locales
        .iter()
        .map(|locale| {
            let strings = Value::Object(localization(input, locale));
            let text = serde_json::to_string_pretty(&strings).expect("a JSON value serialises");
            (language_file(&locale.tag), text)
        })
        .collect()
}

fn localization(input: &ManifestInput<'_>, locale: &AddinLocale) -> Map<String, Value> {
    let addin = input.addin();
    let features = &addin.features;
    let translated = |field: Field| field.override_value(&locale.strings);
    // The schema requires the names and descriptions in every language file.
    let or_default =
        |field: Field| translated(field).unwrap_or_else(|| field.value(&addin.strings));
    let mut strings = Map::new();
    let mut put = |key: String, value: &str| {
        strings.insert(key, Value::String(value.to_string()));
    };
    put(
        "$schema".into(),
        &schema_url("MicrosoftTeams.Localization.schema.json"),
    );
    put("name.short".into(), or_default(Field::DisplayName));
    put("name.full".into(), or_default(Field::DisplayName));
    put("description.short".into(), or_default(Field::Description));
    put("description.full".into(), or_default(Field::Description));
    // Keys of the strings this locale translates: (field, path in manifest.json).
    let mut paths = vec![(Field::GroupLabel, format!("{GROUP}.label"))];
    let task_pane_control = usize::from(features.function_command);
    if features.function_command {
        paths.extend([
            (Field::ButtonLabel, format!("{GROUP}.controls[0].label")),
            (
                Field::SupertipTitle,
                format!("{GROUP}.controls[0].supertip.title"),
            ),
            (
                Field::SupertipDescription,
                format!("{GROUP}.controls[0].supertip.description"),
            ),
        ]);
    }
    if features.task_pane {
        let control = format!("{GROUP}.controls[{task_pane_control}]");
        paths.extend([
            (Field::TaskPaneButtonLabel, format!("{control}.label")),
            (
                Field::TaskPaneButtonLabel,
                format!("{control}.supertip.title"),
            ),
            (
                Field::TaskPaneSupertipDescription,
                format!("{control}.supertip.description"),
            ),
        ]);
    }
    if features.mobile {
        paths.extend([
            (Field::GroupLabel, format!("{MOBILE_GROUP}.label")),
            (
                Field::ButtonLabel,
                format!("{MOBILE_GROUP}.controls[0].label"),
            ),
        ]);
    }
    for (field, path) in paths {
        if let Some(value) = translated(field) {
            put(path, value);
        }
    }
    strings
}

/// Zips the package; `manifest` is the checked `manifest.json`.
pub(super) fn build(input: &ManifestInput<'_>, manifest: &str) -> Result<Vec<u8>, ManifestError> {
    let icon_set = &input.addin().icons;
    let mut files = vec![(MANIFEST_FILE.to_string(), manifest.as_bytes().to_vec())];
    for file in [
        icons::color_file(PACKAGE_ICON_PX),
        icons::OUTLINE_FILE.to_string(),
    ] {
        // The settings checks of the unified manifest have made sure both exist.
        let bytes = icon_set.file(&file).ok_or_else(|| {
            invalid(
                input.key("icon"),
                format!("was not rendered as {file}"),
                "an icon the service renders at every size the manifests list",
            )
        })?;
        files.push((file, bytes.to_vec()));
    }
    files.extend(
        language_files(input)
            .into_iter()
            .map(|(file, text)| (file, text.into_bytes())),
    );
    zip(&files).map_err(|error| {
        invalid(
            input.key("locales"),
            format!("cannot be packaged: {error}"),
            "a package of manifest.json, two icons and the language files",
        )
    })
}

fn invalid(key: String, what: String, expected: &str) -> ManifestError {
    ManifestError::Invalid(vec![problem(key, what, expected)])
}

fn zip(files: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT);
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}
