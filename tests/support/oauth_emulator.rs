//! A loopback Microsoft identity platform for the Exchange OAuth flows: the authorize endpoint
//! (which "signs in" the configured account at once and redirects back with a code), and the
//! token endpoint for authorization codes (PKCE S256 checked), refresh tokens (rotated) and
//! client credentials, on both v1 (`/oauth2/…`, `resource=`) and v2 (`/oauth2/v2.0/…`, scopes).
//! Access tokens it issues are accepted by an [`crate::ews_emulator::EwsEmulator`] account
//! made with [`crate::ews_emulator::Account::oauth`] until they expire or are revoked.
//!
//! Errors are answered as Entra ID answers them: `error`, `error_description` starting with the
//! `AADSTS` code, and `error_codes`.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Access tokens that are currently valid, and for which mailbox.
#[derive(Clone, Default, Debug)]
pub struct AcceptedTokens(Arc<Mutex<HashMap<String, (String, Instant)>>>);

impl AcceptedTokens {
    pub fn accepts(&self, token: &str, smtp: &str) -> bool {
        let tokens = self.0.lock().unwrap();
        tokens.get(token).is_some_and(|(owner, until)| {
            owner.eq_ignore_ascii_case(smtp) && *until > Instant::now()
        })
    }

    /// Every token issued so far stops working (as after a password change).
    pub fn revoke_all(&self) {
        self.0.lock().unwrap().clear();
    }

    fn issue(&self, smtp: &str, lifetime: Duration) -> String {
        let token = format!("at-{}", uuid::Uuid::new_v4().simple());
        self.0
            .lock()
            .unwrap()
            .insert(token.clone(), (smtp.to_owned(), Instant::now() + lifetime));
        token
    }
}

/// One request the token endpoint received, for assertions.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub version: &'static str,
    pub grant_type: String,
    pub form: HashMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct OAuthEmulatorConfig {
    pub tenant: String,
    pub client_id: String,
    /// Required on every token request when set (a confidential client).
    pub client_secret: Option<String>,
    /// The account the authorize endpoint signs in.
    pub account: String,
    /// The mailbox that client-credential tokens act as (the app's own principal).
    pub app_mailbox: String,
    /// The EWS origin tokens are for (`resource=` / the scope's prefix).
    pub resource: String,
    /// Lifetime of the access tokens it issues (Entra's usual: about an hour).
    pub access_lifetime: Duration,
}

#[derive(Default)]
struct State {
    codes: HashMap<String, PendingCode>,
    refresh_tokens: HashMap<String, String>,
    requests: Vec<TokenRequest>,
    authorize_requests: Vec<HashMap<String, String>>,
    access_lifetime: Duration,
    rotate: bool,
    refresh_failure: Option<(String, i64, String)>,
    unavailable: u32,
    deny_sign_in: bool,
}

struct PendingCode {
    challenge: String,
    redirect_uri: String,
    account: String,
}

struct Shared {
    config: OAuthEmulatorConfig,
    tokens: AcceptedTokens,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

pub struct OAuthEmulator {
    shared: Arc<Shared>,
    base_url: String,
    handle: actix_web::dev::ServerHandle,
}

impl OAuthEmulator {
    /// Binds `127.0.0.1:0` and serves in the background of the current Tokio runtime.
    pub async fn start(config: OAuthEmulatorConfig, tokens: AcceptedTokens) -> OAuthEmulator {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Arc::new(Shared {
            config: config.clone(),
            tokens,
            state: Mutex::new(State {
                rotate: true,
                access_lifetime: config.access_lifetime,
                ..State::default()
            }),
        });
        let data = web::Data::from(Arc::clone(&shared));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/{tenant}/oauth2/authorize", web::get().to(authorize_v1))
                .route(
                    "/{tenant}/oauth2/v2.0/authorize",
                    web::get().to(authorize_v2),
                )
                .route("/{tenant}/oauth2/token", web::post().to(token_v1))
                .route("/{tenant}/oauth2/v2.0/token", web::post().to(token_v2))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listen on loopback")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        OAuthEmulator {
            shared,
            base_url,
            handle,
        }
    }

