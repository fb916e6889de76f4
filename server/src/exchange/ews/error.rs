//! Errors of EWS calls. None of them carries credentials or tokens: faults and response
//! messages are quoted from the server, transport errors without the URL.

use std::time::Duration;

/// The `ResponseCode` of an EWS response message or fault, as far as the service acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    NoError,
    ErrorServerBusy,
    ErrorItemNotFound,
    ErrorInvalidSyncStateData,
    ErrorImpersonateUserDenied,
    ErrorNonExistentMailbox,
    ErrorAccessDenied,
    ErrorIrresolvableConflict,
    ErrorChangeKeyRequiredForWriteOperations,
    ErrorSchemaValidation,
    ErrorInternalServerError,
    Other(String),
}

impl ResponseCode {
    pub fn parse(code: &str) -> Self {
        match code.trim() {
            "NoError" => Self::NoError,
            "ErrorServerBusy" => Self::ErrorServerBusy,
            "ErrorItemNotFound" => Self::ErrorItemNotFound,
            "ErrorInvalidSyncStateData" => Self::ErrorInvalidSyncStateData,
            "ErrorImpersonateUserDenied" => Self::ErrorImpersonateUserDenied,
            "ErrorNonExistentMailbox" => Self::ErrorNonExistentMailbox,
            "ErrorAccessDenied" => Self::ErrorAccessDenied,
            "ErrorIrresolvableConflict" => Self::ErrorIrresolvableConflict,
            "ErrorChangeKeyRequiredForWriteOperations" => {
                Self::ErrorChangeKeyRequiredForWriteOperations
            }
            "ErrorSchemaValidation" => Self::ErrorSchemaValidation,
            "ErrorInternalServerError" => Self::ErrorInternalServerError,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::NoError => "NoError",
            Self::ErrorServerBusy => "ErrorServerBusy",
            Self::ErrorItemNotFound => "ErrorItemNotFound",
            Self::ErrorInvalidSyncStateData => "ErrorInvalidSyncStateData",
            Self::ErrorImpersonateUserDenied => "ErrorImpersonateUserDenied",
            Self::ErrorNonExistentMailbox => "ErrorNonExistentMailbox",
            Self::ErrorAccessDenied => "ErrorAccessDenied",
            Self::ErrorIrresolvableConflict => "ErrorIrresolvableConflict",
            Self::ErrorChangeKeyRequiredForWriteOperations => {
                "ErrorChangeKeyRequiredForWriteOperations"
            }
            Self::ErrorSchemaValidation => "ErrorSchemaValidation",
            Self::ErrorInternalServerError => "ErrorInternalServerError",
            Self::Other(other) => other,
        }
    }
}

impl std::fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EwsError {
    /// HTTP 401: wrong credentials, or a token Exchange does not accept.
    #[error("Exchange refused the credentials (HTTP 401)")]
    Unauthorized,
    /// `ErrorServerBusy`, with Exchange's `BackOffMilliseconds` hint when it gave one.
    #[error("Exchange is throttling the account (back off {back_off:?})")]
    Throttled { back_off: Option<Duration> },
    #[error("Exchange answered HTTP {status}")]
    Http { status: u16 },
    #[error("the EWS request timed out")]
    Timeout,
    #[error("cannot reach Exchange: {0}")]
    Transport(String),
    /// A SOAP fault other than throttling; `code` is the EWS response code when the fault has
    /// one, else the fault code without its prefix.
    #[error("EWS fault {code}: {message}")]
    Fault { code: String, message: String },
    /// A response message with `ResponseClass="Error"` (or a warning).
    #[error("EWS {code}: {message}")]
    Response { code: ResponseCode, message: String },
    #[error("unexpected EWS response: {0}")]
    Malformed(String),
    /// No access token to send: `code` says why (e.g. `oauth_sign_in_required`).
    #[error("{message}")]
    Token {
        code: String,
        message: String,
        retryable: bool,
    },
    #[error("EWS call failed {attempts} times, last: {last}")]
    RetriesExhausted { attempts: u32, last: Box<EwsError> },
}

impl EwsError {
    /// Whether the same call may succeed later unchanged: throttling, transient HTTP statuses,
    /// timeouts and connection errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Throttled { .. } | Self::Timeout | Self::Transport(_) => true,
            Self::Http { status } => matches!(status, 429 | 500 | 502 | 503 | 504),
            Self::Response { code, .. } => *code == ResponseCode::ErrorServerBusy,
            Self::Token { retryable, .. } => *retryable,
            Self::RetriesExhausted { last, .. } => last.is_retryable(),
            Self::Unauthorized | Self::Fault { .. } | Self::Malformed(_) => false,
        }
    }

    /// The EWS response code behind the error, from a response message or a fault.
    pub fn response_code(&self) -> Option<ResponseCode> {
        match self {
            Self::Response { code, .. } => Some(code.clone()),
            Self::Fault { code, .. } => Some(ResponseCode::parse(code)),
            Self::Throttled { .. } => Some(ResponseCode::ErrorServerBusy),
            Self::RetriesExhausted { last, .. } => last.response_code(),
            _ => None,
        }
    }
}
