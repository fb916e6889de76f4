//! Realistic sample values. Config validation renders every template with them, the CLI and the
//! admin preview show what a template produces, and the values carry characters that must be
//! escaped in HTML (`'`, `&`) so previews show escaping at work.

use super::TemplateName;
use serde_json::{json, Map, Value};

/// A well-formed marker, so previews look like the real thing.
pub(super) const SAMPLE_MARKER: &str = "[VMRID:K7QX2M4PZ3HB6RT5VNWA]";

/// Every documented variable with a realistic value; optional values are set, so that the
/// branches they guard are rendered too.
fn full() -> Value {
    json!({
        "alias": "meet482913@vc.example.com",
        "numeric_alias": "88482913",
        "marker": SAMPLE_MARKER,
        "web_join_url": "https://meet.example.com/webapp/#/?conference=meet482913@vc.example.com",
        "dial_in_number": "+1 555 0100",
        "host_pin": "2468",
        "guest_pin": "1357",
        "guests_allowed": true,
        "subject": "Q3 planning & budget",
        "name": "Alice's meeting room",
        "description": "Weekly team calls",
        "domain_aliases": ["alice@vc.example.com"],
        "other_aliases": ["alice"],
        "numeric_aliases": ["887001"],
        "allow_guests": true,
        "pin": "2468",
        "organizer_name": "Alice Example",
        "organizer_email": "alice@example.com",
        "start_time": "2025-03-14 09:00 UTC",
        "end_time": "2025-03-14 10:00 UTC",
        "correlation_id": "3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b",
        "integration_name": "Head office",
        "equipment_resource_name": "Video Meeting Rooms",
        "equipment_resource_email": "vmr@example.com",
        "public_url": "https://scheduler.example.com",
    })
}

/// What callers send when nothing optional is known: a template that reads an optional value
/// without guarding it fails on these values at load, not on an organizer's meeting.
fn sparse_overrides() -> Value {
    json!({
        "alias": "887001",
        "web_join_url": null,
        "dial_in_number": null,
        "host_pin": null,
        "guest_pin": null,
        "guests_allowed": false,
        "subject": null,
        "description": "",
        "domain_aliases": [],
        "other_aliases": [],
        "allow_guests": false,
        "pin": null,
        "organizer_name": "",
    })
}

/// A personal VMR is called at its own alias, not at a single-use one.
fn personal_overrides() -> Value {
    json!({
        "alias": "alice@vc.example.com",
        "web_join_url": "https://meet.example.com/webapp/#/?conference=alice@vc.example.com",
    })
}

/// Sample values of exactly the template's documented variables.
pub fn sample_values(name: TemplateName) -> Value {
    let mut values = full();
    if is_personal(name) {
        merge(&mut values, personal_overrides());
    }
    pick(name, &values)
}

/// Like [`sample_values`], with every optional value empty.
pub(super) fn sparse_sample_values(name: TemplateName) -> Value {
    let mut values = full();
    merge(&mut values, sparse_overrides());
    pick(name, &values)
}

fn is_personal(name: TemplateName) -> bool {
    name.variables().contains(&"domain_aliases")
}

fn merge(values: &mut Value, overrides: Value) {
    if let (Value::Object(all), Value::Object(overrides)) = (values, overrides) {
        all.extend(overrides);
    }
}

fn pick(name: TemplateName, all: &Value) -> Value {
    let picked: Map<String, Value> = name
        .variables()
        .iter()
        .filter_map(|key| all.get(*key).map(|value| (key.to_string(), value.clone())))
        .collect();
    Value::Object(picked)
}
