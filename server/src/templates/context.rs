//! Typed render contexts, so the hot paths cannot forget a variable or misspell one.

use crate::domain::{Alias, AliasMarker, NumericAlias};
use serde::Serialize;
use serde_json::{Map, Value};

/// The variables every template may use. Built once per integration from its settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SharedValues {
    /// The admin's name for the integration, e.g. "Head office".
    pub integration_name: String,
    /// Display name of the equipment mailbox added to meetings.
    pub equipment_resource_name: String,
    pub equipment_resource_email: String,
    /// Base URL under which this service is reachable by Outlook.
    pub public_url: String,
}

impl SharedValues {
    /// `values` plus the shared variables, for callers of [`super::Templates::render`] that build
    /// their values as JSON. A key already present in `values` is kept. Values that are not a
    /// JSON object are replaced, since templates only ever receive named variables.
    pub fn with(&self, values: Value) -> Value {
        let mut map = match values {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        for (key, value) in [
            ("integration_name", &self.integration_name),
            ("equipment_resource_name", &self.equipment_resource_name),
            ("equipment_resource_email", &self.equipment_resource_email),
            ("public_url", &self.public_url),
        ] {
            map.entry(key)
                .or_insert_with(|| Value::String(value.clone()));
        }
        Value::Object(map)
    }
}

/// Variables of `joining_instructions` and `location` for a single-use VMR.
/// Optional values serialize as `null`, so templates test them with `{{#if …}}`.
#[derive(Debug, Clone, Serialize)]
pub struct JoiningContext {
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
    pub marker: AliasMarker,
    /// The complete browser join link for this room.
    pub web_join_url: Option<String>,
    /// Phone number to call before entering the numeric alias.
    pub dial_in_number: Option<String>,
    pub host_pin: Option<String>,
    pub guest_pin: Option<String>,
    pub guests_allowed: bool,
    /// The meeting subject, when the add-in sent it.
    pub subject: Option<String>,
    #[serde(flatten)]
    pub shared: SharedValues,
}

impl JoiningContext {
    /// A context without any optional value; set the public fields for the rest.
    pub fn new(
        alias: Alias,
        numeric_alias: NumericAlias,
        marker: AliasMarker,
        shared: SharedValues,
    ) -> Self {
        Self {
            alias,
            numeric_alias,
            marker,
            web_join_url: None,
            dial_in_number: None,
            host_pin: None,
            guest_pin: None,
            guests_allowed: false,
            subject: None,
            shared,
        }
    }
}

/// Variables of the personal VMR templates. Serializes with one extra variable, `alias`: the
/// address people should call, so templates need not pick among the alias lists themselves.
#[derive(Debug, Clone, Default)]
pub struct PersonalVmrContext {
    pub name: String,
    pub description: String,
    /// Aliases of the form `user@domain`.
    pub domain_aliases: Vec<String>,
    /// Aliases that are neither domain nor numeric aliases.
    pub other_aliases: Vec<String>,
    pub numeric_aliases: Vec<String>,
    pub allow_guests: bool,
    /// Host PIN.
    pub pin: Option<String>,
    pub guest_pin: Option<String>,
    /// The complete browser join link for [`PersonalVmrContext::preferred_alias`].
    pub web_join_url: Option<String>,
    pub dial_in_number: Option<String>,
    pub shared: SharedValues,
}

impl PersonalVmrContext {
    /// The first domain alias, else the first other alias, else the first numeric alias; a video
    /// system can call a domain alias directly, a numeric one only through a gateway.
    pub fn preferred_alias(&self) -> Option<&str> {
        [
            &self.domain_aliases,
            &self.other_aliases,
            &self.numeric_aliases,
        ]
        .into_iter()
        .find_map(|list| list.first())
        .map(String::as_str)
    }
}

impl Serialize for PersonalVmrContext {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'c> {
            alias: &'c str,
            name: &'c str,
            description: &'c str,
            domain_aliases: &'c [String],
            other_aliases: &'c [String],
            numeric_aliases: &'c [String],
            allow_guests: bool,
            pin: Option<&'c str>,
            guest_pin: Option<&'c str>,
            web_join_url: Option<&'c str>,
            dial_in_number: Option<&'c str>,
            #[serde(flatten)]
            shared: &'c SharedValues,
        }
        View {
            alias: self.preferred_alias().unwrap_or_default(),
            name: &self.name,
            description: &self.description,
            domain_aliases: &self.domain_aliases,
            other_aliases: &self.other_aliases,
            numeric_aliases: &self.numeric_aliases,
            allow_guests: self.allow_guests,
            pin: self.pin.as_deref(),
            guest_pin: self.guest_pin.as_deref(),
            web_join_url: self.web_join_url.as_deref(),
            dial_in_number: self.dial_in_number.as_deref(),
            shared: &self.shared,
        }
        .serialize(serializer)
    }
}
