//! Why a token request failed, in the terms an admin acts on. Entra ID names the cause with an
//! `AADSTS` code in `error_codes`; the description is quoted (it never holds the secret).

/// How much of Entra's description is kept: its first sentence is what says what to do.
const MAX_DETAIL_CHARS: usize = 240;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The service account must sign in again: password changed, MFA now required, refresh
    /// token revoked or expired, or it never signed in.
    #[error("the Exchange service account must sign in again: {reason}")]
    SignInRequired { reason: String },
    /// Wrong or expired client secret, or an application unknown in the tenant.
    #[error("the identity platform refused the application's credentials: {detail}")]
    InvalidClient { detail: String },
    /// The application was not granted (admin consent) what it asks for.
    #[error("the application lacks admin consent for Exchange: {detail}")]
    ConsentMissing { detail: String },
    #[error("the tenant is unknown to the identity platform: {detail}")]
    TenantNotFound { detail: String },
    #[error("the identity platform refused the token request ({error}): {detail}")]
    Refused { error: String, detail: String },
    /// Network errors, timeouts, 5xx and 429: try again later.
    #[error("the identity platform is unavailable: {detail}")]
    Unavailable { detail: String },
    #[error("the identity platform's answer is not understood: {detail}")]
    Malformed { detail: String },
}

impl OAuthError {
    /// A stable code for the operations log and the status page.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignInRequired { .. } => "oauth_sign_in_required",
            Self::InvalidClient { .. } => "oauth_invalid_client",
            Self::ConsentMissing { .. } => "oauth_consent_missing",
            Self::TenantNotFound { .. } => "oauth_tenant_not_found",
            Self::Refused { .. } => "oauth_refused",
            Self::Unavailable { .. } => "oauth_unavailable",
            Self::Malformed { .. } => "oauth_malformed_response",
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// Classifies an error answer of the token endpoint (RFC 6749 §5.2 plus Entra's codes).
    pub fn from_answer(error: &str, description: &str, codes: &[i64]) -> Self {
        let detail = first_part(description);
        let has = |code: i64| codes.contains(&code);
        if has(90002) {
            return Self::TenantNotFound { detail };
        }
        if has(65001) || has(500011) || has(7000229) || has(7000112) {
            return Self::ConsentMissing { detail };
        }
        match error {
            "invalid_grant" | "interaction_required" | "consent_required" | "login_required" => {
                Self::SignInRequired { reason: detail }
            }
            "invalid_client" | "unauthorized_client" => Self::InvalidClient { detail },
            "temporarily_unavailable" | "server_error" => Self::Unavailable { detail },
            other => Self::Refused {
                error: other.chars().take(64).collect(),
                detail,
            },
        }
    }
}

impl From<OAuthError> for crate::exchange::ews::EwsError {
    fn from(error: OAuthError) -> Self {
        Self::Token {
            code: error.code().to_string(),
            message: error.to_string(),
            retryable: error.is_retryable(),
        }
    }
}

fn first_part(description: &str) -> String {
    let line = description.lines().next().unwrap_or("").trim();
    let mut detail: String = line.chars().take(MAX_DETAIL_CHARS).collect();
    if line.chars().count() > MAX_DETAIL_CHARS {
        detail.push('…');
    }
    if detail.is_empty() {
        detail = "no description given".into();
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_codes_name_the_cause() {
        let password_changed = OAuthError::from_answer(
            "invalid_grant",
            "AADSTS50173: The provided grant has expired due to it being revoked.\r\nTrace ID: x",
            &[50173],
        );
        assert_eq!(
            password_changed,
            OAuthError::SignInRequired {
                reason: "AADSTS50173: The provided grant has expired due to it being revoked."
                    .into()
            }
        );
        let mfa = OAuthError::from_answer("interaction_required", "AADSTS50076: MFA", &[50076]);
        assert_eq!(mfa.code(), "oauth_sign_in_required");
        let expired_secret =
            OAuthError::from_answer("invalid_client", "AADSTS7000222: expired", &[7000222]);
        assert_eq!(expired_secret.code(), "oauth_invalid_client");
        let consent = OAuthError::from_answer("invalid_grant", "AADSTS65001: consent", &[65001]);
        assert_eq!(consent.code(), "oauth_consent_missing");
        let tenant = OAuthError::from_answer("invalid_request", "AADSTS90002: Tenant", &[90002]);
        assert_eq!(tenant.code(), "oauth_tenant_not_found");
        let busy = OAuthError::from_answer("temporarily_unavailable", "", &[]);
        assert!(busy.is_retryable());
        assert_eq!(
            OAuthError::from_answer("invalid_scope", "AADSTS70011: bad scope", &[70011]).code(),
            "oauth_refused"
        );
    }

    #[test]
    fn long_descriptions_are_cut() {
        let long = "x".repeat(1000);
        let OAuthError::Refused { detail, .. } = OAuthError::from_answer("other", &long, &[])
        else {
            panic!("expected Refused");
        };
        assert_eq!(detail.chars().count(), MAX_DETAIL_CHARS + 1);
    }
}
