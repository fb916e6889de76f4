use super::InvalidValue;

/// An address of the form `local@domain`, trimmed, at most 254 characters (RFC 5321).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let value = input.trim();
        if value.is_empty() {
            return Err(InvalidValue::new("is empty"));
        }
        if value.len() > 254 {
            return Err(InvalidValue::new(format!(
                "is {} characters long",
                value.len()
            )));
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(InvalidValue::new(format!("`{value}` has no `@`")));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(InvalidValue::new(format!(
                "`{value}` has an empty or over-long local part"
            )));
        }
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        {
            return Err(InvalidValue::new(format!(
                "`{value}` contains spaces or reserved characters"
            )));
        }
        if !is_hostname(domain) {
            return Err(InvalidValue::new(format!(
                "`{value}` has no valid domain after `@`"
            )));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// DNS name with at least one dot: labels of letters, digits and inner hyphens.
pub(crate) fn is_hostname(value: &str) -> bool {
    value.len() <= 253
        && value.contains('.')
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

super::display_and_serialize_as_str!(EmailAddress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims() {
        assert_eq!(
            EmailAddress::parse(" vmr@example.com ").unwrap().as_str(),
            "vmr@example.com"
        );
        assert!(EmailAddress::parse("first.last+tag@sub.example.co.uk").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "no-at.example.com",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@exa_mple.com",
            "a@-example.com",
            "<a@example.com>",
            "a@example..com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long_local).is_err());
    }
}
