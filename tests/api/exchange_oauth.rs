//! OAuth for EWS end to end: an admin signs the service account in through the browser flow
//! (state, PKCE, sealed cookie), the worker then reads the resource's inbox with its tokens,
//! a revoked sign-in shows up as "must sign in again" until the admin signs in once more; and
//! app-only tokens (client credentials) renewed before they expire.

use crate::helpers::*;
use crate::scheduling_support::{eventually_async, RESOURCE, SERVICE_ACCOUNT};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use reqwest::redirect::Policy;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use vmr_scheduler::domain::IntegrationId;
use vmr_scheduler_tests::ews_emulator::{Account, EmulatorConfig, EwsEmulator};
use vmr_scheduler_tests::oauth_emulator::{AcceptedTokens, OAuthEmulator, OAuthEmulatorConfig};
use vmr_scheduler_tests::on_both_backends;

const ADMIN_TOKEN: &str = "admin-token-0123456789-abcdefghijklmnop";
const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
const CLIENT_ID: &str = "6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";
const APP_SECRET: &str = "app-client-secret-value";
const SIGN_IN: &str = "/admin/platform/msexchangeconnector/single/sign_in/";

struct OAuthSetup {
    app: TestApp,
    oauth: OAuthEmulator,
    _exchange: EwsEmulator,
    tokens: AcceptedTokens,
    files: Vec<PathBuf>,
    /// A client that does not follow redirects, as the test plays the browser.
    browser: reqwest::Client,
}

impl Drop for OAuthSetup {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
    }
}

fn secret_file(value: &str) -> PathBuf {
    let file = std::env::temp_dir().join(format!("vmr-oauth-{}", uuid::Uuid::new_v4()));
    std::fs::write(&file, value).unwrap();
    file
}

/// `auth` is the body of `[integrations.single.exchange.auth]` after its method line; `{key}`
/// and `{secret}` stand for the files of the encryption key and the client secret.
async fn start(db: &str, method: &str, auth: &str, account: &str) -> OAuthSetup {
    start_with_lifetime(db, method, auth, account, Duration::from_secs(3600)).await
}

async fn start_with_lifetime(
    db: &str,
    method: &str,
    auth: &str,
    account: &str,
    access_lifetime: Duration,
) -> OAuthSetup {
    let tokens = AcceptedTokens::default();
    let exchange = EwsEmulator::start(EmulatorConfig::new(vec![Account::oauth(
        tokens.clone(),
        account,
    )]));
    exchange.add_mailbox(RESOURCE, "VMR single");
    let resource = url::Url::parse(&exchange.url())
        .unwrap()
        .origin()
        .ascii_serialization();
    let oauth = OAuthEmulator::start(
        OAuthEmulatorConfig {
            tenant: TENANT.into(),
            client_id: CLIENT_ID.into(),
            client_secret: (method == "oauth_app").then(|| APP_SECRET.into()),
            account: SERVICE_ACCOUNT.into(),
            app_mailbox: account.into(),
            resource,
            access_lifetime,
        },
        tokens.clone(),
    )
    .await;
    let admin = secret_file(ADMIN_TOKEN);
    let key = secret_file("token-encryption-key-0123456789-abcdefghijklmnop");
    let secret = secret_file(APP_SECRET);
    let auth = auth
        .replace("{key}", &format!("{:?}", key.display().to_string()))
        .replace("{secret}", &format!("{:?}", secret.display().to_string()));
    let app = spawn_app_with(db, "", |_| {
        format!(
            r#"
            [admin]
            token = {{ file = {admin:?} }}
            [integrations.single.exchange]
            url = "{url}"
            insecure_allow_http_loopback = true
            poll_interval_seconds = 1
            [integrations.single.exchange.auth]
            method = "{method}"
            tenant_id = "{TENANT}"
            client_id = "{CLIENT_ID}"
            authority = "{authority}"
            {auth}
            "#,
            admin = admin.display().to_string(),
            url = exchange.url(),
            authority = oauth.authority(),
        )
    })
    .await;
    OAuthSetup {
        app,
        oauth,
        _exchange: exchange,
        tokens,
        files: vec![admin, key, secret],
        browser: reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap(),
    }
}