    /// The authority to configure (`http://127.0.0.1:<port>`).
    pub fn authority(&self) -> &str {
        &self.base_url
    }

    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.state().requests.clone()
    }

    pub fn authorize_requests(&self) -> Vec<HashMap<String, String>> {
        self.shared.state().authorize_requests.clone()
    }

    /// Every refresh fails like Entra ID does after, e.g., a password change
    /// (`invalid_grant`, AADSTS50173), until cleared with `None`.
    pub fn fail_refreshes(&self, failure: Option<(&str, i64, &str)>) {
        self.shared.state().refresh_failure =
            failure.map(|(error, code, text)| (error.to_owned(), code, text.to_owned()));
    }

    /// The next `count` token requests get HTTP 503.
    pub fn fail_next_requests(&self, count: u32) {
        self.shared.state().unavailable = count;
    }

    /// The user refuses the sign-in: the authorize endpoint redirects back with an error.
    pub fn deny_sign_in(&self, deny: bool) {
        self.shared.state().deny_sign_in = deny;
    }

    pub fn live_refresh_tokens(&self) -> usize {
        self.shared.state().refresh_tokens.len()
    }
}

impl Drop for OAuthEmulator {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        tokio::spawn(async move { handle.stop(false).await });
    }
}

type Query = web::Query<HashMap<String, String>>;
type Form = web::Form<HashMap<String, String>>;

async fn authorize_v1(shared: web::Data<Shared>, query: Query) -> HttpResponse {
    authorize(&shared, query.into_inner(), "v1")
}

async fn authorize_v2(shared: web::Data<Shared>, query: Query) -> HttpResponse {
    authorize(&shared, query.into_inner(), "v2")
}

async fn token_v1(shared: web::Data<Shared>, form: Form) -> HttpResponse {
    token(&shared, form.into_inner(), "v1")
}

async fn token_v2(shared: web::Data<Shared>, form: Form) -> HttpResponse {
    token(&shared, form.into_inner(), "v2")
}

fn authorize(shared: &Shared, query: HashMap<String, String>, version: &str) -> HttpResponse {
    let config = &shared.config;
    let mut state = shared.state();
    state.authorize_requests.push(query.clone());
    let field = |name: &str| query.get(name).map(String::as_str).unwrap_or("");
    let problem = if field("client_id") != config.client_id {
        Some("AADSTS700016: Application not found in the directory")
    } else if field("response_type") != "code" {
        Some("AADSTS900144: response_type must be code")
    } else if field("code_challenge_method") != "S256" || field("code_challenge").len() != 43 {
        Some("AADSTS501491: PKCE with S256 required")
    } else if !target_is_right(config, version, field("scope"), field("resource"), false) {
        Some("AADSTS70011: The provided value for scope or resource is not valid")
    } else {
        None
    };
    if let Some(problem) = problem {
        // Entra shows an error page rather than redirecting for a broken request.
        return HttpResponse::BadRequest().body(problem);
    }
    let mut redirect = url::Url::parse(field("redirect_uri")).expect("redirect_uri is a URL");
    if state.deny_sign_in {
        redirect
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair(
                "error_description",
                "AADSTS65004: User declined to consent.",
            )
            .append_pair("state", field("state"));
    } else {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        state.codes.insert(
            code.clone(),
            PendingCode {
                challenge: field("code_challenge").to_owned(),
                redirect_uri: field("redirect_uri").to_owned(),
                account: config.account.clone(),
            },
        );
        redirect
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", field("state"));
    }
    HttpResponse::Found()
        .insert_header(("Location", redirect.as_str()))
        .finish()
}

