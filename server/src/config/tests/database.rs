//! The `[database]` section: the kinds of URL, connection limits and the defaults per kind.

use super::*;

#[test]
fn postgres_defaults_to_more_connections_than_sqlite() {
    let settings = valid(&with_section(
        "[database]\nurl = \"postgres://vmr@db.example.com:5432/vmr\"",
    ));
    assert_eq!(
        settings.database.url,
        "postgres://vmr@db.example.com:5432/vmr"
    );
    assert_eq!(settings.database.max_connections, 16);
}

#[test]
fn the_database_is_sqlite_or_postgres() {
    for url in ["mysql://vmr@db.example.com/vmr", "data/vmr.db", ""] {
        assert_only_problem(
            &with_section(&format!("[database]\nurl = \"{url}\"")),
            "database.url",
            "neither an SQLite nor a PostgreSQL URL",
            "postgres://",
        );
    }
    valid(&with_section(
        "[database]\nurl = \"postgresql://vmr@db.example.com/vmr\"",
    ));
}

#[test]
fn database_limits_are_bounded() {
    assert_only_problem(
        &with_section("[database]\nmax_connections = 0"),
        "database.max_connections",
        "is 0",
        "1 to 200",
    );
    assert_only_problem(
        &with_section("[database]\nmax_connections = 201"),
        "database.max_connections",
        "is 201",
        "1 to 200",
    );
    assert_only_problem(
        &with_section("[database]\nacquire_timeout_seconds = 0"),
        "database.acquire_timeout_seconds",
        "is 0",
        "1 to 300",
    );
}

#[test]
fn an_unparsable_postgres_url_is_refused() {
    for url in [
        "postgres://vmr:bad-url-pw-4410@db.example.com:99999/vmr",
        "postgres://vmr:bad-url-pw-4410@db example.com/vmr",
    ] {
        let text = with_section(&format!("[database]\nurl = \"{url}\""));
        match load(&text) {
            Ok(settings) => panic!("accepted `{url}`; Debug shows: {:?}", settings.database),
            Err(error) => {
                let found = problems_in(Err(error), &text);
                assert_problem(&found, "database.url", "", "postgres://");
            }
        }
    }
}

#[test]
fn an_unparsable_postgres_url_with_a_password_source_is_a_problem() {
    let text = with_database_password_env("postgres://vmr@db.example.com:99999/vmr");
    let lookup = |_: &str| Some("pw".to_string());
    let found = problems_in(load_with_lookup(&text, &lookup), &text);
    assert_problem(&found, "database.url", "", "postgres://");
}

#[test]
fn a_password_is_refused_for_sqlite() {
    let text = with_database_password_env("sqlite://data/x.db");
    assert_only_problem(
        &text,
        "database.password",
        "is set for SQLite",
        "no password",
    );
}
