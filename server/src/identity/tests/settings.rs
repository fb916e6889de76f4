//! The `[integrations.<id>.auth]` section: defaults and every problem, named by its full key.

use super::support::*;
use crate::config::Problems;
use crate::identity::settings::{EntraKeys, Tenancy};
use crate::identity::{RawAuth, DEFAULT_ENTRA_METADATA_URL};
use std::path::Path;
use std::time::Duration;

const ENTRA: &str = "[entra]\naudiences = [\"api://vmr.example.com/abc\"]\n";

fn problems_of(toml_text: &str) -> Vec<String> {
    let (settings, keys) = validate(&parse_auth(toml_text));
    assert!(settings.is_none(), "expected problems for:\n{toml_text}");
    keys
}

fn full(field: &str) -> String {
    format!("{KEY}.{field}")
}

#[test]
fn a_minimal_entra_section_gets_microsofts_defaults() {
    let settings = valid(ENTRA);
    assert_eq!(settings.leeway_seconds, 60);
    assert_eq!(settings.fetch_timeout, Duration::from_millis(5000));
    assert_eq!(settings.key_refresh_min_interval, Duration::from_secs(300));
    assert!(settings.accepts_entra() && !settings.accepts_exchange());
    let entra = settings.entra.expect("entra");
    assert_eq!(entra.tenancy, Tenancy::Multi { allowed: None });
    assert_eq!(entra.required_scope, "access_as_user");
    assert!(entra.accept_v1 && entra.accept_v2);
    assert_eq!(
        entra.issuer_v2,
        "https://login.microsoftonline.com/{tenantid}/v2.0"
    );
    assert_eq!(entra.issuer_v1, "https://sts.windows.net/{tenantid}/");
    assert!(
        matches!(entra.keys, EntraKeys::Metadata(url) if url.as_str() == DEFAULT_ENTRA_METADATA_URL)
    );
}

#[test]
fn unknown_keys_are_refused_when_parsing() {
    for text in [
        "leway_seconds = 5\n[entra]\naudiences = [\"a\"]",
        "[entra]\naudience = [\"a\"]",
        "[exchange]\norigins = []",
    ] {
        assert!(toml::from_str::<RawAuth>(text).is_err(), "{text}");
    }
}

#[test]
fn some_token_kind_must_be_configured() {
    assert_eq!(problems_of(""), vec![KEY.to_string()]);
}

#[test]
fn numbers_must_be_in_range() {
    let text = format!("leeway_seconds = 301\nmetadata_fetch_timeout_ms = 99\nkey_refresh_min_interval_seconds = 0\n{ENTRA}");
    assert_eq!(
        problems_of(&text),
        vec![
            full("leeway_seconds"),
            full("metadata_fetch_timeout_ms"),
            full("key_refresh_min_interval_seconds")
        ]
    );
    assert!(problems_of(&format!("leeway_seconds = -1\n{ENTRA}")).contains(&full("leeway_seconds")));
    let edges = valid(&format!("leeway_seconds = 0\nmetadata_fetch_timeout_ms = 60000\nkey_refresh_min_interval_seconds = 86400\n{ENTRA}"));
    assert_eq!(edges.leeway_seconds, 0);
}

#[test]
fn entra_lists_and_names_are_checked_one_by_one() {
    let cases = [
        ("[entra]", "entra.audiences"),
        ("[entra]\naudiences = []", "entra.audiences"),
        ("[entra]\naudiences = [\"ok\", \"two words\"]", "entra.audiences[1]"),
        ("[entra]\naudiences = [\"a\"]\ntenant_id = \"contoso.onmicrosoft.com\"", "entra.tenant_id"),
        ("[entra]\naudiences = [\"a\"]\nallowed_tenants = []", "entra.allowed_tenants"),
        ("[entra]\naudiences = [\"a\"]\nallowed_tenants = [\"6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f\", \"x\"]", "entra.allowed_tenants[1]"),
        ("[entra]\naudiences = [\"a\"]\ntenant_id = \"6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f\"\nallowed_tenants = [\"6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f\"]", "entra.allowed_tenants"),
        ("[entra]\naudiences = [\"a\"]\nrequired_scope = \"a b\"", "entra.required_scope"),
        ("[entra]\naudiences = [\"a\"]\nrequired_scope = \"\"", "entra.required_scope"),
        ("[entra]\naudiences = [\"a\"]\naccepted_versions = [\"2.0\", \"3.0\"]", "entra.accepted_versions[1]"),
        ("[entra]\naudiences = [\"a\"]\naccepted_versions = []", "entra.accepted_versions"),
        ("[entra]\naudiences = [\"a\"]\nissuer_v2 = \"{tenantid}/v2.0\"", "entra.issuer_v2"),
        ("[entra]\naudiences = [\"a\"]\nissuer_v1 = \"sts\"", "entra.issuer_v1"),
    ];
    for (text, expected) in cases {
        assert_eq!(problems_of(text), vec![full(expected)], "{text}");
    }
}

