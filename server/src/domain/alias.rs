use super::email::is_hostname;
use super::InvalidValue;

/// The fixed start of every single-use alias: 1–8 of `a-z 0-9 . _ -`, starting with a letter, kept
/// lowercase because SIP and H.323 aliases are matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasPrefix(String);

impl AliasPrefix {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let value = input.trim().to_ascii_lowercase();
        let len = value.chars().count();
        if !(1..=8).contains(&len) {
            return Err(InvalidValue::new(format!(
                "`{input}` is {len} characters long"
            )));
        }
        if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(InvalidValue::new(format!(
                "`{input}` does not start with a letter"
            )));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        {
            return Err(InvalidValue::new(format!(
                "`{input}` has characters other than a-z 0-9 . _ -"
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The domain after the `@` of an alias (at most 192 characters, as the reference product).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasDomain(String);

impl AliasDomain {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let value = input.trim().to_ascii_lowercase();
        if value.len() > 192 || !is_hostname(&value) {
            return Err(InvalidValue::new(format!(
                "`{input}` is not a DNS domain of at most 192 characters"
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many random digits follow the prefix: 5 to 15 (15 digits still fit an `i64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumericSuffixLength(u8);

impl NumericSuffixLength {
    pub const DEFAULT: Self = Self(6);

    pub fn parse(value: i64) -> Result<Self, InvalidValue> {
        if (5..=15).contains(&value) {
            Ok(Self(value as u8))
        } else {
            Err(InvalidValue::new(format!("is {value}")))
        }
    }

    pub fn digits(self) -> u8 {
        self.0
    }

    /// How many distinct suffixes exist: `10^digits`.
    pub fn space(self) -> u64 {
        10u64.pow(u32::from(self.0))
    }
}

/// Digits put in front of the random suffix to form the numeric (phone) alias; may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumericPrefix(String);

impl NumericPrefix {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let value = input.trim();
        if value.len() > 8 || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidValue::new(format!("`{input}` is not 0–8 digits")));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A full single-use alias, `prefix` + digits + `@` + domain, always lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alias(String);

impl Alias {
    pub fn compose(prefix: &AliasPrefix, suffix: &str, domain: &AliasDomain) -> Self {
        debug_assert!(suffix.chars().all(|c| c.is_ascii_digit()));
        Self(format!("{}{}@{}", prefix.as_str(), suffix, domain.as_str()))
    }

    /// Accepts a stored or dialled alias (a `sip:` or `h323:` scheme is dropped, case is folded).
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = input.trim();
        let lower = trimmed.to_ascii_lowercase();
        let bare = lower
            .strip_prefix("sip:")
            .or_else(|| lower.strip_prefix("sips:"))
            .or_else(|| lower.strip_prefix("h323:"))
            .unwrap_or(&lower);
        let Some((user, domain)) = bare.split_once('@') else {
            return Err(InvalidValue::new(format!("`{trimmed}` has no `@domain`")));
        };
        if user.is_empty()
            || !is_hostname(domain)
            || user.chars().any(|c| c.is_whitespace() || c == '@')
        {
            return Err(InvalidValue::new(format!(
                "`{trimmed}` is not of the form user@domain"
            )));
        }
        Ok(Self(bare.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The alias dialled from a phone: digits only, 5–23 long (numeric prefix + suffix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumericAlias(String);

impl NumericAlias {
    pub fn compose(prefix: &NumericPrefix, suffix: &str) -> Self {
        Self(format!("{}{}", prefix.as_str(), suffix))
    }

    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let value = input.trim();
        if !(5..=23).contains(&value.len()) || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidValue::new(format!("`{value}` is not 5–23 digits")));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::display_and_serialize_as_str!(AliasPrefix, AliasDomain, NumericPrefix, Alias, NumericAlias);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_one_to_eight_safe_characters() {
        assert_eq!(AliasPrefix::parse("Meet").unwrap().as_str(), "meet");
        assert!(AliasPrefix::parse("m").is_ok());
        assert!(AliasPrefix::parse("vc.room-1").is_err(), "9 characters");
        for bad in ["", "1meet", "me et", "mé", "m@x"] {
            assert!(AliasPrefix::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn suffix_length_is_five_to_fifteen() {
        assert!(NumericSuffixLength::parse(4).is_err());
        assert!(NumericSuffixLength::parse(16).is_err());
        assert_eq!(NumericSuffixLength::parse(5).unwrap().space(), 100_000);
        assert_eq!(
            NumericSuffixLength::parse(15).unwrap().space(),
            1_000_000_000_000_000
        );
        assert_eq!(NumericSuffixLength::DEFAULT.digits(), 6);
    }

    #[test]
    fn alias_parse_drops_scheme_and_folds_case() {
        let alias = Alias::parse("SIP:Meet123456@VC.Example.com").unwrap();
        assert_eq!(alias.as_str(), "meet123456@vc.example.com");
        assert_eq!(
            Alias::parse("h323:meet1@vc.example.com").unwrap().as_str(),
            "meet1@vc.example.com"
        );
        assert!(Alias::parse("meet123456").is_err());
        assert!(Alias::parse("@vc.example.com").is_err());
    }

    #[test]
    fn compose_builds_both_aliases() {
        let prefix = AliasPrefix::parse("meet").unwrap();
        let domain = AliasDomain::parse("vc.example.com").unwrap();
        assert_eq!(
            Alias::compose(&prefix, "004213", &domain).as_str(),
            "meet004213@vc.example.com"
        );
        let numeric = NumericAlias::compose(&NumericPrefix::parse("81").unwrap(), "004213");
        assert_eq!(numeric.as_str(), "81004213");
        assert!(NumericAlias::parse(numeric.as_str()).is_ok());
    }

    #[test]
    fn numeric_prefix_is_digits_only() {
        assert!(NumericPrefix::parse("").is_ok());
        assert!(NumericPrefix::parse("12a").is_err());
        assert!(NumericPrefix::parse("123456789").is_err());
    }
}
