//! The `[server]` and `[logging]` sections.

use super::*;

#[test]
fn public_url_may_be_http_on_loopback_only() {
    for url in [
        "http://localhost:8080",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "https://vmr.example.com/",
        "https://vmr.example.com:8443/base",
    ] {
        valid(&with_public_url(url));
    }
}

#[test]
fn public_url_is_required_https_and_plain() {
    let key = "server.public_url";
    let missing = edit(MINIMAL, "public_url = \"https://vmr.example.com\"\n", "");
    assert_only_problem(&missing, key, "is missing", "https URL");
    for (url, problem) in [
        ("http://vmr.example.com", "is not https"),
        ("ftp://vmr.example.com", "is not https"),
        ("https://vmr.example.com/?tenant=1", "has a query"),
        ("https://vmr.example.com/#top", "fragment"),
        ("https://admin@vmr.example.com", "user name"),
        ("vmr.example.com", "is not a URL"),
    ] {
        assert_only_problem(&with_public_url(url), key, problem, "an https URL");
    }
}

#[test]
fn listen_must_be_an_address_and_port() {
    for listen in ["localhost", "127.0.0.1", "vmr.example.com:80", ":8080"] {
        assert_only_problem(
            &with_server_line(&format!("listen = \"{listen}\"")),
            "server.listen",
            "is not an address and port",
            "127.0.0.1:8080",
        );
    }
}

#[test]
fn tls_files_must_exist_relative_to_the_configuration_file() {
    let text = with_server_line(
        "tls = { cert_file = \"missing-cert.pem\", key_file = \"/nonexistent/key.pem\" }",
    );
    let found = problems(&text);
    assert_eq!(found.len(), 2, "{}", listing(&found));
    assert_problem(
        &found,
        "server.tls.cert_file",
        "/etc/vmr-scheduler/missing-cert.pem",
        "PEM file",
    );
    assert_problem(
        &found,
        "server.tls.key_file",
        "/nonexistent/key.pem",
        "PEM file",
    );

    let dir = TempDir::new();
    dir.write("cert.pem", "not checked here");
    let key = dir.write("key.pem", "not checked here");
    let text = with_server_line(&format!(
        "tls = {{ cert_file = \"cert.pem\", key_file = {:?} }}",
        key.display().to_string()
    ));
    let settings = dir.valid(&text);
    let tls = settings.server.tls.expect("tls");
    assert_eq!(tls.cert_file, dir.0.join("cert.pem"));
    assert_eq!(tls.key_file, key);
}

#[test]
fn cors_origins_have_no_path() {
    for origin in [
        "https://outlook.office.com/mail",
        "https://outlook.office.com/",
        "outlook.office.com",
        "ftp://outlook.office.com",
    ] {
        assert_only_problem(
            &with_server_line(&format!("cors_allowed_origins = [\"{origin}\"]")),
            "server.cors_allowed_origins",
            &format!("`{origin}` is not an origin"),
            "no path",
        );
    }
}

#[test]
fn logging_format_is_text_or_json() {
    assert_only_problem(
        &with_section("[logging]\nformat = \"xml\""),
        "logging.format",
        "`xml`",
        "`text` or `json`",
    );
}

#[test]
fn logging_level_must_be_a_filter() {
    assert_only_problem(
        &with_section("[logging]\nlevel = \"vmr_scheduler=loud\""),
        "logging.level",
        "is not a log filter",
        "a level",
    );
}