#[test]
fn key_source_urls_are_https_unless_loopback_is_explicitly_allowed() {
    let http = "http://127.0.0.1:8080/keys";
    assert_eq!(
        problems_of(&format!("{ENTRA}jwks_url = \"{http}\"")),
        vec![full("entra.jwks_url")]
    );
    let mut problems = Problems::default();
    parse_auth(&format!("{ENTRA}metadata_url = \"http://login.example/x\"")).validate(
        KEY,
        &public_url(),
        &mut problems,
    );
    let problem = problems.iter().next().expect("a problem");
    assert!(
        problem
            .expected
            .contains("insecure_allow_http_loopback = true")
            && problem.expected.contains("loopback"),
        "{problem}"
    );
    let allowed = format!("insecure_allow_http_loopback = true\n{ENTRA}jwks_url = \"{http}\"");
    assert!(matches!(
        valid(&allowed).entra.expect("entra").keys,
        EntraKeys::Jwks(_)
    ));
    for remote in [
        "http://10.1.2.3/keys",
        "http://localhost.example/keys",
        "ftp://127.0.0.1/keys",
        "https://u:p@login.example/keys",
    ] {
        let text = format!("insecure_allow_http_loopback = true\n{ENTRA}jwks_url = \"{remote}\"");
        assert_eq!(problems_of(&text), vec![full("entra.jwks_url")], "{remote}");
    }
    let both = format!(
        "{ENTRA}jwks_url = \"https://a.example/k\"\nmetadata_url = \"https://a.example/m\""
    );
    assert_eq!(problems_of(&both), vec![full("entra")]);
}

#[test]
fn a_jwks_file_must_hold_usable_keys_at_start_up() {
    let good = TempFile::with(&jwks(&[key(0)], None).to_string());
    let settings = valid(&format!("{ENTRA}jwks_file = \"{}\"", good.toml_path()));
    assert!(
        matches!(settings.entra.expect("entra").keys, EntraKeys::File { keys, .. } if keys.len() == 1)
    );
    let not_json = TempFile::with("{");
    let no_rsa =
        TempFile::with(r#"{"keys":[{"kty":"EC","kid":"e","crv":"P-256","x":"AA","y":"AA"}]}"#);
    let weak = TempFile::with(r#"{"keys":[{"kty":"RSA","kid":"w","n":"AQAB","e":"AQAB"}]}"#);
    for path in [
        not_json.toml_path(),
        no_rsa.toml_path(),
        weak.toml_path(),
        "/nonexistent/jwks.json".into(),
    ] {
        assert_eq!(
            problems_of(&format!("{ENTRA}jwks_file = \"{path}\"")),
            vec![full("entra.jwks_file")],
            "{path}"
        );
    }
    // Relative to the configuration file's folder when it is known.
    let dir = good.0.parent().expect("temp dir");
    let name = good
        .0
        .file_name()
        .expect("name")
        .to_string_lossy()
        .to_string();
    let raw = parse_auth(&format!("{ENTRA}jwks_file = \"{name}\""));
    let mut problems = Problems::default();
    assert!(raw
        .validate_in(KEY, &public_url(), dir, &mut problems)
        .is_some());
    assert!(raw
        .validate_in(KEY, &public_url(), Path::new("/nonexistent"), &mut problems)
        .is_none());
}

#[test]
fn exchange_needs_bare_trusted_origins_and_derives_its_audience() {
    let settings = valid("[exchange]\ntrusted_metadata_origins = [\"https://mail.contoso.com\"]");
    let exchange = settings.exchange.expect("exchange");
    assert_eq!(
        exchange.audiences,
        vec!["https://vmr.example.com/addin/main/taskpane.html".to_string()]
    );
    assert_eq!(exchange.trusted_origins.len(), 1);
    let cases = [
        ("[exchange]", "exchange.trusted_metadata_origins"),
        ("[exchange]\ntrusted_metadata_origins = []", "exchange.trusted_metadata_origins"),
        ("[exchange]\ntrusted_metadata_origins = [\"https://mail.contoso.com/autodiscover\"]", "exchange.trusted_metadata_origins[0]"),
        ("[exchange]\ntrusted_metadata_origins = [\"https://a.example\", \"http://127.0.0.1:8080\"]", "exchange.trusted_metadata_origins[1]"),
        ("[exchange]\ntrusted_metadata_origins = [\"https://a.example\"]\naudiences = [\"taskpane.html\"]", "exchange.audiences[0]"),
        ("[exchange]\ntrusted_metadata_origins = [\"https://a.example\"]\naudiences = []", "exchange.audiences"),
    ];
    for (text, expected) in cases {
        assert_eq!(problems_of(text), vec![full(expected)], "{text}");
    }
    let loopback = "insecure_allow_http_loopback = true\n[exchange]\ntrusted_metadata_origins = [\"http://127.0.0.1:8080\"]";
    assert!(valid(loopback).accepts_exchange());
}

#[test]
fn the_default_audience_comes_from_the_key_and_public_url() {
    let raw = parse_auth("[exchange]\ntrusted_metadata_origins = [\"https://mail.contoso.com\"]");
    let mut problems = Problems::default();
    let base = url::Url::parse("https://host.example/vmr/").expect("URL");
    let settings = raw
        .validate("integrations.site-2.auth", &base, &mut problems)
        .expect("valid");
    let audiences = settings.exchange.expect("exchange").audiences;
    assert_eq!(
        audiences,
        vec!["https://host.example/vmr/addin/site-2/taskpane.html".to_string()]
    );
    // Without an integration id in the key, the audience must be configured.
    assert!(raw.validate("auth", &base, &mut problems).is_none());
    assert_eq!(
        problems.iter().last().expect("problem").key,
        "auth.exchange.audiences"
    );
}

#[test]
fn all_problems_are_reported_in_one_pass() {
    let text = "leeway_seconds = 999\n[entra]\ntenant_id = \"x\"\n[exchange]\ntrusted_metadata_origins = [\"ftp://a\"]";
    assert_eq!(
        problems_of(text),
        vec![
            full("leeway_seconds"),
            full("entra.tenant_id"),
            full("entra.audiences"),
            full("exchange.trusted_metadata_origins[0]")
        ]
    );
}
