//! Database passwords: where they may come from, and that they never show up in `Debug` output
//! or error messages.

use super::*;

/// A `[database]` section with its password written into the file.
fn with_inline_password() -> String {
    with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = \"inline-string-pw\"",
    )
}

#[test]
fn a_password_inside_the_database_url_is_refused_in_the_file() {
    let text =
        with_section("[database]\nurl = \"postgres://vmr:inline-pw-7731@db.example.com/vmr\"");
    assert_only_problem_hiding(
        load(&text),
        &text,
        "inline-pw-7731",
        "database.url",
        "contains a password in the file",
        "VMR_SCHEDULER__DATABASE__URL",
    );

    // Overriding some other key from the environment does not make the file's password fine.
    let found = problems_in(
        load_with_env(&text, &[("VMR_SCHEDULER__LOGGING__LEVEL", "debug")]),
        &text,
    );
    assert_problem(
        &found,
        "database.url",
        "contains a password",
        "database.password",
    );
}

#[test]
fn a_password_inside_the_database_url_is_accepted_from_the_environment() {
    let url = "postgres://vmr:env-url-pw-5521@db.example.com/vmr";
    let settings = valid_with_env(MINIMAL, &[("VMR_SCHEDULER__DATABASE__URL", url)]);
    assert_eq!(settings.database.url, url);
    assert_eq!(settings.database.max_connections, 16);
    assert!(!format!("{settings:?}").contains("env-url-pw-5521"));
    assert!(!format!("{:?}", settings.database).contains("env-url-pw-5521"));

    // It also replaces a URL written in the file.
    let text = with_section("[database]\nurl = \"sqlite://data/x.db\"");
    let settings = valid_with_env(&text, &[("VMR_SCHEDULER__DATABASE__URL", url)]);
    assert_eq!(settings.database.url, url);
}

#[test]
fn the_database_password_is_read_from_the_named_environment_variable() {
    let text = with_database_password_env("postgres://vmr@db.example.com:5432/vmr");
    let lookup = |name: &str| (name == DB_PASSWORD_VAR).then(|| "lookup-pw-9038".to_string());
    let settings = load_with_lookup(&text, &lookup).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        settings.database.url,
        "postgres://vmr:lookup-pw-9038@db.example.com:5432/vmr"
    );
    assert!(!format!("{settings:?}").contains("lookup-pw-9038"));

    // Unset: the problem names the variable; a secret held by another variable is not shown.
    let other = |name: &str| (name == "SOME_OTHER_VAR").then(|| "other-pw-1177".to_string());
    assert_only_problem_hiding(
        load_with_lookup(&text, &other),
        &text,
        "other-pw-1177",
        "database.password",
        DB_PASSWORD_VAR,
        "a readable, non-empty secret",
    );

    // Set but empty.
    let empty = |_: &str| Some(String::new());
    let found = problems_in(load_with_lookup(&text, &empty), &text);
    assert_problem(&found, "database.password", "empty", "non-empty secret");
}

#[test]
fn an_inline_database_password_is_refused() {
    let text = with_inline_password();
    assert_only_problem(
        &text,
        "database.password",
        "written into the configuration",
        "env",
    );
}

#[test]
fn an_inline_database_password_is_not_echoed() {
    let text = with_inline_password();
    let message = load(&text).expect_err("refused").to_string();
    assert!(!message.contains("inline-string-pw"), "{message}");
}

#[test]
fn secrets_never_appear_in_debug_output_or_errors() {
    let secret = "file-pw-Zq9xL27";
    let dir = TempDir::new();
    let file = dir.write("db-password", &format!("{secret}\n"));
    let database = format!(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = {{ file = {:?} }}",
        file.display().to_string()
    );
    let text = with_section(&database);
    let settings = load(&text).unwrap_or_else(|e| panic!("{e}"));
    // The password reaches the connection URL (without the newline) ...
    assert_eq!(
        settings.database.url,
        format!("postgres://vmr:{secret}@db.example.com/vmr")
    );
    // ... but no debug output.
    for shown in [
        format!("{settings:?}"),
        format!("{settings:#?}"),
        format!("{:?}", settings.database),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }

    // Error messages of every kind, with the same password source, never show it either.
    let mut failures = vec![
        load(&format!("{text}\n[logging]\nformat = \"xml\"\n")).unwrap_err(),
        load(&format!("{text}max_connections = 0\n")).unwrap_err(),
        load(&edit(&text, "prefix = \"meet\"", "prefix = \"1meet\"")).unwrap_err(),
        load(&edit(&text, "prefix = \"meet\"", "prefx = \"meet\"")).unwrap_err(),
        load_with_env(
            &text,
            &[("VMR_SCHEDULER__DATABASE__MAX_CONNECTIONS", "lots")],
        )
        .unwrap_err(),
        load_with_env(
            &text,
            &[("VMR_SCHEDULER__DATABASE__PASSWORD__FILE__X", "1")],
        )
        .unwrap_err(),
        load_with_env(
            &text,
            &[(
                "VMR_SCHEDULER__DATABASE__URL",
                "postgres://vmr:other@[::1/vmr",
            )],
        )
        .unwrap_err(),
    ];
    // The URL from the environment holding the password, plus another mistake.
    let env_url = format!("postgres://vmr:{secret}@db.example.com/vmr");
    failures.push(
        load_with_env(
            &with_section("[logging]\nformat = \"xml\""),
            &[("VMR_SCHEDULER__DATABASE__URL", &env_url)],
        )
        .unwrap_err(),
    );
    failures.push(
        load_with_env(
            &with_section("[database]\nmax_connections = 0"),
            &[
                ("VMR_SCHEDULER__DATABASE__URL", &env_url),
                ("VMR_SCHEDULER__DATABASE__ACQUIRE_TIMEOUT_SECONDS", "oops"),
            ],
        )
        .unwrap_err(),
    );
    for error in &failures {
        let shown = format!("{error}\n{error:?}");
        assert!(!shown.contains(secret), "{shown}");
    }

    // An unreadable password file is named, not read.
    let missing = text.replace("db-password", "no-such-password");
    let found = problems_in(load(&missing), &missing);
    assert_problem(&found, "database.password", "no-such-password", "readable");
}

#[test]
fn a_relative_password_file_is_found_next_to_the_configuration_file() {
    let dir = TempDir::new();
    dir.write("db-password", "relative-pw\n");
    let text = with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com/vmr\"\npassword = { file = \"db-password\" }",
    );
    let settings = dir.valid(&text);
    assert_eq!(
        settings.database.url,
        "postgres://vmr:relative-pw@db.example.com/vmr"
    );
}
