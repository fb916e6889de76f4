//! The `vmr-scheduler` command line: `check-config`, `render-template` and how the configuration
//! file is chosen, run as the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use vmr_scheduler::templates::TemplateName;

const BIN: &str = env!("CARGO_BIN_EXE_vmr-scheduler");
const EXAMPLE_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/example.toml");

/// A JWKS with one 2048-bit RSA signing key (public part only).
const TEST_JWKS: &str = r#"{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"test-key","e":"AQAB","n":"pvTGLwIr06L8FDostogpC0Ppk5cEGQ2QdRcdIDe1prYg0FiwfvdNm_E2BZPpiGhoqCPsFTsIKIjQ057KsEygvmgiKiMqx0pZwSkdy1C-5jMVRMMn6Xcx2YgZhH7ybTdLR82cv8WHYwvzvghTwfxrXJgJsINyhRsPrTYD-QG9WWtaK7ksAjdCWcG8SipDB8gj67zepXrTmByBwwTRQyjcku_68YFvsg0aMpv2DzvZYp4pzF8agAbLYcxb9WORyFMCRmyPQ4v9rOaex4MbHiR0OUddPlrR6f27zsBQxqySxEBmvPqBpYt8_fmbnrL-csD-8U00Uq4f_6eILsgi_S2mNw"}]}"#;

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("vmr-cli-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `config/example.toml` with its `jwks_file` pointing to a key set written in this folder.
    fn example_config(&self) -> PathBuf {
        let jwks = self.write("jwks.json", TEST_JWKS);
        let example = std::fs::read_to_string(EXAMPLE_CONFIG).unwrap();
        let needle = "jwks_file = \"../.dev/jwks.json\"";
        assert!(example.contains(needle), "{EXAMPLE_CONFIG} changed");
        let config = example.replace(
            needle,
            &format!("jwks_file = {:?}", jwks.display().to_string()),
        );
        self.write("vmr-scheduler-example.toml", &config)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary run in `dir`, without any configuration variable inherited from this process.
fn command(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("VMR_SCHEDULER") {
            command.env_remove(name);
        }
    }
    command
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = command(dir);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run vmr-scheduler")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", describe(output));
}

const BROKEN: &str = r#"[server]
listen = "127.0.0.1:8080"
public_url = "https://vmr.example.com"
cors_allowed_origins = ["https://outlook.office.com/mail"]

[logging]
format = "xml"

[integrations.main]
equipment_resource = { name = "Video Meeting Room", email = "not-an-address" }

[integrations.main.aliases]
prefix = "1meet"
domain = "vc.example.com"
suffix_length = 4

[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
"#;

const BROKEN_KEYS: &[&str] = &[
    "server.cors_allowed_origins",
    "logging.format",
    "integrations.main.equipment_resource.email",
    "integrations.main.aliases.prefix",
    "integrations.main.aliases.suffix_length",
];

#[test]
fn check_config_accepts_the_example_configuration() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let output = run(
        dir.path(),
        &["--config", config.to_str().unwrap(), "check-config"],
        &[],
    );
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(
        out.contains("configuration is valid"),
        "{}",
        describe(&output)
    );
    assert!(out.contains(config.to_str().unwrap()), "{out}");
    assert!(out.contains("1 integration(s): demo"), "{out}");
    // The copy has no add-in-web/node_modules next to it: the only thing said is how to get
    // the npm files the add-in pages need.
    let err = stderr(&output);
    assert!(
        err.lines()
            .all(|line| line.starts_with("warning:") && line.contains("npm ci")),
        "{}",
        describe(&output)
    );
}

#[test]
fn relative_paths_in_the_example_are_taken_from_its_folder() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::create_dir_all(dir.path().join(".dev")).unwrap();
    dir.write(".dev/jwks.json", TEST_JWKS);
    let example = std::fs::read_to_string(EXAMPLE_CONFIG).unwrap();
    dir.write("config/example.toml", &example);
    // Run from the folder above `config/`, where `../.dev` would be outside the tree.
    let output = run(
        dir.path(),
        &["--config", "config/example.toml", "check-config"],
        &[],
    );
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("configuration is valid"),
        "{}",
        describe(&output)
    );
}

