//! A loopback Pexip Infinity management API: `conference` and `conference_alias` kept like
//! Infinity keeps them (ids, `resource_uri`, aliases nested in the room, tag filter, Tastypie
//! paging, unique names and aliases answered with 400 and Infinity-like error JSON). Every field
//! received is checked (allowed keys, types, required ones); requests are recorded, and 5xx
//! answers and latency can be injected.

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub const CONFERENCES: &str = "/api/admin/configuration/v1/conference/";
pub const ALIASES: &str = "/api/admin/configuration/v1/conference_alias/";
/// Tastypie's page size when the client names none.
const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub service_type: String,
    pub tag: String,
    pub pin: String,
    pub guest_pin: String,
    pub allow_guests: bool,
    /// Aliases in creation order.
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Option<Value>,
    pub status: u16,
}

struct StoredAlias {
    alias: String,
    conference: u64,
    description: String,
}

#[derive(Default)]
struct State {
    next_id: u64,
    rooms: BTreeMap<u64, Room>,
    aliases: BTreeMap<u64, StoredAlias>,
    requests: Vec<RecordedRequest>,
    faults: VecDeque<u16>,
    latency: Duration,
    /// Requests refused because a field was missing, unknown or of the wrong type.
    invalid: Vec<String>,
}

struct Shared {
    authorization: String,
    base_url: String,
    state: Mutex<State>,
}

pub struct PexipManagement {
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

impl PexipManagement {
    /// Binds `127.0.0.1:0`; requests must carry Basic `username:password`.
    pub async fn start(username: &str, password: &str) -> PexipManagement {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        let shared = Arc::new(Shared {
            authorization: format!("Basic {credentials}"),
            base_url,
            state: Mutex::new(State::default()),
        });
        let data = web::Data::from(Arc::clone(&shared));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listen on loopback")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        PexipManagement { shared, handle }
    }

    /// `http://127.0.0.1:<port>`, the Management Node's address.
    pub fn url(&self) -> &str {
        &self.shared.base_url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap()
    }

    pub fn rooms(&self) -> Vec<Room> {
        self.state().rooms.values().cloned().collect()
    }

    pub fn room_with_alias(&self, alias: &str) -> Option<Room> {
        self.rooms()
            .into_iter()
            .find(|room| room.aliases.iter().any(|a| a == alias))
    }

    /// Adds a room as an admin (or another tool) would; returns its id.
    pub fn add_room(&self, name: &str, tag: &str, aliases: &[&str]) -> u64 {
        let mut state = self.state();
        let id = state.new_id();
        state.rooms.insert(
            id,
            Room {
                id,
                name: name.into(),
                description: String::new(),
                service_type: "conference".into(),
                tag: tag.into(),
                pin: String::new(),
                guest_pin: String::new(),
                allow_guests: false,
                aliases: Vec::new(),
            },
        );
        for alias in aliases {
            state.insert_alias(id, alias, "");
        }
        id
    }

    /// Changes a room directly, as an admin editing it by hand would.
    pub fn edit_room(&self, id: u64, edit: impl FnOnce(&mut Room)) {
        edit(self.state().rooms.get_mut(&id).expect("room exists"));
    }

    /// Deletes an alias directly; false if no room had it.
    pub fn remove_alias(&self, alias: &str) -> bool {
        let mut state = self.state();
        let Some(id) = state
            .aliases
            .iter()
            .find(|(_, a)| a.alias == alias)
            .map(|(id, _)| *id)
        else {
            return false;
        };
        state.remove_alias(id);
        true
    }

    /// The next `count` requests are answered with `status` (e.g. 503).
    pub fn fail_next(&self, count: usize, status: u16) {
        self.state()
            .faults
            .extend(std::iter::repeat_n(status, count));
    }

    /// Every answer waits `latency` first.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// Why requests were refused for their fields; empty when every request was well formed.
    pub fn invalid_requests(&self) -> Vec<String> {
        self.state().invalid.clone()
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

impl State {
    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn insert_alias(&mut self, conference: u64, alias: &str, description: &str) -> u64 {
        let id = self.new_id();
        self.aliases.insert(
            id,
            StoredAlias {
                alias: alias.into(),
                conference,
                description: description.into(),
            },
        );
        if let Some(room) = self.rooms.get_mut(&conference) {
            room.aliases.push(alias.into());
        }
        id
    }

    fn remove_alias(&mut self, id: u64) -> Option<StoredAlias> {
        let removed = self.aliases.remove(&id)?;
        if let Some(room) = self.rooms.get_mut(&removed.conference) {
            room.aliases.retain(|alias| *alias != removed.alias);
        }
        Some(removed)
    }

    fn room_json(&self, room: &Room) -> Value {
        let aliases: Vec<Value> = self
            .aliases
            .iter()
            .filter(|(_, alias)| alias.conference == room.id)
            .map(|(id, alias)| {
                // Infinity nests aliases without their resource_uri.
                json!({
                    "id": id,
                    "alias": alias.alias,
                    "conference": format!("{CONFERENCES}{}/", room.id),
                    "description": alias.description,
                    "creation_time": "2026-01-01T00:00:00",
                })
            })
            .collect();
        json!({
            "id": room.id,
            "resource_uri": format!("{CONFERENCES}{}/", room.id),
            "name": room.name,
            "description": room.description,
            "service_type": room.service_type,
            "tag": room.tag,
            "pin": room.pin,
            "guest_pin": room.guest_pin,
            "allow_guests": room.allow_guests,
            "aliases": aliases,
        })
    }
}

/// An answer before it is recorded: status and JSON body, plus `Location` for a creation.
struct Reply {
    status: u16,
    body: Option<Value>,
    location: Option<String>,
}

impl Reply {
    fn status(status: u16) -> Self {
        Self {
            status,
            body: None,
            location: None,
        }
    }

    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            location: None,
        }
    }

