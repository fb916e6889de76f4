use super::pin::{check_pin_pair, optional_pin};
use super::{InvalidValue, Pin};
use serde::Serialize;

/// What the organizer chose for one meeting's room: PINs and whether guests may join. Every
/// part is optional; an unset part leaves the conferencing platform's default in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MeetingOptions {
    host_pin: Option<Pin>,
    guest_pin: Option<Pin>,
    guests_allowed: Option<bool>,
}

impl MeetingOptions {
    /// Blank PINs count as absent. The error names the field: `host_pin`, `guest_pin`.
    pub fn parse(
        host_pin: Option<&str>,
        guest_pin: Option<&str>,
        guests_allowed: Option<bool>,
    ) -> Result<Self, InvalidValue> {
        let field = |name: &'static str| move |e: InvalidValue| InvalidValue(format!("{name} {e}"));
        let host_pin = optional_pin(host_pin).map_err(field("host_pin"))?;
        let guest_pin = optional_pin(guest_pin).map_err(field("guest_pin"))?;
        check_pin_pair(host_pin.as_ref(), guest_pin.as_ref(), "host_pin")
            .map_err(field("guest_pin"))?;
        Ok(Self {
            host_pin,
            guest_pin,
            guests_allowed,
        })
    }

    pub fn host_pin(&self) -> Option<&Pin> {
        self.host_pin.as_ref()
    }

    pub fn guest_pin(&self) -> Option<&Pin> {
        self.guest_pin.as_ref()
    }

    pub fn guests_allowed(&self) -> Option<bool> {
        self.guests_allowed
    }

    /// True when nothing was chosen.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_combination_the_platform_understands() {
        let options = MeetingOptions::parse(Some("1234"), Some("5678"), Some(true)).unwrap();
        assert_eq!(options.host_pin().unwrap().as_str(), "1234");
        assert_eq!(options.guest_pin().unwrap().as_str(), "5678");
        assert_eq!(options.guests_allowed(), Some(true));
        assert!(MeetingOptions::parse(None, None, None).unwrap().is_empty());
        assert!(MeetingOptions::parse(Some(""), Some(" "), None)
            .unwrap()
            .is_empty());
        assert!(!MeetingOptions::parse(None, None, Some(false))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (Some("12"), None, "host_pin must be 4–20 digits"),
            (Some("1234"), Some("12x4"), "guest_pin must be 4–20 digits"),
            (None, Some("1234"), "guest_pin is set without a host_pin"),
            (
                Some("1234"),
                Some("1234"),
                "guest_pin is the same as the host_pin",
            ),
        ];
        for (host, guest, expected) in cases {
            let error = MeetingOptions::parse(host, guest, None)
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn serializes_unset_parts_as_null() {
        let options = MeetingOptions::parse(Some("1234"), None, None).unwrap();
        assert_eq!(
            serde_json::to_value(&options).unwrap(),
            serde_json::json!({ "host_pin": "1234", "guest_pin": null, "guests_allowed": null })
        );
    }
}
