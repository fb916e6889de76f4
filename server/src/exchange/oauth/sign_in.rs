//! The service account's sign-in (OAuth authorization code with PKCE, RFC 7636): the start
//! sends the admin's browser to the identity platform with a fresh `state` and code challenge,
//! and leaves both, sealed, in a cookie bound to that browser; the redirect only completes a
//! sign-in whose `state` matches that cookie, so nobody can slip their own account in
//! (login CSRF) and a stolen code is useless without the verifier.

use super::sealing::{random_token, Sealer};
use super::{OAuthEndpoint, OAuthError};
use crate::domain::IntegrationId;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use url::Url;

pub const COOKIE_NAME: &str = "vmr_exchange_sign_in";
/// Long enough to type a password and answer MFA, short enough that a forgotten tab expires.
pub const SIGN_IN_SECONDS: i64 = 600;

/// What the cookie carries between start and redirect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    expires_at: i64,
}

/// The start of a sign-in: where to send the browser and the cookie to set.
pub struct Started {
    pub authorize_url: Url,
    /// `<integration>.<sealed>`: the integration in clear picks the key to open the rest.
    pub cookie_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("no sign-in was started in this browser, or it was started more than 10 minutes ago; start it again")]
    NoPendingSignIn,
    #[error(
        "the sign-in answer does not belong to the sign-in started in this browser; start it again"
    )]
    StateMismatch,
    #[error("the sign-in took longer than 10 minutes; start it again")]
    Expired,
    #[error("the identity platform did not sign the account in: {0}")]
    Denied(String),
    #[error("the identity platform did not return a refresh token (is `offline_access` granted?)")]
    NoRefreshToken,
    #[error(transparent)]
    Token(#[from] OAuthError),
    #[error("the sign-in worked but cannot be stored: {0}")]
    Storage(String),
}

