//! `manifest xml|json`.

use super::support::*;

/// `manifest <args>` with `config` on a SQLite database in `dir` (the add-in id lives there).
fn manifest(dir: &TempDir, config: &Path, args: &[&str]) -> Output {
    let database = format!("sqlite://{}/manifest.db", dir.path().display());
    let mut all = vec!["--config", config.to_str().unwrap(), "manifest"];
    all.extend_from_slice(args);
    run(
        dir.path(),
        &all,
        &[("VMR_SCHEDULER__DATABASE__URL", &database)],
    )
}

/// The text of the first element `name` of an XML document.
fn xml_element(xml: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {open} in {xml}"))
        + open.len();
    xml[start..start + xml[start..].find('<').unwrap()].to_string()
}

#[test]
fn manifest_xml_prints_the_manifest_with_the_stored_id_and_version() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let output = manifest(&dir, &config, &["xml"]);
    assert_exit(&output, 0);
    let xml = stdout(&output);
    assert!(xml.starts_with("<?xml"), "{}", describe(&output));
    let id = xml_element(&xml, "Id");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(xml_element(&xml, "Version"), "1.0.1.0");
    // The example serves on http://localhost: fine for a look, not for Outlook.
    assert!(
        stderr(&output).contains("warning: For local testing only"),
        "{}",
        describe(&output)
    );

    let again = manifest(&dir, &config, &["xml", "--integration", "demo"]);
    assert_exit(&again, 0);
    assert_eq!(xml_element(&stdout(&again), "Id"), id);
    assert_eq!(xml_element(&stdout(&again), "Version"), "1.0.1.0");

    let out = dir.path().join("demo-manifest.xml");
    let written = manifest(&dir, &config, &["xml", "--out", out.to_str().unwrap()]);
    assert_exit(&written, 0);
    assert!(stdout(&written).is_empty(), "{}", describe(&written));
    assert!(
        stderr(&written).contains("(version 1.0.1.0)"),
        "{}",
        describe(&written)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), xml);
}

#[test]
fn manifest_json_writes_the_app_package() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let out = dir.path().join("package.zip");
    let output = manifest(&dir, &config, &["json", "--out", out.to_str().unwrap()]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("(version 1.0.1)"),
        "{}",
        describe(&output)
    );
    let package = std::fs::read(&out).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&package)).expect("a zip file");
    assert!(archive.by_name("manifest.json").is_ok());
    // Standard output is not a terminal here, so the zip may go there too.
    let piped = manifest(&dir, &config, &["json"]);
    assert_exit(&piped, 0);
    assert_eq!(piped.stdout, package);
}

#[test]
fn manifest_names_the_integrations_to_choose_from() {
    let dir = TempDir::new();
    let example = std::fs::read_to_string(dir.example_config()).unwrap();
    let second = example
        .replace("[integrations.demo", "[integrations.second")
        .split_once("[integrations.second]")
        .map(|(_, rest)| format!("[integrations.second]{rest}"))
        .unwrap()
        .replace("vmr-resource@example.com", "second-resource@example.com");
    let config = dir.write("two.toml", &format!("{example}\n{second}"));
    let output = manifest(&dir, &config, &["xml"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("2 integrations (demo, second); choose one with --integration"),
        "{}",
        describe(&output)
    );
    let output = manifest(&dir, &config, &["xml", "--integration", "third"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output)
            .contains("no integration named `third`; the configuration has: demo, second"),
        "{}",
        describe(&output)
    );
    let output = manifest(&dir, &config, &["xml", "--integration", "second"]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("/addin/second/commands.html"),
        "{}",
        describe(&output)
    );
}
