//! The HTTP side: one POST per call, authentication, and bounded retries of transient failures.

use super::error::EwsError;
use super::requests::{self, RequestHeader};
use super::responses;
use super::types::{
    CalendarEntry, CalendarView, Item, ItemId, ItemTarget, Response, ServerVersion, SyncPage,
};
use crate::config::Secret;
use crate::domain::EmailAddress;
use futures_util::future::BoxFuture;
use rand::Rng;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Most item ids sent in one `GetItem` or `DeleteItem`.
pub const MAX_IDS_PER_CALL: usize = 50;

/// Larger answers are refused rather than buffered: no sane answer to our calls comes near.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Supplies OAuth access tokens; implementations cache them until they expire.
pub trait AccessTokenSource: Send + Sync {
    fn token(&self) -> BoxFuture<'_, Result<String, EwsError>>;
    /// Exchange refused the last token: drop it from any cache before the one retry.
    fn invalidate(&self) {}
}

#[derive(Clone)]
pub enum EwsAuth {
    Basic { username: String, password: Secret },
    Bearer(Arc<dyn AccessTokenSource>),
}

impl fmt::Debug for EwsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"[redacted]")
                .finish(),
            Self::Bearer(_) => f.write_str("Bearer([token source])"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests per call at most, the first included (0 counts as 1).
    pub max_attempts: u32,
    /// First backoff of the exponential series (before jitter).
    pub base_delay: Duration,
    /// Cap of every wait, Exchange's `BackOffMilliseconds` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): the server's hint if it gave
    /// one, else exponential backoff with jitter, both capped by `max_delay`.
    pub fn delay(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        if let Some(hint) = hint {
            return hint.min(self.max_delay);
        }
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let ceiling = self.base_delay.saturating_mul(factor).min(self.max_delay);
        // Jitter within the upper half spreads out clients that failed together.
        let nanos = ceiling.as_nanos().min(u64::MAX as u128) as u64;
        Duration::from_nanos(rand::thread_rng().gen_range(nanos / 2..=nanos))
    }
}

#[derive(Debug, Clone)]
pub struct EwsSettings {
    pub url: url::Url,
    pub server_version: ServerVersion,
    pub auth: EwsAuth,
    /// Limit of one HTTP request, answer included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

/// An EWS client for one endpoint and account; cheap to clone.
#[derive(Clone)]
pub struct EwsClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: EwsSettings,
    calls: AtomicU64,
}

impl fmt::Debug for EwsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EwsClient")
            .field("url", &self.inner.settings.url.as_str())
            .field("server_version", &self.inner.settings.server_version)
            .finish_non_exhaustive()
    }
}

/// What came back from one request, before interpretation.
struct Answer {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
}

fn transport_error(error: reqwest::Error) -> EwsError {
    if error.is_timeout() {
        return EwsError::Timeout;
    }
    let error = error.without_url();
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    EwsError::Transport(message)
}