pub fn start(
    endpoint: &OAuthEndpoint,
    integration: &IntegrationId,
    sealer: &Sealer,
    redirect_uri: &str,
    now: OffsetDateTime,
) -> Started {
    let pending = Pending {
        state: random_token(32),
        verifier: random_token(32),
        expires_at: now.unix_timestamp() + SIGN_IN_SECONDS,
    };
    let mut url = endpoint.authorize_url();
    let (target, value) = endpoint.delegated_target();
    url.query_pairs_mut()
        .append_pair("client_id", &endpoint.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_mode", "query")
        .append_pair(target, &value)
        .append_pair("state", &pending.state)
        .append_pair("code_challenge", &challenge(&pending.verifier))
        .append_pair("code_challenge_method", "S256")
        // The admin's own session must not be taken by mistake: pick the service account.
        .append_pair("prompt", "select_account");
    let sealed = sealer.seal(
        &cookie_context(integration),
        &serde_json::to_vec(&pending).expect("a struct of strings serializes"),
    );
    Started {
        authorize_url: url,
        cookie_value: format!("{integration}.{sealed}"),
    }
}

/// The integration a sign-in cookie belongs to, read before its key is known.
pub fn cookie_integration(cookie_value: &str) -> Option<&str> {
    cookie_value
        .split_once('.')
        .map(|(integration, _)| integration)
}

/// Checks the redirect against the cookie of the browser it arrived in; gives the code to
/// redeem and the PKCE verifier to redeem it with.
pub fn verify(
    integration: &IntegrationId,
    sealer: &Sealer,
    cookie_value: Option<&str>,
    redirect: &RedirectQuery,
    now: OffsetDateTime,
) -> Result<(String, String), SignInError> {
    let sealed = cookie_value
        .and_then(|value| value.split_once('.'))
        .filter(|(id, _)| *id == integration.as_str())
        .map(|(_, sealed)| sealed)
        .ok_or(SignInError::NoPendingSignIn)?;
    let pending: Pending = sealer
        .open(&cookie_context(integration), sealed)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(SignInError::NoPendingSignIn)?;
    let state = redirect.state.as_deref().unwrap_or("");
    if !constant_time_eq(state.as_bytes(), pending.state.as_bytes()) {
        return Err(SignInError::StateMismatch);
    }
    if now.unix_timestamp() > pending.expires_at {
        return Err(SignInError::Expired);
    }
    if let Some(error) = &redirect.error {
        let description = redirect.error_description.as_deref().unwrap_or("");
        let first = description.lines().next().unwrap_or("").trim();
        return Err(SignInError::Denied(
            format!("{error}: {first}").chars().take(300).collect(),
        ));
    }
    let code = redirect
        .code
        .clone()
        .filter(|code| !code.is_empty())
        .ok_or_else(|| SignInError::Denied("the answer carries no authorization code".into()))?;
    Ok((code, pending.verifier))
}

/// The query of the identity platform's redirect back to the service.
#[derive(Debug, Default, Deserialize)]
pub struct RedirectQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

fn cookie_context(integration: &IntegrationId) -> String {
    format!("exchange sign-in:{integration}")
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = u8::from(a.len() != b.len());
    for (index, byte) in b.iter().enumerate() {
        difference |= byte ^ a.get(index).copied().unwrap_or(0);
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OAuthEndpoints;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorize_url_carries_state_and_challenge_and_the_cookie_hides_the_verifier() {
        let (integration, sealer, started, now) =
            started_with(OAuthEndpoints::V2, "https://outlook.office365.com");
        let query: std::collections::HashMap<_, _> =
            started.authorize_url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["redirect_uri"], "https://vmr/redirect/");
        assert!(query["scope"].contains("offline_access"));
        assert_eq!(query["state"].len(), 43);
        assert_eq!(cookie_integration(&started.cookie_value), Some("main"));
        let sealed = started.cookie_value.split_once('.').unwrap().1;
        let pending: Pending =
            serde_json::from_slice(&sealer.open(&cookie_context(&integration), sealed).unwrap())
                .unwrap();
        assert_eq!(pending.state, query["state"]);
        assert_eq!(challenge(&pending.verifier), query["code_challenge"]);
        assert!(!started.cookie_value.contains(&pending.verifier));
        assert_eq!(pending.expires_at, now.unix_timestamp() + SIGN_IN_SECONDS);
    }

    fn started() -> (IntegrationId, Sealer, Started, OffsetDateTime) {
        started_with(OAuthEndpoints::V1, "https://mail.example.org")
    }

    fn started_with(
        version: OAuthEndpoints,
        resource: &str,
    ) -> (IntegrationId, Sealer, Started, OffsetDateTime) {
        let endpoint = OAuthEndpoint {
            authority: Url::parse("https://login.microsoftonline.com").unwrap(),
            tenant_id: "contoso.onmicrosoft.com".into(),
            client_id: "00000000-0000-0000-0000-000000000001".into(),
            version,
            resource: resource.into(),
        };
        let integration = IntegrationId::parse("main").unwrap();
        let sealer = Sealer::new("a-token-encryption-key-of-32-chars-or-more");
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let started = start(
            &endpoint,
            &integration,
            &sealer,
            "https://vmr/redirect/",
            now,
        );
        (integration, sealer, started, now)
    }

    fn state_of(started: &Started) -> String {
        started
            .authorize_url
            .query_pairs()
            .find(|(name, _)| name == "state")
            .unwrap()
            .1
            .into_owned()
    }

    #[test]
    fn a_redirect_with_the_cookies_state_gives_code_and_verifier() {
        let (integration, sealer, started, now) = started();
        let query = RedirectQuery {
            code: Some("the-code".into()),
            state: Some(state_of(&started)),
            ..RedirectQuery::default()
        };
        let (code, verifier) = verify(
            &integration,
            &sealer,
            Some(&started.cookie_value),
            &query,
            now,
        )
        .unwrap();
        assert_eq!(code, "the-code");
        assert_eq!(
            challenge(&verifier),
            started
                .authorize_url
                .query_pairs()
                .find(|(name, _)| name == "code_challenge")
                .unwrap()
                .1
        );
        assert!(started
            .authorize_url
            .query_pairs()
            .any(|(name, value)| name == "resource" && value == "https://mail.example.org"));
    }

    #[test]
    fn every_mismatch_is_refused_for_its_own_reason() {
        let (integration, sealer, started, now) = started();
        let good = || RedirectQuery {
            code: Some("the-code".into()),
            state: Some(state_of(&started)),
            ..RedirectQuery::default()
        };
        let cookie = Some(started.cookie_value.as_str());
        let check = |cookie: Option<&str>, query: &RedirectQuery, at: OffsetDateTime| {
            verify(&integration, &sealer, cookie, query, at).unwrap_err()
        };
        assert_eq!(check(None, &good(), now), SignInError::NoPendingSignIn);
        let other = IntegrationId::parse("other").unwrap();
        assert_eq!(
            verify(&other, &sealer, cookie, &good(), now).unwrap_err(),
            SignInError::NoPendingSignIn
        );
        let forged = format!("main.{}", sealer.seal("exchange sign-in:other", b"{}"));
        assert_eq!(
            check(Some(&forged), &good(), now),
            SignInError::NoPendingSignIn
        );
        let wrong_state = RedirectQuery {
            state: Some("attacker".into()),
            ..good()
        };
        assert_eq!(check(cookie, &wrong_state, now), SignInError::StateMismatch);
        let late = now + time::Duration::seconds(SIGN_IN_SECONDS + 1);
        assert_eq!(check(cookie, &good(), late), SignInError::Expired);
        let denied = RedirectQuery {
            code: None,
            error: Some("access_denied".into()),
            error_description: Some("AADSTS65004: User declined to consent.\r\nTrace".into()),
            ..good()
        };
        assert_eq!(
            check(cookie, &denied, now),
            SignInError::Denied("access_denied: AADSTS65004: User declined to consent.".into())
        );
        let no_code = RedirectQuery {
            code: None,
            ..good()
        };
        assert!(matches!(
            check(cookie, &no_code, now),
            SignInError::Denied(_)
        ));
    }

    #[test]
    fn comparison_is_exact() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
