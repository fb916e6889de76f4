//! Every variant's app package holds a unified manifest and language files valid against
//! Microsoft's JSON schemas (npm `@microsoft/app-manifest`, draft-04), and the icons it names.

use crate::variants::{input, repository_root, unavailable, VARIANTS};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use vmr_scheduler::manifest::{generate_package, JSON_MANIFEST_VERSION};

struct Schemas {
    manifest: jsonschema::Validator,
    localization: jsonschema::Validator,
}

impl Schemas {
    /// The schemas of the manifest version the generator writes, or `None` (after saying why)
    /// when the npm package is not installed.
    fn find() -> Option<Self> {
        let package = std::env::var_os("VMR_APP_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                repository_root().join("addin-web/node_modules/@microsoft/app-manifest")
            });
        let dir = package.join(format!("build/json-schemas/teams/v{JSON_MANIFEST_VERSION}"));
        let load = |file: &str| -> Option<Value> {
            let text = std::fs::read_to_string(dir.join(file)).ok()?;
            Some(serde_json::from_str(&text).expect("the schema is JSON"))
        };
        let (Some(manifest), Some(localization)) = (
            load("MicrosoftTeams.schema.json"),
            load("MicrosoftTeams.Localization.schema.json"),
        ) else {
            unavailable(
                "VMR_REQUIRE_NODE_MODULES",
                &format!(
                    "the unified manifest schemas are not in {} (run `npm ci` in addin-web)",
                    dir.display()
                ),
            );
            return None;
        };
        let compile = |schema: &Value| {
            assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
            jsonschema::draft4::new(schema).expect("the schema compiles")
        };
        Some(Self {
            manifest: compile(&manifest),
            localization: compile(&localization),
        })
    }
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut contents = Vec::new();
            file.read_to_end(&mut contents).unwrap();
            (
                file.name().expect("a UTF-8 file name").to_string(),
                contents,
            )
        })
        .collect()
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let image =
        image::load_from_memory_with_format(bytes, image::ImageFormat::Png).expect("a PNG file");
    (image.width(), image.height())
}

#[test]
fn every_variant_packages_a_valid_unified_manifest() {
    let Some(schemas) = Schemas::find() else {
        return;
    };
    for variant in VARIANTS {
        let settings = variant.settings();
        let package = generate_package(&input(&settings))
            .unwrap_or_else(|error| panic!("{}: {error}", variant.name));
        let mut files = unzip(&package);
        let manifest: Value =
            serde_json::from_slice(&files.remove("manifest.json").expect("manifest.json"))
                .expect("manifest.json is JSON");
        let found = errors(&schemas.manifest, &manifest);
        assert!(
            found.is_empty(),
            "{}: {found:#?}\n{manifest:#}",
            variant.name
        );
        for (key, side) in [("color", 192), ("outline", 32)] {
            let file = manifest["icons"][key].as_str().unwrap();
            let bytes = files
                .remove(file)
                .unwrap_or_else(|| panic!("{}: no {file}", variant.name));
            assert_eq!(png_size(&bytes), (side, side), "{}: {file}", variant.name);
        }
        let languages = manifest["localizationInfo"]["additionalLanguages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for language in &languages {
            let file = language["file"].as_str().unwrap();
            let bytes = files
                .remove(file)
                .unwrap_or_else(|| panic!("{}: no {file}", variant.name));
            let strings: Value = serde_json::from_slice(&bytes).expect("a language file is JSON");
            let found = errors(&schemas.localization, &strings);
            assert!(
                found.is_empty(),
                "{}: {file}: {found:#?}\n{strings:#}",
                variant.name
            );
        }
        assert!(
            files.is_empty(),
            "{}: unexpected files {:?}",
            variant.name,
            files.keys()
        );
    }
}

/// Negative controls: the schemas refuse a broken manifest and a broken language file.
#[test]
fn broken_documents_fail_validation() {
    let Some(schemas) = Schemas::find() else {
        return;
    };
    let settings = VARIANTS[VARIANTS.len() - 1].settings();
    let files = unzip(&generate_package(&input(&settings)).unwrap());
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert!(errors(&schemas.manifest, &manifest).is_empty());
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 4] = [
        ("no id", |m| {
            m.as_object_mut().unwrap().remove("id");
        }),
        ("an http page", |m| {
            m["extensions"][0]["runtimes"][0]["code"]["page"] =
                json!("http://vmr.example.org/addin/main/commands.html");
        }),
        ("a 31-character short name", |m| {
            m["name"]["short"] = json!("x".repeat(31));
        }),
        ("an unknown ribbon context", |m| {
            m["extensions"][0]["ribbons"][0]["contexts"] = json!(["appointmentOrganizer"]);
        }),
    ];
    for (what, edit) in edits {
        let mut broken = manifest.clone();
        edit(&mut broken);
        assert!(
            !errors(&schemas.manifest, &broken).is_empty(),
            "{what}: expected the schema to refuse it"
        );
    }
    let mut strings: Value = serde_json::from_slice(&files["fr-FR.json"]).unwrap();
    assert!(errors(&schemas.localization, &strings).is_empty());
    strings["extensions[0].ribbons[0].tabs[0].groups[0].controls[0].tooltip"] = json!("x");
    assert!(
        !errors(&schemas.localization, &strings).is_empty(),
        "expected the localization schema to refuse an unknown key"
    );
}