impl EwsClient {
    pub fn new(settings: EwsSettings) -> Result<Self, EwsError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .user_agent(concat!("vmr-scheduler/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the credentials elsewhere; EWS endpoints do not redirect.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(transport_error)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                settings,
                calls: AtomicU64::new(0),
            }),
        })
    }

    /// HTTP requests sent so far, retries included.
    pub fn calls_made(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    fn header<'a>(&self, mailbox: Option<&'a EmailAddress>) -> RequestHeader<'a> {
        RequestHeader {
            version: self.inner.settings.server_version,
            impersonate: mailbox,
        }
    }

    /// The inbox changes since `sync_state` (all items on `None`), at most `max_changes`
    /// (1..=512). Acting as `mailbox` (ExchangeImpersonation + X-AnchorMailbox), or as the
    /// account itself with `None`.
    pub async fn sync_inbox(
        &self,
        mailbox: Option<&EmailAddress>,
        sync_state: Option<&str>,
        max_changes: u16,
    ) -> Result<SyncPage, EwsError> {
        let envelope = requests::sync_folder_items(&self.header(mailbox), sync_state, max_changes);
        self.call(
            "SyncFolderItems",
            mailbox,
            &envelope,
            responses::parse_sync_folder_items,
        )
        .await
    }

    /// The items' properties, one result per id in order, fetched in calls of at most 50.
    pub async fn get_items(
        &self,
        mailbox: Option<&EmailAddress>,
        ids: &[ItemId],
    ) -> Result<Vec<Result<Item, EwsError>>, EwsError> {
        let mut results = Vec::with_capacity(ids.len());
        for batch in ids.chunks(MAX_IDS_PER_CALL) {
            let envelope = requests::get_item(&self.header(mailbox), batch);
            let parse = |xml: &str| responses::parse_get_item(xml, batch.len());
            results.extend(self.call("GetItem", mailbox, &envelope, parse).await?);
        }
        Ok(results)
    }

    /// Sends all `responses` in one `CreateItem`; one result per response, in order.
    pub async fn respond(
        &self,
        mailbox: Option<&EmailAddress>,
        responses: &[Response],
    ) -> Result<Vec<Result<(), EwsError>>, EwsError> {
        if responses.is_empty() {
            return Ok(Vec::new());
        }
        let envelope = requests::create_item(&self.header(mailbox), responses);
        let parse = |xml: &str| responses::parse_create_item(xml, responses.len());
        self.call("CreateItem", mailbox, &envelope, parse).await
    }

    /// Deletes the items (to Deleted Items, or for good with `hard`) in calls of at most 50.
    pub async fn delete_items(
        &self,
        mailbox: Option<&EmailAddress>,
        ids: &[ItemId],
        hard: bool,
    ) -> Result<Vec<Result<(), EwsError>>, EwsError> {
        let mut results = Vec::with_capacity(ids.len());
        for batch in ids.chunks(MAX_IDS_PER_CALL) {
            let envelope = requests::delete_item(&self.header(mailbox), batch, hard);
            let parse = |xml: &str| responses::parse_delete_item(xml, batch.len());
            results.extend(self.call("DeleteItem", mailbox, &envelope, parse).await?);
        }
        Ok(results)
    }

    /// The calendar between `start` and `end`, recurring series expanded by Exchange, at most
    /// `max_entries` entries.
    pub async fn calendar_view(
        &self,
        mailbox: Option<&EmailAddress>,
        start: OffsetDateTime,
        end: OffsetDateTime,
        max_entries: u32,
    ) -> Result<Vec<CalendarEntry>, EwsError> {
        Ok(self
            .calendar_view_page(mailbox, start, end, max_entries)
            .await?
            .entries)
    }

    /// Like [`Self::calendar_view`], and tells whether `max_entries` cut the view short.
    pub async fn calendar_view_page(
        &self,
        mailbox: Option<&EmailAddress>,
        start: OffsetDateTime,
        end: OffsetDateTime,
        max_entries: u32,
    ) -> Result<CalendarView, EwsError> {
        let envelope = requests::find_calendar_view(&self.header(mailbox), start, end, max_entries);
        self.call(
            "FindItem",
            mailbox,
            &envelope,
            responses::parse_find_calendar_view,
        )
        .await
    }

    /// One item with its body as HTML (the item, or the series of an occurrence).
    pub async fn get_item_html(
        &self,
        mailbox: Option<&EmailAddress>,
        target: &ItemTarget,
    ) -> Result<Item, EwsError> {
        let envelope = requests::get_item_html(&self.header(mailbox), target);
        let parse = |xml: &str| responses::parse_get_item(xml, 1);
        self.call("GetItem", mailbox, &envelope, parse)
            .await?
            .pop()
            .unwrap_or_else(|| Err(EwsError::Malformed("GetItem without a message".into())))
    }

    /// Sets a calendar item's body and location and sends the meeting to every
    /// attendee; fails with `ErrorIrresolvableConflict` if the item changed since `id` was read.
    pub async fn update_calendar_item(
        &self,
        mailbox: Option<&EmailAddress>,
        id: &ItemId,
        body_html: &str,
        location: &str,
    ) -> Result<(), EwsError> {
        let envelope =
            requests::update_calendar_item(&self.header(mailbox), id, body_html, location);
        self.call(
            "UpdateItem",
            mailbox,
            &envelope,
            responses::parse_update_item,
        )
        .await
    }

    /// Sends `envelope` until it succeeds, fails for good, or the retry policy is spent.
    async fn call<T>(
        &self,
        operation: &'static str,
        mailbox: Option<&EmailAddress>,
        envelope: &str,
        parse: impl Fn(&str) -> Result<T, EwsError>,
    ) -> Result<T, EwsError> {
        let policy = self.inner.settings.retry;
        let max_attempts = policy.max_attempts.max(1);
        let mut attempt = 0;
        let mut token_refreshed = false;
        loop {
            attempt += 1;
            let mut retry_after = None;
            let outcome = match self.send(mailbox, envelope).await {
                Ok(answer) => {
                    retry_after = answer.retry_after;
                    interpret(answer, &parse)
                }
                Err(error) => Err(error),
            };
            let error = match outcome {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if error == EwsError::Unauthorized {
                match &self.inner.settings.auth {
                    EwsAuth::Bearer(source) if !token_refreshed => {
                        // An expired or revoked token: one retry with a fresh one, which
                        // does not use up an attempt.
                        tracing::info!(
                            operation,
                            "EWS refused the access token; fetching a new one"
                        );
                        source.invalidate();
                        token_refreshed = true;
                        attempt -= 1;
                        continue;
                    }
                    _ => return Err(error),
                }
            }
            if !error.is_retryable() {
                return Err(error);
            }
            if attempt >= max_attempts {
                tracing::warn!(operation, attempt, %error, "EWS call failed; no attempts left");
                return Err(EwsError::RetriesExhausted {
                    attempts: attempt,
                    last: Box::new(error),
                });
            }
            let hint = match &error {
                EwsError::Throttled { back_off } => *back_off,
                _ => retry_after,
            };
            let delay = policy.delay(attempt, hint);
            tracing::warn!(operation, attempt, %error, ?delay, "EWS call failed; retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// One POST of the envelope.
    async fn send(
        &self,
        mailbox: Option<&EmailAddress>,
        envelope: &str,
    ) -> Result<Answer, EwsError> {
        let settings = &self.inner.settings;
        let mut request = self
            .inner
            .http
            .post(settings.url.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )
            .header(ACCEPT, HeaderValue::from_static("text/xml"))
            .body(envelope.to_string());
        if let Some(mailbox) = mailbox {
            request = request.header("X-AnchorMailbox", mailbox.as_str());
        }
        request = match &settings.auth {
            EwsAuth::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            EwsAuth::Bearer(source) => request.bearer_auth(source.token().await?),
        };
        self.inner.calls.fetch_add(1, Ordering::Relaxed);
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(EwsError::Malformed(format!(
                    "answer larger than {MAX_RESPONSE_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body)
            .map_err(|_| EwsError::Malformed("answer is not UTF-8".into()))?;
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }
}

/// The outcome of one answer: parsed on success, else the error its status and fault say.
fn interpret<T>(
    answer: Answer,
    parse: &impl Fn(&str) -> Result<T, EwsError>,
) -> Result<T, EwsError> {
    let body = answer.body.trim_start_matches('\u{FEFF}');
    match answer.status {
        200..=299 => parse(body),
        401 => Err(EwsError::Unauthorized),
        // Exchange sends faults (throttling among them) with 500; other statuses with a fault
        // are rare but mean the same.
        status => Err(responses::parse_fault(body).unwrap_or(EwsError::Http { status })),
    }
}