impl OAuthSetup {
    async fn status(&self) -> Value {
        let body: Value = self
            .app
            .client
            .get(self.app.url("/admin/api/v1/status"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["integrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["integration"] == "single")
            .cloned()
            .unwrap()
    }

    /// Starts the sign-in as the admin's browser; gives the authorize URL and the cookie.
    async fn start_sign_in(&self) -> (String, String) {
        let response = self
            .browser
            .get(self.app.url(SIGN_IN))
            .basic_auth("admin", Some(ADMIN_TOKEN))
            .header("sec-fetch-site", "none")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
            "Path=/admin/platform/msexchangeconnector/",
        ] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        let location = response.headers()[LOCATION].to_str().unwrap().to_string();
        let pair = cookie.split(';').next().unwrap().to_string();
        (location, pair)
    }

    /// Lets the identity platform sign the account in; gives the redirect back (path + query).
    async fn authorize(&self, authorize_url: &str) -> String {
        let response = self.browser.get(authorize_url).send().await.unwrap();
        assert_eq!(response.status(), 302, "{}", response.text().await.unwrap());
        let back = url::Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
        assert_eq!(
            back.path(),
            "/admin/platform/msexchangeconnector/oauth_redirect/"
        );
        format!("{}?{}", back.path(), back.query().unwrap_or(""))
    }

    async fn redirect(&self, path_and_query: &str, cookie: Option<&str>) -> (u16, String) {
        let mut request = self.browser.get(self.app.url(path_and_query));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        if let Some(set) = response.headers().get(SET_COOKIE) {
            assert!(set.to_str().unwrap().contains("Max-Age=0"), "{set:?}");
        }
        (status, response.text().await.unwrap())
    }

    async fn sign_in(&self) {
        let (authorize_url, cookie) = self.start_sign_in().await;
        let back = self.authorize(&authorize_url).await;
        let (status, page) = self.redirect(&back, Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains(SERVICE_ACCOUNT), "{page}");
    }

    async fn wait_for_status(&self, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        eventually_async(what, || async {
            let status = self.status().await;
            check(&status).then_some(status)
        })
        .await
    }
}

const DELEGATED: &str = "token_encryption_key = { file = {key} }";

async fn a_signed_in_service_account_works_the_mailbox_until_it_must_sign_in_again(db: String) {
    let setup = start(&db, "oauth_delegated", DELEGATED, SERVICE_ACCOUNT).await;
    let before = setup.status().await;
    assert_eq!(before["service_account"]["state"], "not_signed_in");
    assert!(before["service_account"]["sign_in_url"]
        .as_str()
        .unwrap()
        .ends_with(SIGN_IN));
    // The worker cannot work without an account, and says why.
    setup
        .wait_for_status("a sync error naming the missing sign-in", |s| {
            s["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("sign in"))
        })
        .await;

    setup.sign_in().await;
    let signed_in = setup
        .wait_for_status("a successful sync with the account's token", |s| {
            !s["last_successful_sync"].is_null()
        })
        .await;
    assert_eq!(signed_in["service_account"]["state"], "signed_in");
    assert_eq!(signed_in["service_account"]["account"], SERVICE_ACCOUNT);
    let stored = setup
        .app
        .store
        .exchange_account(&IntegrationId::parse("single").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !stored.sealed_refresh_token.contains("rt-"),
        "stored in clear"
    );
    let requests = setup.oauth.token_requests();
    let redeem = &requests[0];
    assert_eq!(redeem.grant_type, "authorization_code");
    assert_eq!(redeem.form["code_verifier"].len(), 43);

    // The password changes: tokens die and refreshes are refused.
    setup.oauth.fail_refreshes(Some((
        "invalid_grant",
        50173,
        "The provided grant has expired due to it being revoked.",
    )));
    setup.tokens.revoke_all();
    let must_sign_in = setup
        .wait_for_status("the account marked as needing a new sign-in", |s| {
            s["service_account"]["state"] == "sign_in_required"
        })
        .await;
    assert!(must_sign_in["service_account"]["reason"]
        .as_str()
        .unwrap()
        .contains("AADSTS50173"));
    // No more refresh attempts once the account is marked.
    let refreshes = setup.oauth.token_requests().len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(setup.oauth.token_requests().len(), refreshes);

    setup.oauth.fail_refreshes(None);
    setup.sign_in().await;
    let previous_sync = must_sign_in["last_successful_sync"].as_str();
    setup
        .wait_for_status("signed in again and syncing", |s| {
            s["service_account"]["state"] == "signed_in"
                && s["last_successful_sync"].as_str() > previous_sync
        })
        .await;
}

async fn sign_in_requests_that_are_not_the_admins_own_are_refused(db: String) {
    let setup = start(&db, "oauth_delegated", DELEGATED, SERVICE_ACCOUNT).await;
    let url = setup.app.url(SIGN_IN);
    // No credentials: a browser is asked for them.
    let response = setup.browser.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("Basic ")));
    // Started from another site.
    let response = setup
        .browser
        .get(&url)
        .basic_auth("admin", Some(ADMIN_TOKEN))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    problem(response, 403, "cross_site_request").await;
    // An integration without delegated sign-in.
    let response = setup
        .browser
        .get(
            setup
                .app
                .url("/admin/platform/msexchangeconnector/cloud/sign_in/"),
        )
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    problem(response, 404, "not_found").await;

    let (authorize_url, cookie) = setup.start_sign_in().await;
    let back = setup.authorize(&authorize_url).await;
    // The redirect without the browser's cookie (another browser, or forged).
    let (status, page) = setup.redirect(&back, None).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("no sign-in was started in this browser"),
        "{page}"
    );
    // Someone else's code and state with this browser's cookie.
    let (other_authorize, _) = setup.start_sign_in().await;
    let other_back = setup.authorize(&other_authorize).await;
    let (status, page) = setup.redirect(&other_back, Some(&cookie)).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("does not belong to the sign-in started in this browser"),
        "{page}"
    );
    // A refused consent comes back as an error.
    setup.oauth.deny_sign_in(true);
    let (authorize_url, cookie) = setup.start_sign_in().await;
    let back = setup.authorize(&authorize_url).await;
    let (status, page) = setup.redirect(&back, Some(&cookie)).await;
    assert_eq!(status, 400);
    assert!(page.contains("AADSTS65004"), "{page}");
    let stored = setup
        .app
        .store
        .exchange_account(&IntegrationId::parse("single").unwrap())
        .await
        .unwrap();
    assert_eq!(stored, None, "nothing may be stored by a refused sign-in");
    assert_eq!(
        setup.status().await["service_account"]["state"],
        "not_signed_in"
    );
}

