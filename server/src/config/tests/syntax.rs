//! Syntax errors, unknown keys and wrong types are parse errors that name their line or key.

use super::*;

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .expect("needle in text")
        + 1
}

#[test]
fn a_syntax_error_names_its_line() {
    let text = edit(MINIMAL, "prefix = \"meet\"", "prefix = \"meet");
    let message = parse_error(load(&text));
    let line = line_of(&text, "prefix = \"meet");
    assert!(message.contains(&format!("line {line}")), "{message}");
    let error = load(&text).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("configuration file {CONFIG_PATH} is not valid:")),
        "{error}"
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = edit(MINIMAL, "prefix = \"meet\"", "prefx = \"meet\"");
    let message = parse_error(load(&text));
    assert!(message.contains("prefx"), "{message}");
    assert!(
        message.contains(&format!("line {}", line_of(&text, "prefx"))),
        "{message}"
    );

    for (from, to, unknown) in [
        ("[server]\n", "[server]\nlistn = \"0.0.0.0:80\"\n", "listn"),
        ("[server]\n", "[servr]\nx = 1\n[server]\n", "servr"),
        ("audiences = [", "audience = [", "audience"),
    ] {
        let message = parse_error(load(&edit(MINIMAL, from, to)));
        assert!(message.contains(unknown), "{message}");
    }
}

#[test]
fn an_unknown_key_is_named_even_with_environment_overrides() {
    let text = edit(MINIMAL, "prefix = \"meet\"", "prefx = \"meet\"");
    let message = parse_error(load_with_env(
        &text,
        &[("VMR_SCHEDULER__LOGGING__LEVEL", "debug")],
    ));
    assert!(message.contains("prefx"), "{message}");
}

#[test]
fn wrong_types_are_parse_errors() {
    let text = with_alias_line("suffix_length = \"six\"");
    let message = parse_error(load(&text));
    let line = line_of(&text, "suffix_length");
    assert!(message.contains(&format!("line {line}")), "{message}");
    assert!(message.contains("expected i64"), "{message}");

    let text = with_section("[integrations.main.rate_limit]\nburst = -1");
    let message = parse_error(load(&text));
    assert!(
        message.contains(&format!("line {}", line_of(&text, "burst"))),
        "{message}"
    );

    // From the environment there is no line, but the key is named.
    let message = parse_error(load_with_env(
        MINIMAL,
        &[("VMR_SCHEDULER__DATABASE__MAX_CONNECTIONS", "lots")],
    ));
    assert!(message.contains("database.max_connections"), "{message}");
}