fn target_is_right(
    config: &OAuthEmulatorConfig,
    version: &str,
    scope: &str,
    resource: &str,
    app: bool,
) -> bool {
    match version {
        "v1" => resource == config.resource,
        _ if app => scope == format!("{}/.default", config.resource),
        _ => scope
            .split(' ')
            .any(|s| s == format!("{}/EWS.AccessAsUser.All", config.resource)),
    }
}

fn token(shared: &Shared, form: HashMap<String, String>, version: &'static str) -> HttpResponse {
    let config = &shared.config;
    let mut state = shared.state();
    let grant_type = form.get("grant_type").cloned().unwrap_or_default();
    state.requests.push(TokenRequest {
        version,
        grant_type: grant_type.clone(),
        form: form.clone(),
    });
    if state.unavailable > 0 {
        state.unavailable -= 1;
        return HttpResponse::ServiceUnavailable().finish();
    }
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if field("client_id") != config.client_id {
        return failure(
            400,
            "unauthorized_client",
            700016,
            "Application not found in the directory",
        );
    }
    let secret_needed = config.client_secret.is_some() || grant_type == "client_credentials";
    if secret_needed && config.client_secret.as_deref() != Some(field("client_secret")) {
        return failure(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided.",
        );
    }
    let app = grant_type == "client_credentials";
    if !target_is_right(config, version, field("scope"), field("resource"), app) {
        return failure(
            400,
            "invalid_scope",
            70011,
            "The provided value for scope is not valid.",
        );
    }
    let lifetime = state.access_lifetime;
    let account = match grant_type.as_str() {
        "authorization_code" => {
            let Some(pending) = state.codes.remove(field("code")) else {
                return failure(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired or was already redeemed.");
            };
            let challenge =
                URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
            if challenge != pending.challenge {
                return failure(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
            }
            if pending.redirect_uri != field("redirect_uri") {
                return failure(
                    400,
                    "invalid_grant",
                    50148,
                    "The redirect URI does not match the one of the authorization request.",
                );
            }
            pending.account
        }
        "refresh_token" => {
            if let Some((error, code, text)) = state.refresh_failure.clone() {
                return failure(400, &error, code, &text);
            }
            let Some(account) = state.refresh_tokens.get(field("refresh_token")).cloned() else {
                return failure(
                    400,
                    "invalid_grant",
                    9002313,
                    "Invalid request. The refresh token is malformed or not valid.",
                );
            };
            if state.rotate {
                state.refresh_tokens.remove(field("refresh_token"));
            }
            account
        }
        "client_credentials" => {
            let access = shared.tokens.issue(&config.app_mailbox, lifetime);
            return HttpResponse::Ok().json(json!({
                "token_type": "Bearer",
                "expires_in": expires_in(version, lifetime),
                "access_token": access,
            }));
        }
        other => {
            return failure(
                400,
                "unsupported_grant_type",
                70003,
                &format!("The grant type {other} is not supported."),
            )
        }
    };
    let refresh = format!("rt-{}", uuid::Uuid::new_v4().simple());
    state
        .refresh_tokens
        .insert(refresh.clone(), account.clone());
    let access = shared.tokens.issue(&account, lifetime);
    let claims = URL_SAFE_NO_PAD
        .encode(json!({ "preferred_username": account, "upn": account }).to_string());
    HttpResponse::Ok().json(json!({
        "token_type": "Bearer",
        "expires_in": expires_in(version, lifetime),
        "access_token": access,
        "refresh_token": refresh,
        "id_token": format!("eyJhbGciOiJub25lIn0.{claims}."),
    }))
}

/// v1 endpoints send the lifetime as a string, v2 as a number.
fn expires_in(version: &str, lifetime: Duration) -> serde_json::Value {
    if version == "v1" {
        json!(lifetime.as_secs().to_string())
    } else {
        json!(lifetime.as_secs())
    }
}

fn failure(status: u16, error: &str, code: i64, text: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("valid status")).json(json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text}\r\nTrace ID: 00000000-0000-0000-0000-000000000000"),
        "error_codes": [code],
        "trace_id": "00000000-0000-0000-0000-000000000000",
    }))
}