async fn app_only_tokens_are_renewed_before_they_expire(db: String) {
    let app_mailbox = "vmr-app@example.com";
    // Tokens that are within the renewal margin two seconds after they are issued.
    let setup = start_with_lifetime(
        &db,
        "oauth_app",
        "client_secret = { file = {secret} }",
        app_mailbox,
        Duration::from_secs(302),
    )
    .await;
    setup
        .wait_for_status("a successful sync with an app-only token", |s| {
            !s["last_successful_sync"].is_null()
        })
        .await;
    let renewed = eventually_async("a renewal before expiry", || async {
        let requests = setup.oauth.token_requests();
        (requests.len() >= 2).then_some(requests)
    })
    .await;
    for request in &renewed {
        assert_eq!(request.grant_type, "client_credentials");
        assert_eq!(request.version, "v2");
        assert!(request.form["scope"].ends_with("/.default"));
        assert_eq!(request.form["client_secret"], APP_SECRET);
    }
    assert!(setup.status().await["service_account"].is_null());
}

async fn v1_endpoints_name_the_resource(db: String) {
    let setup = start(
        &db,
        "oauth_delegated",
        "endpoint_version = \"v1\"\ntoken_encryption_key = { file = {key} }",
        SERVICE_ACCOUNT,
    )
    .await;
    setup.sign_in().await;
    setup
        .wait_for_status("a successful sync with a v1 token", |s| {
            !s["last_successful_sync"].is_null()
        })
        .await;
    let authorize = &setup.oauth.authorize_requests()[0];
    assert!(authorize.contains_key("resource") && !authorize.contains_key("scope"));
    let requests = setup.oauth.token_requests();
    assert!(requests
        .iter()
        .all(|r| r.version == "v1" && r.form.contains_key("resource")));
}

on_both_backends! {
    v1_endpoints_name_the_resource => super::v1_endpoints_name_the_resource;
    a_signed_in_service_account_works_the_mailbox_until_it_must_sign_in_again =>
        super::a_signed_in_service_account_works_the_mailbox_until_it_must_sign_in_again;
    sign_in_requests_that_are_not_the_admins_own_are_refused =>
        super::sign_in_requests_that_are_not_the_admins_own_are_refused;
    app_only_tokens_are_renewed_before_they_expire =>
        super::app_only_tokens_are_renewed_before_they_expire;
}