    /// A field error, in Tastypie's shape: `{"conference": {"name": ["…"]}}`.
    fn field_error(resource: &str, field: &str, message: &str) -> Self {
        Self::json(400, json!({ resource: { field: [message] } }))
    }
}

async fn handle(request: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let latency = shared.state.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let method = request.method().as_str().to_string();
    let path = request.path().to_string();
    let query = request.query_string().to_string();
    let parsed_body: Option<Value> = serde_json::from_slice(&body).ok();
    let mut state = shared.state.lock().unwrap();
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        == Some(shared.authorization.as_str());
    let reply = if let Some(status) = state.faults.pop_front() {
        Reply::json(status, json!({ "error": "injected fault" }))
    } else if !authorized {
        Reply::json(401, json!({ "error": "Authorization required" }))
    } else if !body.is_empty() && parsed_body.is_none() {
        Reply::json(400, json!({ "error": "body is not JSON" }))
    } else {
        route(
            &mut state,
            &method,
            &path,
            &query,
            parsed_body.as_ref(),
            &shared.base_url,
        )
    };
    state.requests.push(RecordedRequest {
        method,
        path,
        query,
        body: parsed_body,
        status: reply.status,
    });
    let mut response =
        HttpResponse::build(StatusCode::from_u16(reply.status).expect("valid status"));
    if let Some(location) = reply.location {
        response.insert_header(("Location", location));
    }
    match reply.body {
        Some(body) => response.json(body),
        None => response.finish(),
    }
}

fn route(
    state: &mut State,
    method: &str,
    path: &str,
    query: &str,
    body: Option<&Value>,
    base_url: &str,
) -> Reply {
    let empty = Value::Object(Map::new());
    let body = body.unwrap_or(&empty);
    if let Some(rest) = path.strip_prefix(CONFERENCES) {
        return match (method, rest) {
            ("GET", "") => list_rooms(state, query),
            ("POST", "") => rooms::create(state, body, base_url),
            ("PATCH", id) => rooms::patch(state, id, body),
            ("DELETE", id) => rooms::delete(state, id),
            ("GET", id) => match object_id(id).and_then(|id| state.rooms.get(&id)) {
                Some(room) => Reply::json(200, state.room_json(room)),
                None => Reply::status(404),
            },
            _ => Reply::status(405),
        };
    }
    if let Some(rest) = path.strip_prefix(ALIASES) {
        return match (method, rest) {
            ("POST", "") => rooms::create_alias(state, body, base_url),
            ("DELETE", id) => match object_id(id).and_then(|id| state.remove_alias(id)) {
                Some(_) => Reply::status(204),
                None => Reply::status(404),
            },
            _ => Reply::status(405),
        };
    }
    Reply::status(404)
}

/// `7/` → 7.
fn object_id(rest: &str) -> Option<u64> {
    rest.strip_suffix('/')?.parse().ok()
}

fn list_rooms(state: &State, query: &str) -> Reply {
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let number = |key: &str, default: usize| match params.get(key) {
        None => Ok(default),
        Some(value) => value.parse::<usize>().map_err(|_| key.to_string()),
    };
    let (limit, offset) = match (number("limit", DEFAULT_LIMIT), number("offset", 0)) {
        (Ok(limit), Ok(offset)) if limit > 0 => (limit, offset),
        _ => return Reply::json(400, json!({ "error": "Invalid limit or offset" })),
    };
    if let Some(unknown) = params
        .keys()
        .find(|key| !["tag", "limit", "offset"].contains(&key.as_str()))
    {
        return Reply::json(
            400,
            json!({ "error": format!("The '{unknown}' field does not allow filtering.") }),
        );
    }
    let matching: Vec<&Room> = state
        .rooms
        .values()
        .filter(|room| params.get("tag").is_none_or(|tag| room.tag == *tag))
        .collect();
    let page_url = |offset: usize| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", &limit.to_string());
        query.append_pair("offset", &offset.to_string());
        if let Some(tag) = params.get("tag") {
            query.append_pair("tag", tag);
        }
        format!("{CONFERENCES}?{}", query.finish())
    };
    let next = (offset + limit < matching.len()).then(|| page_url(offset + limit));
    let previous = (offset > 0).then(|| page_url(offset.saturating_sub(limit)));
    let objects: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|room| state.room_json(room))
        .collect();
    Reply::json(
        200,
        json!({
            "meta": {
                "limit": limit,
                "next": next,
                "offset": offset,
                "previous": previous,
                "total_count": matching.len(),
            },
            "objects": objects,
        }),
    )
}

mod rooms;
