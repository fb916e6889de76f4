//! Creating, changing and deleting rooms and aliases, with the field checks Infinity's schema
//! makes (allowed keys, types, lengths, PIN format, required fields, unique names and aliases).

use super::{object_id, Reply, Room, State, ALIASES, CONFERENCES};
use serde_json::{Map, Value};

const MAX_TEXT: usize = 250;
const SERVICE_TYPES: &[&str] = &["conference", "lecture", "two_stage_dialing", "test_call"];

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Pin,
    Bool,
    ServiceType,
}

/// The room fields a client may send, and their kinds.
const ROOM_FIELDS: &[(&str, Kind)] = &[
    ("name", Kind::Text),
    ("description", Kind::Text),
    ("service_type", Kind::ServiceType),
    ("tag", Kind::Text),
    ("pin", Kind::Pin),
    ("guest_pin", Kind::Pin),
    ("allow_guests", Kind::Bool),
];

/// Checks every key of `body` against `allowed`; the first problem is recorded and answered.
fn check_fields(
    state: &mut State,
    resource: &str,
    body: &Value,
    allowed: &[(&str, Kind)],
    required: &[&str],
) -> Result<Map<String, Value>, Reply> {
    let Some(object) = body.as_object() else {
        return Err(invalid(
            state,
            resource,
            "__all__",
            "the body must be a JSON object",
        ));
    };
    for field in required {
        if !object.contains_key(*field) {
            return Err(invalid(state, resource, field, "This field is required."));
        }
    }
    for (key, value) in object {
        let Some((_, kind)) = allowed.iter().find(|(name, _)| name == key) else {
            return Err(invalid(state, resource, key, "This field is not allowed."));
        };
        if let Err(message) = check_value(*kind, value) {
            return Err(invalid(state, resource, key, &message));
        }
    }
    Ok(object.clone())
}

fn check_value(kind: Kind, value: &Value) -> Result<(), String> {
    match kind {
        Kind::Bool => value
            .as_bool()
            .map(drop)
            .ok_or_else(|| "Must be a boolean.".into()),
        Kind::Text => match value.as_str() {
            Some(text) if text.chars().count() <= MAX_TEXT => Ok(()),
            Some(_) => Err(format!(
                "Ensure this value has at most {MAX_TEXT} characters."
            )),
            None => Err("Must be a string.".into()),
        },
        Kind::Pin => match value.as_str() {
            Some(pin) if pin.is_empty() || is_pin(pin) => Ok(()),
            Some(_) => Err("PIN must be 4–20 digits, optionally followed by #.".into()),
            None => Err("Must be a string.".into()),
        },
        Kind::ServiceType => match value.as_str() {
            Some(kind) if SERVICE_TYPES.contains(&kind) => Ok(()),
            _ => Err(format!("Must be one of {SERVICE_TYPES:?}.")),
        },
    }
}

