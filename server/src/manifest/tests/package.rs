//! The app package: its files, and language files whose keys address the manifest's strings.

use super::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut contents = Vec::new();
            file.read_to_end(&mut contents).unwrap();
            (file.name().unwrap().to_string(), contents)
        })
        .collect()
}

/// The value at a language file key such as `extensions[0].ribbons[0].tabs[0].label`.
fn at<'a>(manifest: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(manifest, |value, part| {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (
                name,
                Some(rest.trim_end_matches(']').parse::<usize>().ok()?),
            ),
            None => (part, None),
        };
        let value = value.get(name)?;
        match index {
            Some(index) => value.get(index),
            None => Some(value),
        }
    })
}

#[test]
fn the_package_holds_the_manifest_its_icons_and_language_files() {
    let settings = settings_with(PUBLIC_URL, "mobile = true", TWO_LOCALES);
    let input = input(&settings);
    let package = generate_package(&input).unwrap();
    assert_eq!(
        generate_package(&input).unwrap(),
        package,
        "same input, same bytes"
    );
    let files = unzip(&package);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "de-DE.json",
            "fr-FR.json",
            "icon-192.png",
            "manifest.json",
            "outline-32.png"
        ]
    );
    assert_eq!(
        files["manifest.json"],
        generate_json(&input).unwrap().text.into_bytes()
    );
    let icons = &settings.integrations[0].addin.icons;
    assert_eq!(files["icon-192.png"], icons.file("icon-192.png").unwrap());
    assert_eq!(
        files["outline-32.png"],
        icons.file("outline-32.png").unwrap()
    );
    let german: Value = serde_json::from_slice(&files["de-DE.json"]).unwrap();
    // Untranslated names fall back to the default locale's; the schema requires them.
    assert_eq!(german["name.short"], "VMR Scheduling");
    assert_eq!(
        german["extensions[0].ribbons[0].tabs[0].groups[0].controls[0].label"],
        "Videokonferenz hinzufügen"
    );
    assert_eq!(
        german["extensions[0].ribbons[0].tabs[0].customMobileRibbonGroups[0].controls[0].label"],
        "Videokonferenz hinzufügen"
    );
    assert!(german
        .get("extensions[0].ribbons[0].tabs[0].groups[0].label")
        .is_none());
}

/// Whatever the buttons, each translated key addresses a string of the manifest, and its
/// default value is the default locale's value of the same setting.
#[test]
fn language_file_keys_address_the_manifest_strings() {
    for addin in [
        "",
        "task_pane = false",
        "function_command = false",
        "mobile = true",
    ] {
        let settings = settings_with(PUBLIC_URL, addin, TWO_LOCALES);
        let manifest = json(&settings);
        let input = input(&settings);
        let french = crate::manifest::package::language_files(&input)
            .into_iter()
            .find(|(file, _)| file == "fr-FR.json")
            .unwrap()
            .1;
        let french: Value = serde_json::from_str(&french).unwrap();
        let english = &settings.integrations[0].addin.strings;
        let french_strings = &settings.integrations[0].addin.locales[1].strings;
        assert_eq!(settings.integrations[0].addin.locales[1].tag, "fr-FR");
        let mut translated = 0;
        for (key, value) in french.as_object().unwrap() {
            if key == "$schema" {
                continue;
            }
            let original = at(&manifest, key)
                .unwrap_or_else(|| panic!("{addin}: `{key}` addresses nothing"))
                .as_str()
                .unwrap();
            let field = crate::manifest::strings::Field::ALL
                .into_iter()
                .find(|field| {
                    field.value(english) == original
                        && field.override_value(french_strings) == value.as_str()
                })
                .unwrap_or_else(|| {
                    panic!("{addin}: `{key}` = {value} translates no setting showing `{original}`")
                });
            assert!(
                field.in_use(&settings.integrations[0].addin.features),
                "{addin}: {key}"
            );
            translated += 1;
        }
        assert!(translated >= 6, "{addin}: {french:#}");
    }
}
