//! Every request gets an id: the caller's `X-Request-Id` when it is a short safe token,
//! otherwise a new UUID. It is echoed in the response header, written into problem bodies and
//! attached to the request's log lines.

use super::problem::Problem;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};
use std::time::Instant;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accepted(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

pub async fn middleware(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| accepted(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.path());
    let started = Instant::now();
    let result = next.call(request).instrument(span.clone()).await;
    let mut response = match result {
        Ok(response) => response.map_into_boxed_body(),
        // Raised by a middleware before any response existed; actix renders it.
        Err(error) => return Err(error),
    };
    // Our own problems get the request id; actix's errors (a body over the limit, say) become
    // problems too, so every error a client sees has the same shape.
    let problem = response
        .response()
        .error()
        .map(|error| match error.as_error::<Problem>() {
            Some(problem) => problem.clone(),
            None => Problem::from_framework(response.status(), error.to_string()),
        });
    if let Some(problem) = problem {
        let problem = Problem {
            request_id: Some(id.clone()),
            ..problem
        };
        let (request, _) = response.into_parts();
        response = ServiceResponse::new(request, problem.error_response());
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "handled"
        );
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::accepted;

    #[test]
    fn only_short_safe_ids_are_taken_from_callers() {
        assert!(accepted("abc-123_x.y"));
        assert!(!accepted(""));
        assert!(!accepted(&"a".repeat(65)));
        assert!(!accepted("a b"));
        assert!(!accepted("a\nInjected: 1"));
    }
}
