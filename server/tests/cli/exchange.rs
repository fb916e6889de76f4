//! `exchange setup-script` and `exchange check` as the admin runs them.

use super::support::*;

#[test]
fn setup_script_prints_the_resource_commands_for_the_chosen_integration() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let output = run(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "exchange",
            "setup-script",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let script = stdout(&output);
    assert!(
        script.contains(
            "Set-CalendarProcessing -Identity 'vmr-resource@example.com' -AutomateProcessing None"
        ),
        "{script}"
    );
    let unknown = run(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "exchange",
            "setup-script",
            "--integration",
            "nope",
        ],
        &[],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no integration `nope`; configured: demo"));
}

#[test]
fn check_fails_clearly_without_an_exchange_section() {
    let dir = TempDir::new();
    let config = dir.example_config();
    let database = format!("sqlite://{}/vmr.db", dir.path().display());
    let output = run(
        dir.path(),
        &["--config", config.to_str().unwrap(), "exchange", "check"],
        &[("VMR_SCHEDULER__DATABASE__URL", &database)],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output)
            .contains("problem: integration `demo` has no [integrations.demo.exchange] section"),
        "{}",
        stdout(&output)
    );
}