#[test]
fn check_config_lists_every_problem_with_its_key_one_per_line() {
    let dir = TempDir::new();
    let config = dir.write("broken.toml", BROKEN);
    let output = run(
        dir.path(),
        &["check-config", "--config", config.to_str().unwrap()],
        &[],
    );
    assert_exit(&output, 2);
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "configuration file {} has {} problem(s):",
            config.display(),
            BROKEN_KEYS.len()
        ),
        "{err}"
    );
    assert_eq!(lines.len(), BROKEN_KEYS.len() + 1, "{err}");
    for key in BROKEN_KEYS {
        let matching: Vec<&&str> = lines
            .iter()
            .filter(|line| line.starts_with(&format!("  - {key}: ")))
            .collect();
        assert_eq!(matching.len(), 1, "one line for `{key}` in:\n{err}");
        assert!(matching[0].contains("; expected "), "{}", matching[0]);
    }
}

#[test]
fn check_config_reports_syntax_errors_with_their_line() {
    let dir = TempDir::new();
    let config = dir.write("syntax.toml", "[server]\nlisten = \"127.0.0.1:8080\n");
    let output = run(
        dir.path(),
        &["--config", config.to_str().unwrap(), "check-config"],
        &[],
    );
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains(config.to_str().unwrap()), "{err}");
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn a_missing_configuration_file_is_named() {
    let dir = TempDir::new();
    let missing = dir.path().join("does-not-exist.toml");
    let output = run(
        dir.path(),
        &["--config", missing.to_str().unwrap(), "check-config"],
        &[],
    );
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("cannot read configuration file"), "{err}");
    assert!(err.contains(missing.to_str().unwrap()), "{err}");

    // Without --config, the default file name in the working directory is named.
    let output = run(dir.path(), &["check-config"], &[]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("vmr-scheduler.toml"),
        "{}",
        describe(&output)
    );
}

#[test]
fn serve_refuses_to_start_on_an_invalid_configuration() {
    let dir = TempDir::new();
    let config = dir.write("broken.toml", BROKEN);
    let output = run(
        dir.path(),
        &["--config", config.to_str().unwrap(), "serve"],
        &[],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("integrations.main.aliases.suffix_length"),
        "{}",
        describe(&output)
    );
}

#[test]
fn render_template_lists_every_template() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let output = run(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "render-template",
            "--list",
        ],
        &[],
    );
    assert_exit(&output, 0);
    let out = stdout(&output);
    let names: Vec<&str> = out
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let expected: Vec<&str> = TemplateName::all().iter().map(|name| name.key()).collect();
    assert_eq!(names, expected, "{out}");
    for required in [
        "joining_instructions",
        "placeholder_instructions",
        "location",
        "decline_general_error",
        "pane_title",
    ] {
        assert!(names.contains(&required), "{required} missing from:\n{out}");
    }
    let joining = out
        .lines()
        .find(|line| line.starts_with("joining_instructions "))
        .unwrap();
    assert!(
        joining.contains("marker") && joining.contains("alias"),
        "{joining}"
    );
}

#[test]
fn render_template_shows_the_joining_instructions() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let output = run(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "render-template",
            "joining_instructions",
        ],
        &[],
    );
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(out.contains("[VMRID:"), "{out}");
    assert!(out.contains('<') && out.contains("</"), "not HTML:\n{out}");

    let output = run(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "render-template",
            "location",
            "--integration",
            "demo",
        ],
        &[],
    );
    assert_exit(&output, 0);
    assert!(!stdout(&output).trim().is_empty(), "{}", describe(&output));
}

#[test]
fn render_template_refuses_unknown_names() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let config = config.to_str().unwrap();
    let output = run(
        dir.path(),
        &["--config", config, "render-template", "no_such_template"],
        &[],
    );
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("no template named `no_such_template`"),
        "{err}"
    );
    assert!(err.contains("--list"), "{err}");
    assert!(stdout(&output).is_empty(), "{}", describe(&output));

    let output = run(
        dir.path(),
        &[
            "--config",
            config,
            "render-template",
            "location",
            "--integration",
            "nope",
        ],
        &[],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("no integration named `nope`"),
        "{}",
        describe(&output)
    );

    // A name is required unless --list is given.
    let output = run(dir.path(), &["--config", config, "render-template"], &[]);
    assert_exit(&output, 2);
    assert!(!stderr(&output).is_empty(), "{}", describe(&output));
}

