//! Every variant of the XML manifest validates with `xmllint` against the Office add-in XSDs:
//! the desktop set, or the mobile-capable set where the manifest has a mobile surface or SSO.

use crate::variants::{input, repository_root, unavailable, TempFile, VARIANTS};
use std::path::PathBuf;
use std::process::Command;
use vmr_scheduler::manifest::generate_xml;

/// The two entry schemas, or `None` (after saying why) when xmllint or the XSDs are missing.
struct Schemas {
    desktop: PathBuf,
    mobile: PathBuf,
}

impl Schemas {
    fn find() -> Option<Self> {
        let dir = repository_root().join("../shared/schemas/office-addin");
        let schemas = Self {
            desktop: dir.join("OfficeAppManifestV1_1.xsd"),
            mobile: dir.join("mobile/OfficeAppManifestV1_1.xsd"),
        };
        if !schemas.desktop.is_file() || !schemas.mobile.is_file() {
            unavailable(
                "VMR_REQUIRE_SCHEMAS",
                &format!("the add-in XSDs are not in {}", dir.display()),
            );
            return None;
        }
        if Command::new("xmllint").arg("--version").output().is_err() {
            unavailable(
                "VMR_REQUIRE_SCHEMAS",
                "xmllint is not installed (Debian: apt-get install libxml2-utils)",
            );
            return None;
        }
        Some(schemas)
    }
}

/// `Ok` if `xml` validates against `schema`, else xmllint's report.
fn validate(schema: &PathBuf, xml: &str) -> Result<(), String> {
    let file = TempFile::with("manifest.xml", xml.as_bytes());
    let output = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema)
        .arg(&file.0)
        .output()
        .expect("xmllint runs");
    let report = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(0) => Ok(()),
        // 3: the document is invalid. Anything else (5: the schema does not compile) is not a
        // verdict on the manifest.
        Some(3) => Err(report),
        other => panic!("xmllint could not validate (exit {other:?}):\n{report}"),
    }
}

#[test]
fn every_variant_validates_against_the_add_in_schemas() {
    let Some(schemas) = Schemas::find() else {
        return;
    };
    for variant in VARIANTS {
        let settings = variant.settings();
        let manifest = generate_xml(&input(&settings))
            .unwrap_or_else(|error| panic!("{}: {error}", variant.name));
        validate(&schemas.mobile, &manifest.text)
            .unwrap_or_else(|report| panic!("{} (mobile schema set):\n{report}", variant.name));
        let desktop = validate(&schemas.desktop, &manifest.text);
        if variant.mobile_schema {
            // The desktop set knows neither MobileFormFactor nor WebApplicationInfo.
            assert!(
                desktop.is_err(),
                "{}: expected the desktop set to refuse it",
                variant.name
            );
        } else {
            desktop.unwrap_or_else(|report| {
                panic!("{} (desktop schema set):\n{report}", variant.name)
            });
        }
    }
}

/// Negative controls: xmllint refuses a manifest broken in ways the schemas know.
#[test]
fn broken_manifests_fail_validation() {
    let Some(schemas) = Schemas::find() else {
        return;
    };
    let settings = VARIANTS[2].settings();
    let manifest = generate_xml(&input(&settings)).unwrap().text;
    let version = manifest
        .lines()
        .find(|line| line.contains("<Version>"))
        .unwrap()
        .to_string();
    let provider = manifest
        .lines()
        .find(|line| line.contains("<ProviderName>"))
        .unwrap()
        .to_string();
    let broken = [
        (
            "ProviderName before Version",
            manifest.replacen(
                &format!("{version}\n{provider}"),
                &format!("{provider}\n{version}"),
                1,
            ),
        ),
        (
            "an https XSI namespace",
            manifest.replacen(
                "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
                "xmlns:xsi=\"https://www.w3.org/2001/XMLSchema-instance\"",
                1,
            ),
        ),
        (
            "an unknown form type",
            manifest.replacen("FormType=\"Edit\"", "FormType=\"Compose\"", 1),
        ),
        (
            "an unknown permission",
            manifest.replacen("ReadWriteItem", "ReadWriteDocument", 1),
        ),
    ];
    for (what, text) in broken {
        assert_ne!(text, manifest, "{what}: the edit changed nothing");
        let report = validate(&schemas.mobile, &text)
            .expect_err(&format!("{what}: expected xmllint to refuse it"));
        assert!(report.contains("fails to validate"), "{what}: {report}");
    }
}
