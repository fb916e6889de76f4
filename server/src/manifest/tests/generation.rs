use super::*;
use crate::icons::IconSet;
use roxmltree::{Document, Node};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The configurations of the add-in section every generator test runs on.
pub(crate) const VARIANTS: &[(&str, &str, &str)] = &[
    ("function command only", "task_pane = false", ""),
    ("task pane only", "function_command = false", ""),
    ("with task pane", "", ""),
    ("with mobile", "mobile = true", ""),
    (
        "with SSO",
        "token = \"sso\"\nscopes = [\"api://vmr.example.org/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41/access_as_user\", \"openid\"]",
        "",
    ),
    ("with two extra locales", "", TWO_LOCALES),
    (
        "with everything",
        "mobile = true\ntoken = \"sso\"\nsupport_url = \"https://help.example.org/vmr\"",
        TWO_LOCALES,
    ),
];

fn elements<'a, 'i>(document: &'a Document<'i>, name: &str) -> Vec<Node<'a, 'i>> {
    document
        .descendants()
        .filter(|node| node.has_tag_name(name))
        .collect()
}

fn text_of(document: &Document<'_>, name: &str) -> String {
    elements(document, name)[0]
        .text()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_variant_generates_both_manifests_and_the_package() {
    for (name, addin, extra) in VARIANTS {
        let settings = settings_with(PUBLIC_URL, addin, extra);
        let input = input(&settings);
        let xml = generate_xml(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(input.development_warning().is_none(), "{name}");
        assert_eq!(xml.version, "1.0.7.0", "{name}");
        assert!(
            xml.text
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OfficeApp"),
            "{name}"
        );
        generate_json(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        generate_package(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            check_settings(input.integration, input.public_url),
            vec![],
            "{name}"
        );
    }
}

#[test]
fn the_xml_manifest_carries_the_id_version_urls_and_names() {
    let settings = settings("support_url = \"https://help.example.org/vmr\"");
    let text = xml(&settings);
    let document = Document::parse(&text).unwrap();
    let root = document.root_element();
    assert_eq!(root.attribute((XSI, "type")), Some("MailApp"));
    assert_eq!(text_of(&document, "Id"), ADDIN_ID);
    assert_eq!(text_of(&document, "Version"), "1.0.7.0");
    assert_eq!(text_of(&document, "ProviderName"), "VMR Scheduling");
    assert_eq!(text_of(&document, "DefaultLocale"), "en-US");
    assert_eq!(text_of(&document, "AppDomain"), PUBLIC_URL);
    let version = settings.integrations[0].addin.icons.version().to_string();
    let attribute = |name: &str| {
        elements(&document, name)[0]
            .attribute("DefaultValue")
            .unwrap()
            .to_string()
    };
    assert_eq!(
        attribute("IconUrl"),
        format!("{PUBLIC_URL}/addin/main/icons/{version}/icon-64.png")
    );
    assert_eq!(
        attribute("HighResolutionIconUrl"),
        format!("{PUBLIC_URL}/addin/main/icons/{version}/icon-128.png")
    );
    assert_eq!(attribute("SupportUrl"), "https://help.example.org/vmr");
    assert_eq!(
        attribute("SourceLocation"),
        format!("{PUBLIC_URL}/addin/main/taskpane.html")
    );
    assert_eq!(attribute("DisplayName"), "VMR Scheduling");
    let commands = elements(&document, "Url")
        .into_iter()
        .find(|url| url.attribute("id") == Some("vmrCommandsUrl"))
        .unwrap();
    assert_eq!(
        commands.attribute("DefaultValue").unwrap(),
        format!("{PUBLIC_URL}/addin/main/commands.html")
    );
    // Without support_url there is no SupportUrl element.
    assert!(!xml(&super::settings("")).contains("<SupportUrl"));
}

/// Each VersionOverrides level holds the desktop ribbon; only the inner one the mobile button.
#[test]
fn features_choose_the_controls_on_each_level() {
    let controls = |addin: &str| {
        let text = xml(&settings(addin));
        let document = Document::parse(&text).unwrap();
        let levels = elements(&document, "VersionOverrides");
        assert_eq!(levels.len(), 2);
        levels
            .iter()
            .map(|level| {
                let mut found: Vec<String> = level
                    .descendants()
                    .filter(|node| node.has_tag_name("Control"))
                    .filter(|node| {
                        node.ancestors()
                            .find(|a| a.has_tag_name("VersionOverrides"))
                            .is_some_and(|a| a == *level)
                    })
                    .map(|node| node.attribute("id").unwrap().to_string())
                    .collect();
                found.sort();
                found
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        controls("task_pane = false"),
        [vec!["vmrAddSingleUseVmr"], vec!["vmrAddSingleUseVmr"]]
    );
    assert_eq!(
        controls("function_command = false"),
        [vec!["vmrOpenTaskPane"], vec!["vmrOpenTaskPane"]]
    );
    let both = vec!["vmrAddSingleUseVmr", "vmrOpenTaskPane"];
    assert_eq!(controls(""), [both.clone(), both.clone()]);
    assert_eq!(
        controls("mobile = true"),
        [
            both.clone(),
            vec![
                "vmrAddSingleUseVmr",
                "vmrMobileAddSingleUseVmr",
                "vmrOpenTaskPane"
            ]
        ]
    );
    let text = xml(&settings("function_command = false"));
    assert!(!text.contains("FunctionName"), "{text}");
    assert!(!text.contains("vmrButtonLabel"), "{text}");
}

#[test]
fn sso_adds_web_application_info_to_the_inner_level_only() {
    let text = xml(&settings("token = \"sso\""));
    let document = Document::parse(&text).unwrap();
    let info = elements(&document, "WebApplicationInfo");
    assert_eq!(info.len(), 1);
    assert_eq!(
        info[0].parent_element().unwrap().attribute((XSI, "type")),
        Some("VersionOverridesV1_1")
    );
    assert_eq!(
        text_of(&document, "Resource"),
        "api://vmr.example.org/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"
    );
    assert_eq!(
        text_of(&document, "Scope"),
        format!(
            "{}/access_as_user",
            "api://vmr.example.org/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"
        )
    );
    assert_eq!(
        elements(&document, "WebApplicationInfo")[0]
            .children()
            .find(|n| n.has_tag_name("Id"))
            .and_then(|n| n.text()),
        Some("6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41")
    );
    assert!(!xml(&settings("")).contains("WebApplicationInfo"));
}

#[test]
fn each_locale_overrides_only_the_strings_it_sets() {
    let text = xml(&settings_with(PUBLIC_URL, "", TWO_LOCALES));
    let document = Document::parse(&text).unwrap();
    let overrides = |locale: &str| {
        elements(&document, "Override")
            .into_iter()
            .filter(|node| node.attribute("Locale") == Some(locale))
            .count()
    };
    // fr-FR: DisplayName and Description, and the 7 resource strings on each of the two levels.
    assert_eq!(overrides("fr-FR"), 2 + 2 * 7);
    // de-DE: the button label on each level.
    assert_eq!(overrides("de-DE"), 2);
    let button = elements(&document, "String")
        .into_iter()
        .find(|node| node.attribute("id") == Some("vmrButtonLabel"))
        .unwrap();
    let german = button
        .children()
        .find(|node| node.attribute("Locale") == Some("de-DE"))
        .unwrap();
    assert_eq!(german.attribute("Value"), Some("Videokonferenz hinzufügen"));
}

#[test]
fn values_are_escaped_for_each_format() {
    let tricky = r#"Tom & "Jerry's" <Rooms> {{x}}"#;
    let mut settings = settings("");
    settings.integrations[0].addin.strings.display_name = tricky.into();
    let text = xml(&settings);
    let document = Document::parse(&text).unwrap();
    assert_eq!(
        elements(&document, "DisplayName")[0].attribute("DefaultValue"),
        Some(tricky)
    );
    assert_eq!(json(&settings)["name"]["short"], tricky);
}

#[test]
fn the_unified_manifest_mirrors_the_settings() {
    let settings = settings_with(PUBLIC_URL, "mobile = true\ntoken = \"sso\"", TWO_LOCALES);
    let manifest = json(&settings);
    assert_eq!(
        manifest["$schema"],
        format!("https://developer.microsoft.com/json-schemas/teams/v{JSON_MANIFEST_VERSION}/MicrosoftTeams.schema.json")
    );
    assert_eq!(manifest["manifestVersion"], JSON_MANIFEST_VERSION);
    assert_eq!(manifest["id"], ADDIN_ID);
    assert_eq!(manifest["version"], "1.0.7");
    assert_eq!(manifest["name"]["short"], "VMR Scheduling");
    assert_eq!(manifest["validDomains"], serde_json::json!([PUBLIC_URL]));
    assert_eq!(
        manifest["developer"]["websiteUrl"],
        format!("{PUBLIC_URL}/")
    );
    assert_eq!(
        manifest["webApplicationInfo"]["id"],
        "6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"
    );
    assert_eq!(
        manifest["authorization"]["permissions"]["resourceSpecific"][0]["name"],
        "MailboxItem.ReadWrite.User"
    );
    let extension = &manifest["extensions"][0];
    assert_eq!(
        extension["requirements"]["scopes"],
        serde_json::json!(["mail"])
    );
    assert_eq!(
        extension["runtimes"][0]["code"]["page"],
        format!("{PUBLIC_URL}/addin/main/commands.html")
    );
    assert_eq!(extension["runtimes"][0]["actions"][0]["id"], FUNCTION_NAME);
    assert_eq!(
        extension["runtimes"][0]["actions"][0]["type"],
        "executeFunction"
    );
    assert_eq!(extension["runtimes"][1]["actions"][0]["type"], "openPage");
    let ribbon = &extension["ribbons"][0];
    assert_eq!(
        ribbon["contexts"],
        serde_json::json!(["meetingDetailsOrganizer", "onlineMeetingDetailsOrganizer"])
    );
    let tab = &ribbon["tabs"][0];
    assert_eq!(tab["builtInTabId"], "TabDefault");
    assert_eq!(tab["groups"][0]["controls"].as_array().unwrap().len(), 2);
    let mobile = &tab["customMobileRibbonGroups"][0]["controls"][0];
    assert_eq!(mobile["type"], "mobileButton");
    assert_eq!(mobile["icons"].as_array().unwrap().len(), 9);
    assert_eq!(mobile["actionId"], FUNCTION_NAME);
    assert_eq!(
        manifest["localizationInfo"]["additionalLanguages"],
        serde_json::json!([
            { "languageTag": "de-DE", "file": "de-DE.json" },
            { "languageTag": "fr-FR", "file": "fr-FR.json" },
        ])
    );
    // Without mobile, SSO and locales these parts are absent.
    let plain = json(&super::settings("task_pane = false"));
    assert_eq!(
        plain["extensions"][0]["ribbons"][0]["contexts"],
        serde_json::json!(["meetingDetailsOrganizer"])
    );
    assert!(plain.get("webApplicationInfo").is_none());
    assert!(plain["localizationInfo"]
        .get("additionalLanguages")
        .is_none());
    assert!(plain["extensions"][0]["ribbons"][0]["tabs"][0]
        .get("customMobileRibbonGroups")
        .is_none());
    assert_eq!(
        plain["extensions"][0]["runtimes"].as_array().unwrap().len(),
        1
    );
}

/// `make run` serves on http://localhost: the manifests are generated, marked for local testing.
#[test]
fn a_loopback_http_public_url_makes_a_local_testing_manifest() {
    let settings = settings_with("http://localhost:8080", "", "");
    let manifest = generate_xml(&input(&settings)).unwrap();
    let warning = input(&settings).development_warning().expect("warning");
    assert!(warning.contains("https"), "{warning}");
    assert!(
        manifest.text.contains(&format!("<!-- {warning} -->")),
        "{}",
        manifest.text
    );
    assert!(manifest
        .text
        .contains("DefaultValue=\"http://localhost:8080/addin/main/commands.html\""));
    assert!(generate_json(&input(&settings)).is_ok());
}

#[test]
fn versions_have_at_most_five_digits() {
    let settings = settings("");
    let mut input = input(&settings);
    input.revision = revision(MAX_VERSION.into());
    assert!(generate_xml(&input)
        .unwrap()
        .text
        .contains("<Version>1.0.99999.0</Version>"));
    assert_eq!(
        json_version(&generate_json(&input).unwrap().text),
        "1.0.99999"
    );
    input.revision = revision(u64::from(MAX_VERSION) + 1);
    for error in [
        generate_xml(&input).unwrap_err(),
        generate_json(&input).unwrap_err(),
    ] {
        assert!(
            matches!(&error, ManifestError::VersionExhausted { integration, version: 100_000 } if integration == "main"),
            "{error:?}"
        );
        assert!(error.to_string().contains("99999"), "{error}");
    }
}

fn json_version(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text).unwrap()["version"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The fingerprint (of a draft: version 0) changes with any content, including the icon.
#[test]
fn the_fingerprint_follows_the_content() {
    let settings = settings("");
    fn draft(settings: &Settings) -> ManifestInput<'_> {
        ManifestInput {
            revision: revision(0),
            ..input(settings)
        }
    }
    let base = draft(&settings);
    let fingerprint = |input: &ManifestInput<'_>| versioning::fingerprint(input).unwrap();
    let first = fingerprint(&base);
    assert_eq!(first.len(), 64);
    assert_eq!(fingerprint(&base), first);

    let mut relabelled = settings.clone();
    relabelled.integrations[0].addin.strings.button_label = "Add a room".into();
    assert_ne!(fingerprint(&draft(&relabelled)), first);

    let dir = std::env::temp_dir().join(format!("vmr-manifest-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let icon = dir.join("icon.svg");
    std::fs::write(
        &icon,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="2" y="2" width="12" height="12" fill="#0a6"/></svg>"##,
    )
    .unwrap();
    let mut new_icon = settings.clone();
    new_icon.integrations[0].addin.icons = IconSet::load(Some(&icon)).expect("icon renders");
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(fingerprint(&draft(&new_icon)), first);
}
