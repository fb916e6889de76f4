//! One POST to the token endpoint and what comes back (RFC 6749 §5), as Entra ID answers it:
//! v1 endpoints send `expires_in` as a string, v2 as a number.

use super::{OAuthEndpoint, OAuthError};
use crate::config::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use time::OffsetDateTime;

/// Token answers are small; anything larger is refused rather than buffered.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    /// Present for delegated grants; a rotated one replaces the stored one.
    pub refresh_token: Option<Secret>,
    /// The signed-in account's name from the ID token, for the status page.
    pub account: Option<String>,
}

#[derive(Deserialize)]
struct Success {
    access_token: String,
    expires_in: serde_json::Value,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct Failure {
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<i64>,
}

/// Sends the grant (`grant_type` and its fields); the client id is added here.
pub async fn request_token(
    http: &reqwest::Client,
    endpoint: &OAuthEndpoint,
    form: &[(&str, &str)],
    now: OffsetDateTime,
) -> Result<TokenGrant, OAuthError> {
    let mut fields: Vec<(&str, &str)> = vec![("client_id", endpoint.client_id.as_str())];
    fields.extend_from_slice(form);
    let response = http
        .post(endpoint.token_url())
        .form(&fields)
        .send()
        .await
        .map_err(|error| OAuthError::Unavailable {
            detail: if error.is_timeout() {
                "the token request timed out".into()
            } else {
                format!("cannot reach the token endpoint: {}", error.without_url())
            },
        })?;
    let status = response.status().as_u16();
    let body = read_limited(response).await?;
    if status == 429 || status >= 500 {
        return Err(OAuthError::Unavailable {
            detail: format!("the token endpoint answered HTTP {status}"),
        });
    }
    if (200..300).contains(&status) {
        let success: Success = serde_json::from_slice(&body).map_err(|error| malformed(&error))?;
        return grant(success, now);
    }
    let failure: Failure = serde_json::from_slice(&body).map_err(|_| OAuthError::Malformed {
        detail: format!("HTTP {status} without an OAuth error"),
    })?;
    Err(OAuthError::from_answer(
        &failure.error,
        &failure.error_description,
        &failure.error_codes,
    ))
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, OAuthError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| OAuthError::Unavailable {
            detail: format!("the token answer broke off: {}", error.without_url()),
        })?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(OAuthError::Malformed {
                detail: format!("answer larger than {MAX_ANSWER_BYTES} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn grant(success: Success, now: OffsetDateTime) -> Result<TokenGrant, OAuthError> {
    let seconds = match &success.expires_in {
        serde_json::Value::Number(number) => number.as_i64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
    .filter(|seconds| (1..=86_400 * 2).contains(seconds))
    .ok_or_else(|| OAuthError::Malformed {
        detail: "`expires_in` is not a number of seconds".into(),
    })?;
    if success.access_token.trim().is_empty() {
        return Err(OAuthError::Malformed {
            detail: "empty `access_token`".into(),
        });
    }
    Ok(TokenGrant {
        access_token: Secret::new(success.access_token),
        expires_at: now + time::Duration::seconds(seconds),
        refresh_token: success
            .refresh_token
            .filter(|token| !token.is_empty())
            .map(Secret::new),
        account: success.id_token.as_deref().and_then(account_name),
    })
}

fn malformed(error: &serde_json::Error) -> OAuthError {
    OAuthError::Malformed {
        detail: format!(
            "not a token answer ({})",
            match error.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof =>
                    "not JSON",
                _ => "fields missing or of the wrong type",
            }
        ),
    }
}

/// The account's name from an ID token that came straight from the token endpoint over TLS,
/// which OpenID Connect Core §3.1.3.7 lets a client trust without checking the signature.
/// Only shown to admins, never used to decide anything.
fn account_name(id_token: &str) -> Option<String> {
    let payload = id_token.split('.').nth(1)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    ["preferred_username", "upn", "unique_name", "email"]
        .iter()
        .find_map(|claim| claims.get(claim)?.as_str())
        .map(|name| name.chars().take(256).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn v1_string_and_v2_number_lifetimes_are_read() {
        for expires_in in [serde_json::json!(3599), serde_json::json!("3599")] {
            let grant = grant(
                Success {
                    access_token: "at".into(),
                    expires_in,
                    refresh_token: Some("rt".into()),
                    id_token: None,
                },
                now(),
            )
            .unwrap();
            assert_eq!(grant.expires_at, now() + time::Duration::seconds(3599));
            assert_eq!(grant.refresh_token.unwrap().expose(), "rt");
        }
    }

    #[test]
    fn a_nonsense_lifetime_or_empty_token_is_malformed() {
        for (token, expires_in) in [
            ("at", serde_json::json!("soon")),
            ("at", serde_json::json!(-5)),
            ("", serde_json::json!(60)),
        ] {
            let result = grant(
                Success {
                    access_token: token.into(),
                    expires_in,
                    refresh_token: None,
                    id_token: None,
                },
                now(),
            );
            assert!(matches!(result, Err(OAuthError::Malformed { .. })));
        }
    }

    #[test]
    fn the_account_name_comes_from_the_id_token() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"preferred_username":"svc-vmr@contoso.com"}"#);
        assert_eq!(
            account_name(&format!("e30.{payload}.sig")).as_deref(),
            Some("svc-vmr@contoso.com")
        );
        assert_eq!(account_name("garbage"), None);
    }
}