fn is_pin(pin: &str) -> bool {
    let digits = pin.strip_suffix('#').unwrap_or(pin);
    (4..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

fn invalid(state: &mut State, resource: &str, field: &str, message: &str) -> Reply {
    state.invalid.push(format!("{resource}.{field}: {message}"));
    Reply::field_error(resource, field, message)
}

/// Applies `fields` to `room`, then checks what Infinity checks across fields.
fn apply(state: &State, room: &mut Room, fields: &Map<String, Value>) -> Result<(), Reply> {
    for (key, value) in fields {
        let text = || value.as_str().unwrap_or_default().to_string();
        match key.as_str() {
            "name" => room.name = text(),
            "description" => room.description = text(),
            "service_type" => room.service_type = text(),
            "tag" => room.tag = text(),
            "pin" => room.pin = text(),
            "guest_pin" => room.guest_pin = text(),
            "allow_guests" => room.allow_guests = value.as_bool().unwrap_or_default(),
            _ => {}
        }
    }
    if room.name.trim().is_empty() {
        return Err(Reply::field_error(
            "conference",
            "name",
            "This field cannot be blank.",
        ));
    }
    if state
        .rooms
        .values()
        .any(|other| other.id != room.id && other.name == room.name)
    {
        return Err(Reply::field_error(
            "conference",
            "name",
            "Virtual meeting room with this Name already exists.",
        ));
    }
    if !room.guest_pin.is_empty() && room.pin.is_empty() {
        return Err(Reply::field_error(
            "conference",
            "guest_pin",
            "A Guest PIN requires a Host PIN.",
        ));
    }
    if !room.guest_pin.is_empty() && room.guest_pin == room.pin {
        return Err(Reply::field_error(
            "conference",
            "guest_pin",
            "Host PIN and Guest PIN must be different.",
        ));
    }
    Ok(())
}

pub(super) fn create(state: &mut State, body: &Value, base_url: &str) -> Reply {
    let fields = match check_fields(state, "conference", body, ROOM_FIELDS, &["name"]) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    let mut room = Room {
        id: 0,
        name: String::new(),
        description: String::new(),
        service_type: "conference".into(),
        tag: String::new(),
        pin: String::new(),
        guest_pin: String::new(),
        allow_guests: false,
        aliases: Vec::new(),
    };
    if let Err(reply) = apply(state, &mut room, &fields) {
        return reply;
    }
    room.id = state.new_id();
    let id = room.id;
    state.rooms.insert(id, room);
    created(base_url, CONFERENCES, id)
}

pub(super) fn patch(state: &mut State, id: &str, body: &Value) -> Reply {
    let Some(mut room) = object_id(id).and_then(|id| state.rooms.get(&id).cloned()) else {
        return Reply::status(404);
    };
    let fields = match check_fields(state, "conference", body, ROOM_FIELDS, &[]) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    if let Err(reply) = apply(state, &mut room, &fields) {
        return reply;
    }
    state.rooms.insert(room.id, room);
    Reply::status(202)
}

/// Deletes the room and, as Infinity does, its aliases.
pub(super) fn delete(state: &mut State, id: &str) -> Reply {
    let Some(id) = object_id(id).filter(|id| state.rooms.contains_key(id)) else {
        return Reply::status(404);
    };
    state.rooms.remove(&id);
    state.aliases.retain(|_, alias| alias.conference != id);
    Reply::status(204)
}

const ALIAS_FIELDS: &[(&str, Kind)] = &[
    ("alias", Kind::Text),
    ("conference", Kind::Text),
    ("description", Kind::Text),
];

pub(super) fn create_alias(state: &mut State, body: &Value, base_url: &str) -> Reply {
    let fields = match check_fields(
        state,
        "conference_alias",
        body,
        ALIAS_FIELDS,
        &["alias", "conference"],
    ) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    let text = |key: &str| fields.get(key).and_then(Value::as_str).unwrap_or_default();
    let alias = text("alias").trim();
    if alias.is_empty() {
        return invalid(
            state,
            "conference_alias",
            "alias",
            "This field cannot be blank.",
        );
    }
    let Some(conference) = text("conference")
        .strip_prefix(CONFERENCES)
        .and_then(object_id)
        .filter(|id| state.rooms.contains_key(id))
    else {
        return invalid(
            state,
            "conference_alias",
            "conference",
            "Could not find the provided object via resource URI.",
        );
    };
    if state
        .aliases
        .values()
        .any(|existing| existing.alias == alias)
    {
        return Reply::field_error(
            "conference_alias",
            "alias",
            "Conference alias with this Alias already exists.",
        );
    }
    let description = text("description").to_string();
    let id = state.insert_alias(conference, alias, &description);
    created(base_url, ALIASES, id)
}

fn created(base_url: &str, collection: &str, id: u64) -> Reply {
    Reply {
        status: 201,
        body: None,
        location: Some(format!("{base_url}{collection}{id}/")),
    }
}
