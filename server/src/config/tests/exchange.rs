//! The `exchange` section: endpoint, impersonation, policy for unmarked meetings and the
//! service account's credentials, which never show up in errors.

use super::*;
use crate::scheduling::UnmarkedMeetings;
use std::time::Duration;

const PASSWORD_VAR: &str = "VMR_TEST_EWS_PASSWORD";
const PASSWORD: &str = "correct horse battery staple";

fn with_exchange(lines: &str, auth: &str) -> String {
    with_section(&format!(
        "[integrations.main.exchange]\n{lines}\n[integrations.main.exchange.auth]\n{auth}"
    ))
}

fn basic_auth() -> String {
    format!("method = \"basic\"\nusername = \"svc-vmr@example.com\"\npassword = {{ env = \"{PASSWORD_VAR}\" }}")
}

fn lookup(name: &str) -> Option<String> {
    match name {
        PASSWORD_VAR => Some(PASSWORD.into()),
        "VMR_TEST_CLIENT_SECRET" => Some("client-secret-value".into()),
        "VMR_TEST_TOKEN_KEY" => Some("k".repeat(44)),
        "VMR_TEST_SHORT_KEY" => Some("x9-tiny-key".into()),
        _ => None,
    }
}

fn exchange_of(text: &str) -> ExchangeSettings {
    let settings = load_with_lookup(text, &lookup).unwrap_or_else(|e| panic!("{e}\n{text}"));
    settings.integrations[0]
        .exchange
        .clone()
        .expect("an exchange section")
}

#[test]
fn integrations_without_the_section_watch_no_mailbox() {
    assert!(valid(MINIMAL).integrations[0].exchange.is_none());
}

#[test]
fn defaults_are_exchange_2016_resource_only_and_decline() {
    let text = with_exchange(
        "url = \"https://mail.example.com/EWS/Exchange.asmx\"",
        &basic_auth(),
    );
    let exchange = exchange_of(&text);
    assert_eq!(
        exchange.url.as_str(),
        "https://mail.example.com/EWS/Exchange.asmx"
    );
    assert_eq!(exchange.server_version, EwsServerVersion::Exchange2016);
    assert_eq!(exchange.impersonation, Impersonation::ResourceOnly);
    assert_eq!(exchange.unmarked_meetings, UnmarkedMeetings::Decline);
    assert_eq!(exchange.poll_interval, Duration::from_secs(30));
    assert_eq!(exchange.timeout, Duration::from_secs(30));
    let ExchangeAuth::Basic { username, password } = &exchange.auth else {
        panic!("basic auth expected");
    };
    assert_eq!(username, "svc-vmr@example.com");
    assert_eq!(password.expose(), PASSWORD);
    assert!(
        !format!("{exchange:?}").contains(PASSWORD),
        "Debug hides the password"
    );
}

#[test]
fn provisioning_sends_as_the_organizer_only_when_impersonating_everyone() {
    let url = "url = \"https://mail.example.com/EWS/Exchange.asmx\"";
    let resource_only = exchange_of(&with_exchange(
        &format!("{url}\nunmarked_meetings = \"provision\""),
        &basic_auth(),
    ));
    assert_eq!(
        resource_only.unmarked_meetings,
        UnmarkedMeetings::Provision {
            organizer_impersonation: false
        }
    );
    let everyone = exchange_of(&with_exchange(
        &format!("{url}\nunmarked_meetings = \"provision\"\nimpersonation = \"everyone\"\nserver_version = \"Exchange2013_SP1\"\npoll_interval_seconds = 5"),
        &basic_auth(),
    ));
    assert_eq!(
        everyone.unmarked_meetings,
        UnmarkedMeetings::Provision {
            organizer_impersonation: true
        }
    );
    assert_eq!(everyone.server_version, EwsServerVersion::Exchange2013Sp1);
    assert_eq!(everyone.poll_interval, Duration::from_secs(5));
}

#[test]
fn each_bad_value_is_named_by_its_key() {
    let url = "url = \"https://mail.example.com/EWS/Exchange.asmx\"";
    let cases = [
        (
            "url = \"http://mail.example.com/EWS/Exchange.asmx\"",
            "url",
            "is not allowed",
        ),
        (
            "url = \"https://svc:pw@mail.example.com/EWS/Exchange.asmx\"",
            "url",
            "user name or password",
        ),
        ("url = \"not a url\"", "url", "is not a URL"),
        (
            &format!("{url}\nserver_version = \"Exchange2019\"") as &str,
            "server_version",
            "`Exchange2019`",
        ),
        (
            &format!("{url}\nimpersonation = \"organizers\""),
            "impersonation",
            "`organizers`",
        ),
        (
            &format!("{url}\nunmarked_meetings = \"accept\""),
            "unmarked_meetings",
            "`accept`",
        ),
        (
            &format!("{url}\npoll_interval_seconds = 0"),
            "poll_interval_seconds",
            "is 0",
        ),
        (
            &format!("{url}\ntimeout_seconds = 0"),
            "timeout_seconds",
            "is 0",
        ),
    ];
    for (lines, field, problem) in cases {
        let text = with_exchange(lines, &basic_auth());
        let found = problems_in(load_with_lookup(&text, &lookup), &text);
        assert_eq!(found.len(), 1, "{}", listing(&found));
        assert_eq!(found[0].key, main_key(&format!("exchange.{field}")));
        assert!(found[0].problem.contains(problem), "{}", listing(&found));
    }
}

