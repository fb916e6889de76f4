use super::InvalidValue;

/// The name of an integration as it appears in URLs and storage: 1–63 lowercase letters, digits
/// and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntegrationId(String);

impl IntegrationId {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let ok = !input.is_empty()
            && input.len() <= 63
            && !input.starts_with('-')
            && !input.ends_with('-')
            && input
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(input.to_string()))
        } else {
            Err(InvalidValue::new(format!(
                "`{input}` is not 1–63 lowercase letters, digits and inner hyphens"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::display_and_serialize_as_str!(IntegrationId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_url_safe_names_only() {
        assert!(IntegrationId::parse("main").is_ok());
        assert!(IntegrationId::parse("site-2").is_ok());
        for bad in ["", "Main", "-a", "a-", "a_b", "a b", &"a".repeat(64)] {
            assert!(IntegrationId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
