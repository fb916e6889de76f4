//! A client of Pexip Infinity's management (configuration) API for the two resources the push
//! uses: `conference` (a VMR, listed with its aliases) and `conference_alias`. Basic auth;
//! server errors, 429 and timeouts are retried with a bounded back-off.

use super::diff::{RemoteAlias, RemoteRoom, RoomFields};
use crate::config::PexipPushSettings;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

const CONFERENCE_PATH: &str = "/api/admin/configuration/v1/conference/";
const ALIAS_PATH: &str = "/api/admin/configuration/v1/conference_alias/";
/// Rooms per list page.
const PAGE_SIZE: usize = 100;
/// Pages read per listing at most: 100,000 rooms.
const MAX_PAGES: usize = 1000;
/// Tries per call, the first included.
const MAX_TRIES: u32 = 3;
const FIRST_BACK_OFF: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, thiserror::Error)]
pub enum PushError {
    #[error("the management API answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the management API did not answer in time")]
    Timeout,
    #[error("the management API is unreachable: {0}")]
    Unreachable(String),
    #[error("the management API's answer is not understood: {0}")]
    InvalidResponse(String),
}

impl PushError {
    /// A stable code for the operations log.
    pub fn code(&self) -> String {
        match self {
            Self::Status { status, .. } => format!("http_{status}"),
            Self::Timeout => "timeout".into(),
            Self::Unreachable(_) => "unreachable".into(),
            Self::InvalidResponse(_) => "invalid_response".into(),
        }
    }

    fn is_transient(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            Self::Timeout | Self::Unreachable(_) => true,
            Self::InvalidResponse(_) => false,
        }
    }
}

#[derive(Clone)]
pub struct ManagementClient {
    http: reqwest::Client,
    base: url::Url,
    username: String,
    password: crate::config::Secret,
}

#[derive(Deserialize)]
struct Page {
    meta: PageMeta,
    objects: Vec<ConferenceObject>,
}

#[derive(Deserialize)]
struct PageMeta {
    next: Option<String>,
}

#[derive(Deserialize)]
struct ConferenceObject {
    resource_uri: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    guest_pin: String,
    #[serde(default)]
    allow_guests: bool,
    #[serde(default)]
    aliases: Vec<AliasObject>,
}

/// Infinity nests a room's aliases without their `resource_uri`; the id gives it.
#[derive(Deserialize)]
struct AliasObject {
    id: u64,
    #[serde(default)]
    resource_uri: Option<String>,
    alias: String,
}

impl ManagementClient {
    pub fn new(settings: &PexipPushSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .user_agent(concat!("vmr-scheduler/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| format!("cannot build the management API client: {error}"))?;
        Ok(Self {
            http,
            base: settings.url.clone(),
            username: settings.username.clone(),
            password: settings.password.clone(),
        })
    }

    /// Every room carrying exactly `tag`, with its aliases, following `meta.next`.
    pub async fn rooms_tagged(&self, tag: &str) -> Result<Vec<RemoteRoom>, PushError> {
        let mut rooms = Vec::new();
        let mut next = Some(format!(
            "{CONFERENCE_PATH}?tag={}&limit={PAGE_SIZE}&offset=0",
            url::form_urlencoded::byte_serialize(tag.as_bytes()).collect::<String>()
        ));
        for _ in 0..MAX_PAGES {
            let Some(path) = next.take() else {
                return Ok(rooms);
            };
            let response = self.call(Method::GET, &path, None).await?;
            let page: Page = serde_json::from_str(&response.body)
                .map_err(|error| PushError::InvalidResponse(error.to_string()))?;
            rooms.extend(page.objects.into_iter().map(room_from));
            next = page.meta.next;
        }
        Err(PushError::InvalidResponse(format!(
            "more than {MAX_PAGES} pages of rooms"
        )))
    }

    /// Creates a room; returns its resource URI (from `Location`).
    pub async fn create_room(&self, fields: &RoomFields, tag: &str) -> Result<String, PushError> {
        let mut body = room_body(fields);
        body["service_type"] = json!("conference");
        body["tag"] = json!(tag);
        self.create(CONFERENCE_PATH, body).await
    }

    pub async fn update_room(&self, room_uri: &str, fields: &RoomFields) -> Result<(), PushError> {
        self.call(Method::PATCH, room_uri, Some(room_body(fields)))
            .await
            .map(drop)
    }

    /// Deletes a room; Infinity deletes its aliases with it.
    pub async fn delete(&self, resource_uri: &str) -> Result<(), PushError> {
        self.call(Method::DELETE, resource_uri, None)
            .await
            .map(drop)
    }

    pub async fn add_alias(&self, room_uri: &str, alias: &str) -> Result<String, PushError> {
        let body = json!({ "alias": alias, "conference": room_uri, "description": "" });
        self.create(ALIAS_PATH, body).await
    }

    async fn create(&self, collection: &str, body: Value) -> Result<String, PushError> {
        let response = self.call(Method::POST, collection, Some(body)).await?;
        let location = response
            .location
            .ok_or_else(|| PushError::InvalidResponse("no Location header".into()))?;
        // Infinity answers with an absolute URL; the rest of the API speaks in paths.
        Ok(match url::Url::parse(&location) {
            Ok(absolute) => absolute.path().to_string(),
            Err(_) => location,
        })
    }

    /// One call, tried again after transient failures.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Answer, PushError> {
        let mut back_off = FIRST_BACK_OFF;
        let mut tries = 1;
        loop {
            match self.call_once(method.clone(), path, body.as_ref()).await {
                Err(error) if error.is_transient() && tries < MAX_TRIES => {
                    tracing::debug!(%error, path, "management API call failed, trying again");
                    tokio::time::sleep(back_off).await;
                    back_off *= 2;
                    tries += 1;
                }
                outcome => return outcome,
            }
        }
    }

    async fn call_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, PushError> {
        let url = self
            .base
            .join(path)
            .map_err(|error| PushError::InvalidResponse(format!("bad path `{path}`: {error}")))?;
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(&self.username, Some(self.password.expose()))
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.map_err(transport_error)?;
        if !status.is_success() {
            return Err(PushError::Status {
                status: status.as_u16(),
                body: body.chars().take(500).collect(),
            });
        }
        if status == StatusCode::CREATED && location.is_none() {
            return Err(PushError::InvalidResponse("201 without Location".into()));
        }
        Ok(Answer { body, location })
    }
}

struct Answer {
    body: String,
    location: Option<String>,
}

fn room_body(fields: &RoomFields) -> Value {
    json!({
        "name": fields.name,
        "description": fields.description,
        "pin": fields.pin,
        "guest_pin": fields.guest_pin,
        "allow_guests": fields.allow_guests,
    })
}

fn room_from(object: ConferenceObject) -> RemoteRoom {
    RemoteRoom {
        resource_uri: object.resource_uri,
        fields: RoomFields {
            name: object.name,
            description: object.description,
            pin: object.pin,
            guest_pin: object.guest_pin,
            allow_guests: object.allow_guests,
        },
        aliases: object
            .aliases
            .into_iter()
            .map(|alias| RemoteAlias {
                resource_uri: alias
                    .resource_uri
                    .unwrap_or_else(|| format!("{ALIAS_PATH}{}/", alias.id)),
                alias: alias.alias,
            })
            .collect(),
    }
}

fn transport_error(error: reqwest::Error) -> PushError {
    if error.is_timeout() {
        return PushError::Timeout;
    }
    let error = error.without_url();
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    PushError::Unreachable(message)
}