#[test]
fn the_config_environment_variable_selects_the_file() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let config = config.to_str().unwrap();
    let output = run(
        dir.path(),
        &["check-config"],
        &[("VMR_SCHEDULER_CONFIG", config)],
    );
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains(&format!("{config}: configuration is valid")),
        "{}",
        describe(&output)
    );

    let broken = dir.write("broken.toml", BROKEN);
    let broken = broken.to_str().unwrap();
    let output = run(
        dir.path(),
        &["check-config"],
        &[("VMR_SCHEDULER_CONFIG", broken)],
    );
    assert_exit(&output, 2);
    assert!(stderr(&output).contains(broken), "{}", describe(&output));

    // --config wins over the variable.
    let output = run(
        dir.path(),
        &["--config", config, "check-config"],
        &[("VMR_SCHEDULER_CONFIG", broken)],
    );
    assert_exit(&output, 0);
}

#[test]
fn environment_overrides_reach_the_binary() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let config = config.to_str().unwrap();
    let output = run(
        dir.path(),
        &["--config", config, "check-config"],
        &[
            (
                "VMR_SCHEDULER__INTEGRATIONS__DEMO__ALIASES__SUFFIX_LENGTH",
                "4",
            ),
            ("VMR_SCHEDULER__LOGGING__FORMAT", "xml"),
        ],
    );
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("has 2 problem(s)"), "{err}");
    assert!(
        err.contains("  - integrations.demo.aliases.suffix_length: is 4;"),
        "{err}"
    );
    assert!(err.contains("  - logging.format: is `xml`;"), "{err}");

    let output = run(
        dir.path(),
        &["--config", config, "check-config"],
        &[("VMR_SCHEDULER__SERVER__LISTEN__PORT", "80")],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("VMR_SCHEDULER__SERVER__LISTEN__PORT"),
        "{}",
        describe(&output)
    );
}

#[test]
fn help_and_version_succeed() {
    let dir = TempDir::new();
    let output = run(dir.path(), &["--help"], &[]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    for command in ["serve", "check-config", "render-template", "--config"] {
        assert!(out.contains(command), "{out}");
    }
    let output = run(dir.path(), &["--version"], &[]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        describe(&output)
    );
}

/// `personal-vmrs <args>` with the example configuration on a fresh SQLite database in `dir`.
fn personal_vmrs(dir: &TempDir, args: &[&str]) -> Output {
    let config = dir.example_config();
    let database = format!("sqlite://{}/vmr.db", dir.path().display());
    let mut all = vec!["--config", config.to_str().unwrap(), "personal-vmrs"];
    all.extend_from_slice(args);
    run(
        dir.path(),
        &all,
        &[("VMR_SCHEDULER__DATABASE__URL", &database)],
    )
}

/// The rows of `personal-vmrs list` (without its header), as owner and name.
fn listed(dir: &TempDir, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["list", "--integration", "demo"];
    args.extend_from_slice(extra);
    let output = personal_vmrs(dir, &args);
    assert_exit(&output, 0);
    let out = stdout(&output);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("owner_email\tname\taliases\tpin\tguest_pin\tallow_guests\tdescription"),
        "{out}"
    );
    lines
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            (columns[0].to_string(), columns[1].to_string())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(owner, name)| (owner.to_string(), name.to_string()))
        .collect()
}

const ROOMS_CSV: &str = "owner_email,name,description,aliases,pin,guest_pin,allow_guests\n\
    Alice@Example.com,Alice,Team room,alice@vc.example.com;7001,246810,135790,yes\n\
    alice@example.com,Board,,board@vc.example.com,,,\n\
    bob@example.com,Bob,,bob@vc.example.com,,,\n";

