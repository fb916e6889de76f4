use super::InvalidValue;

/// A conference PIN: 4–20 ASCII digits, as video platforms accept them. `Debug` hides the digits
/// so a PIN cannot end up in a log by accident; `Serialize` writes them (responses, templates).
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let value = input.trim();
        if !(4..=20).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
            // The value itself is not repeated: it is a secret.
            return Err(InvalidValue::new(format!(
                "must be 4–20 digits (got {} character(s){})",
                value.chars().count(),
                if value.bytes().all(|b| b.is_ascii_digit()) {
                    ""
                } else {
                    ", not all digits"
                }
            )));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

impl serde::Serialize for Pin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Parses an optional PIN where an absent or blank value means "no PIN" (forms send blanks).
pub(crate) fn optional_pin(input: Option<&str>) -> Result<Option<Pin>, InvalidValue> {
    input
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(Pin::parse)
        .transpose()
}

/// The rule shared by meeting options and personal VMRs: a guest PIN only distinguishes guests
/// from hosts when there is a host PIN, and only if the two differ.
pub(crate) fn check_pin_pair(
    host_pin: Option<&Pin>,
    guest_pin: Option<&Pin>,
    host_field: &str,
) -> Result<(), InvalidValue> {
    match (host_pin, guest_pin) {
        (None, Some(_)) => Err(InvalidValue::new(format!(
            "is set without a {host_field}; a guest PIN needs a host PIN"
        ))),
        (Some(host), Some(guest)) if host == guest => Err(InvalidValue::new(format!(
            "is the same as the {host_field}; hosts and guests need different PINs"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_4_to_20_digits() {
        assert_eq!(Pin::parse(" 1234 ").unwrap().as_str(), "1234");
        assert!(Pin::parse(&"9".repeat(20)).is_ok());
        for bad in ["123", "", "12a4", "12 34", "１２３４", &"1".repeat(21)] {
            assert!(Pin::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn never_shows_its_digits_in_debug_or_errors() {
        let pin = Pin::parse("987654").unwrap();
        assert!(!format!("{pin:?}").contains("987654"));
        let error = Pin::parse("98765x").unwrap_err().to_string();
        assert!(!error.contains("98765"), "{error}");
        assert_eq!(serde_json::to_string(&pin).unwrap(), "\"987654\"");
    }

    #[test]
    fn blank_optional_pins_are_none() {
        assert_eq!(optional_pin(None).unwrap(), None);
        assert_eq!(optional_pin(Some("  ")).unwrap(), None);
        assert!(optional_pin(Some("12")).is_err());
    }

    #[test]
    fn a_guest_pin_needs_a_different_host_pin() {
        let a = Pin::parse("1111").unwrap();
        let b = Pin::parse("2222").unwrap();
        assert!(check_pin_pair(Some(&a), Some(&b), "host_pin").is_ok());
        assert!(check_pin_pair(Some(&a), None, "host_pin").is_ok());
        assert!(check_pin_pair(None, None, "host_pin").is_ok());
        let error = check_pin_pair(None, Some(&b), "host_pin").unwrap_err();
        assert!(error.to_string().contains("without a host_pin"), "{error}");
        assert!(check_pin_pair(Some(&a), Some(&a.clone()), "pin").is_err());
    }
}
