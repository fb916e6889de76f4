//! The answer's JSON: `{"status":"success","action":…,"result":{…}}`. With a `result` the
//! platform uses the service it describes; without one, `action` decides.

use crate::config::{PolicyAction, ServiceDefaults};
use crate::domain::{MeetingOptions, Pin};
use serde::Serialize;

/// Pexip's limit for a service's name and description.
pub const MAX_NAME_CHARS: usize = 250;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyResponse {
    pub status: &'static str,
    pub action: PolicyAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ServiceResult>,
}

/// A VMR (`service_type` `conference`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceResult {
    pub service_type: &'static str,
    pub name: String,
    pub service_tag: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_pin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_guests: Option<bool>,
    #[serde(flatten)]
    pub defaults: ServiceDefaults,
}

impl PolicyResponse {
    pub fn action(action: PolicyAction) -> Self {
        Self {
            status: "success",
            action,
            result: None,
        }
    }

    pub fn conference(result: ServiceResult) -> Self {
        Self {
            status: "success",
            action: PolicyAction::Continue,
            result: Some(result),
        }
    }
}

impl ServiceResult {
    /// `name_text` (the rendered `conference_name`) is made unique by the alias and cut so the
    /// whole stays within the platform's limit; the same meeting always gets the same name.
    pub fn new(
        name_text: &str,
        alias: &str,
        service_tag: String,
        description: &str,
        options: &MeetingOptions,
        defaults: &ServiceDefaults,
    ) -> Self {
        let suffix = format!(" [{alias}]");
        let room = MAX_NAME_CHARS.saturating_sub(suffix.chars().count());
        let name = format!("{}{suffix}", cut(name_text.trim(), room));
        // A guest PIN means guests are expected, unless the organizer said otherwise.
        let allow_guests = options
            .guests_allowed()
            .or(options.guest_pin().map(|_| true));
        Self {
            service_type: "conference",
            name,
            service_tag,
            description: cut(description.trim(), MAX_NAME_CHARS),
            pin: options.host_pin().map(|pin| Pin::as_str(pin).to_string()),
            guest_pin: options.guest_pin().map(|pin| Pin::as_str(pin).to_string()),
            allow_guests,
            defaults: defaults.clone(),
        }
    }
}

fn cut(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_by_alias_and_within_the_limit() {
        let options = MeetingOptions::default();
        let defaults = ServiceDefaults::default();
        let long = "x".repeat(400);
        let result = ServiceResult::new(&long, "meet1@vc", "t".into(), "d", &options, &defaults);
        assert_eq!(result.name.chars().count(), MAX_NAME_CHARS);
        assert!(result.name.ends_with(" [meet1@vc]"));
        let json = serde_json::to_value(PolicyResponse::conference(result)).unwrap();
        assert_eq!(json["action"], "continue");
        assert!(json["result"].get("pin").is_none(), "{json}");
        assert!(json["result"].get("view").is_none(), "{json}");
    }

    #[test]
    fn pins_and_guests_come_from_the_options() {
        let options = MeetingOptions::parse(Some("1234"), Some("5678"), None).unwrap();
        let defaults = ServiceDefaults {
            view: Some("one_main_seven_pips".into()),
            ..Default::default()
        };
        let result = ServiceResult::new("n", "a@b", "t".into(), "d", &options, &defaults);
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["pin"], "1234");
        assert_eq!(json["guest_pin"], "5678");
        assert_eq!(json["allow_guests"], true);
        assert_eq!(json["view"], "one_main_seven_pips");
        let reject = serde_json::to_value(PolicyResponse::action(PolicyAction::Reject)).unwrap();
        assert_eq!(
            reject,
            serde_json::json!({"status": "success", "action": "reject"})
        );
    }
}
