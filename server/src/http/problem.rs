//! Errors as RFC 9457 `application/problem+json` with a stable machine-readable `code`.
//! The request id is added by the request-id middleware, which sees every response.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

pub const CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: u16,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub request_id: Option<String>,
    pub retry_after_seconds: Option<u64>,
    /// Answer with an RFC 6750 `WWW-Authenticate: Bearer error="invalid_token"` challenge.
    pub bearer_challenge: bool,
}

/// The wire form; `type` is derived from the code so the two can never disagree.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    type_uri: String,
    title: &'a str,
    status: u16,
    code: &'a str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status: status.as_u16(),
            code,
            title,
            detail: detail.into(),
            request_id: None,
            retry_after_seconds: None,
            bearer_challenge: false,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail)
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Invalid request", detail)
    }

    /// For failures whose cause must stay in the server log (it may name internals).
    pub fn internal(code: &'static str, title: &'static str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            code,
            title,
            "The service could not complete the request; the request id identifies it in the service log.",
        )
    }

    /// An error raised by actix itself (extractors, limits), named by its status.
    pub fn from_framework(status: StatusCode, detail: String) -> Self {
        let (code, title) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Request body too large"),
            StatusCode::NOT_FOUND => ("not_found", "Not found"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Method not allowed"),
            s if s.is_client_error() => ("invalid_request", "Invalid request"),
            _ => ("internal_error", "Internal error"),
        };
        Self::new(status, code, title, detail)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    pub fn with_bearer_challenge(mut self) -> Self {
        self.bearer_challenge = true;
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&Body {
            type_uri: format!("urn:vmr-scheduler:problem:{}", self.code),
            title: self.title,
            status: self.status,
            code: self.code,
            detail: &self.detail,
            request_id: self.request_id.as_deref(),
        })
        .unwrap_or_default()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.code, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, CONTENT_TYPE));
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.bearer_challenge {
            let challenge = format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                self.code
            );
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        response.body(self.to_json())
    }
}

pub async fn route_not_found() -> Result<HttpResponse, Problem> {
    Err(Problem::not_found(
        "no such route; see /api/v1/openapi.json for the routes this service offers",
    ))
}

pub async fn method_not_allowed() -> Result<HttpResponse, Problem> {
    Err(Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this route does not accept that HTTP method",
    ))
}
