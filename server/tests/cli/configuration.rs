//! `check-config`, `render-template`, `serve` on a bad file, and how the file is chosen.

use super::support::*;

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