#[test]
fn personal_vmrs_import_then_list() {
    let dir = TempDir::new();
    let file = dir.write("rooms.csv", ROOMS_CSV);
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "demo", file.to_str().unwrap()],
    );
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output).trim(),
        format!(
            "imported 3 personal VMR(s) into `demo` from {}: 3 added, 0 updated, 0 removed",
            file.display()
        )
    );
    assert_eq!(
        listed(&dir, &[]),
        pairs(&[
            ("alice@example.com", "Alice"),
            ("alice@example.com", "Board"),
            ("bob@example.com", "Bob")
        ])
    );
    let output = personal_vmrs(
        &dir,
        &[
            "list",
            "--integration",
            "demo",
            "--owner",
            "ALICE@example.com",
        ],
    );
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(
        out.contains(
            "alice@example.com\tAlice\talice@vc.example.com;7001\tset\tset\tyes\tTeam room"
        ),
        "{out}"
    );
    assert!(
        !out.contains("246810") && !out.contains("135790"),
        "PINs are not printed:\n{out}"
    );
    assert_eq!(out.lines().count(), 3, "header and Alice's two:\n{out}");
}

#[test]
fn personal_vmrs_import_reports_every_bad_row_and_imports_nothing() {
    let dir = TempDir::new();
    let file = dir.write(
        "rooms.csv",
        "owner_email,name,aliases,pin\n\
         carol@example.com,Carol,carol@vc.example.com,\n\
         nobody,Dave,dave@vc.example.com,12\n\
         erin@example.com,,,\n",
    );
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "demo", file.to_str().unwrap()],
    );
    assert_exit(&output, 1);
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{} has 4 problem(s); nothing was imported:", file.display()).as_str(),
            "  - line 3, owner_email: `nobody` has no `@`",
            "  - line 3, pin: must be 4–20 digits (got 2 character(s))",
            "  - line 4, name: is empty",
            "  - line 4, aliases: has no alias; a personal VMR needs at least one",
        ],
        "{err}"
    );
    assert!(
        listed(&dir, &[]).is_empty(),
        "the valid row was not imported"
    );
}

#[test]
fn personal_vmrs_replace_removes_what_the_file_lacks() {
    let dir = TempDir::new();
    let csv = dir.write("rooms.csv", ROOMS_CSV);
    let json = dir.write(
        "rooms.json",
        r#"[{"owner_email": "bob@example.com", "name": "Bob", "aliases": ["bob2@vc.example.com"]},
            {"owner_email": "carol@example.com", "name": "Carol", "aliases": ["carol"]}]"#,
    );
    let import = |file: &Path, extra: &[&str]| {
        let mut args = vec!["import", "--integration", "demo"];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        let output = personal_vmrs(&dir, &args);
        assert_exit(&output, 0);
        stdout(&output)
    };
    import(&csv, &[]);
    let out = import(&json, &[]);
    assert!(out.contains("1 added, 1 updated, 0 removed"), "{out}");
    assert_eq!(listed(&dir, &[]).len(), 4, "an upsert keeps the others");
    let out = import(&json, &["--replace"]);
    assert!(out.contains("0 added, 2 updated, 2 removed"), "{out}");
    assert_eq!(
        listed(&dir, &[]),
        pairs(&[("bob@example.com", "Bob"), ("carol@example.com", "Carol")])
    );
}

#[test]
fn personal_vmrs_refuses_unknown_integrations_owners_and_file_types() {
    let dir = TempDir::new();
    let file = dir.write("rooms.csv", ROOMS_CSV);
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "nope", file.to_str().unwrap()],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("no integration named `nope`; the configuration has: demo"),
        "{}",
        describe(&output)
    );
    let output = personal_vmrs(
        &dir,
        &["list", "--integration", "demo", "--owner", "not-an-address"],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("--owner is not an email address"),
        "{}",
        describe(&output)
    );
    let text = dir.write("rooms.txt", ROOMS_CSV);
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "demo", text.to_str().unwrap()],
    );
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("must end in .csv or .json"),
        "{}",
        describe(&output)
    );
    let output = run(dir.path(), &["personal-vmrs", "--help"], &[]);
    assert_exit(&output, 0);
    for command in ["import", "list"] {
        assert!(stdout(&output).contains(command), "{}", describe(&output));
    }
}

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
