//! Why a token was refused. The codes are part of the HTTP API (the add-in shows different help
//! for "sign in again" and "ask your administrator"), so they never change once released.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// No `Authorization` header at all.
    Missing,
    /// Not a `Bearer` credential, or not a well-formed JWS compact token, or a required claim is
    /// absent or of the wrong type.
    Malformed,
    /// Larger than any Office token; refused before decoding to bound the work per request.
    Oversized,
    /// Any `alg` but RS256, including `none` and the HMAC algorithms.
    UnsupportedAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongAudience,
    WrongIssuer,
    TenantNotAllowed,
    /// No trusted key has the token's `kid`/`x5t`, even after a refetch.
    UnknownKey,
    /// An Exchange token whose `amurl` is not on the configured list of metadata origins.
    UntrustedMetadataUrl,
    WrongTokenVersion,
    InsufficientScope,
    /// The header lists `crit` extensions; we implement none, so RFC 7515 says refuse.
    UnsupportedCriticalHeader,
    /// A token kind (Entra or Exchange) this integration does not accept.
    TokenKindNotEnabled,
    /// Keys could not be fetched and none are cached: the client may retry later.
    KeySourceUnavailable,
}

impl RejectReason {
    pub const ALL: [RejectReason; 17] = [
        Self::Missing,
        Self::Malformed,
        Self::Oversized,
        Self::UnsupportedAlgorithm,
        Self::BadSignature,
        Self::Expired,
        Self::NotYetValid,
        Self::WrongAudience,
        Self::WrongIssuer,
        Self::TenantNotAllowed,
        Self::UnknownKey,
        Self::UntrustedMetadataUrl,
        Self::WrongTokenVersion,
        Self::InsufficientScope,
        Self::UnsupportedCriticalHeader,
        Self::TokenKindNotEnabled,
        Self::KeySourceUnavailable,
    ];

    /// Stable snake_case code for API responses, metrics and logs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed => "malformed",
            Self::Oversized => "oversized",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongAudience => "wrong_audience",
            Self::WrongIssuer => "wrong_issuer",
            Self::TenantNotAllowed => "tenant_not_allowed",
            Self::UnknownKey => "unknown_key",
            Self::UntrustedMetadataUrl => "untrusted_metadata_url",
            Self::WrongTokenVersion => "wrong_token_version",
            Self::InsufficientScope => "insufficient_scope",
            Self::UnsupportedCriticalHeader => "unsupported_critical_header",
            Self::TokenKindNotEnabled => "token_kind_not_enabled",
            Self::KeySourceUnavailable => "key_source_unavailable",
        }
    }

    /// 503 only when the fault is ours (the key source is down), so clients know a retry may
    /// help; everything else is the token's fault.
    pub fn http_status(self) -> u16 {
        match self {
            Self::KeySourceUnavailable => 503,
            _ => 401,
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused token. `detail` is written for the person at the client and is built only from
/// fixed text: it never echoes the token, its claims, a signature or configuration secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct Rejection {
    pub reason: RejectReason,
    pub detail: String,
}

impl Rejection {
    pub fn new(reason: RejectReason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }

    pub(crate) fn malformed(detail: &str) -> Self {
        Self::new(RejectReason::Malformed, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct_snake_case_and_match_serde() {
        let codes: HashSet<_> = RejectReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), RejectReason::ALL.len());
        for reason in RejectReason::ALL {
            let code = reason.code();
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            let json = serde_json::to_string(&reason).expect("serializes");
            assert_eq!(json, format!("\"{code}\""));
        }
    }

    #[test]
    fn only_an_unavailable_key_source_is_a_server_error() {
        for reason in RejectReason::ALL {
            let expected = if reason == RejectReason::KeySourceUnavailable {
                503
            } else {
                401
            };
            assert_eq!(reason.http_status(), expected, "{reason}");
        }
    }
}