#[test]
fn plain_http_only_to_loopback_and_only_when_allowed() {
    let text = with_exchange(
        "url = \"http://127.0.0.1:8080/EWS/Exchange.asmx\"\ninsecure_allow_http_loopback = true",
        &basic_auth(),
    );
    assert_eq!(
        exchange_of(&text).url.as_str(),
        "http://127.0.0.1:8080/EWS/Exchange.asmx"
    );
    let remote = with_exchange(
        "url = \"http://mail.example.com/EWS/Exchange.asmx\"\ninsecure_allow_http_loopback = true",
        &basic_auth(),
    );
    let found = problems_in(load_with_lookup(&remote, &lookup), &remote);
    assert_eq!(found.len(), 1, "{}", listing(&found));
    assert_eq!(found[0].key, main_key("exchange.url"));
}

#[test]
fn oauth_settings_are_checked_and_secrets_stay_hidden() {
    let url = "url = \"https://outlook.office365.com/EWS/Exchange.asmx\"";
    let app = exchange_of(&with_exchange(
        url,
        "method = \"oauth_app\"\ntenant_id = \"Contoso.onmicrosoft.com\"\nclient_id = \"6E4C7A10-3B2D-4F8E-9A1C-5D7B2E9F0C41\"\nclient_secret = { env = \"VMR_TEST_CLIENT_SECRET\" }",
    ));
    let ExchangeAuth::OAuthApp {
        authority,
        tenant_id,
        client_id,
        client_secret,
    } = &app.auth
    else {
        panic!("app-only auth expected");
    };
    assert_eq!(authority.as_str(), "https://login.microsoftonline.com/");
    assert_eq!(tenant_id, "contoso.onmicrosoft.com");
    assert_eq!(client_id, "6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41");
    assert_eq!(client_secret.expose(), "client-secret-value");
    assert!(!format!("{app:?}").contains("client-secret-value"));

    let delegated = exchange_of(&with_exchange(
        url,
        "method = \"oauth_delegated\"\ntenant_id = \"9188040d-6c67-4c5b-b112-36a304b66dad\"\nclient_id = \"6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"\nendpoint_version = \"v1\"\ntoken_encryption_key = { env = \"VMR_TEST_TOKEN_KEY\" }",
    ));
    assert!(matches!(
        delegated.auth,
        ExchangeAuth::OAuthDelegated {
            endpoints: OAuthEndpoints::V1,
            ..
        }
    ));

    let short_key = with_exchange(
        url,
        "method = \"oauth_delegated\"\ntenant_id = \"9188040d-6c67-4c5b-b112-36a304b66dad\"\nclient_id = \"6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"\ntoken_encryption_key = { env = \"VMR_TEST_SHORT_KEY\" }",
    );
    assert_only_problem_hiding(
        load_with_lookup(&short_key, &lookup),
        &short_key,
        "x9-tiny-key",
        &main_key("exchange.auth.token_encryption_key"),
        "is shorter than 32 characters",
        "at least 32 random characters",
    );

    let bad_ids = with_exchange(
        url,
        "method = \"oauth_app\"\ntenant_id = \"not a tenant\"\nclient_id = \"app\"\nclient_secret = { env = \"VMR_TEST_MISSING\" }",
    );
    let found = problems_in(load_with_lookup(&bad_ids, &lookup), &bad_ids);
    let keys: Vec<_> = found.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            main_key("exchange.auth.tenant_id"),
            main_key("exchange.auth.client_id"),
            main_key("exchange.auth.client_secret"),
        ],
        "{}",
        listing(&found)
    );
}

#[test]
fn a_missing_password_is_reported_without_its_value() {
    let text = with_exchange(
        "url = \"https://mail.example.com/EWS/Exchange.asmx\"",
        "method = \"basic\"\nusername = \"svc\"\npassword = { env = \"VMR_TEST_UNSET\" }",
    );
    assert_only_problem_in(
        load_with_lookup(&text, &lookup),
        &text,
        &main_key("exchange.auth.password"),
        "`VMR_TEST_UNSET` is not set",
        "a readable, non-empty secret",
    );
}
