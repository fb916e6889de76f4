//! The dialled alias as the platform sends it (`sip:Meet123@VC.Example.com;transport=tls`,
//! `tel:81123456`, `81123456`) turned into the key rooms are stored under.

/// What a stored room is looked up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupKey {
    /// `local@domain`: the local part as dialled, the domain lowercase (aliases are stored
    /// lowercase, and domains compare case-insensitively).
    Uri(String),
    /// Digits only, compared exactly.
    Numeric(String),
    /// Neither form (e.g. a bare name): no stored room can have it.
    Unmatchable,
}

const SCHEMES: &[&str] = &["sip:", "sips:", "h323:", "tel:"];

/// Drops a scheme and any `;parameters` (or `?headers`), then splits at the last `@`.
pub fn normalise(dialled: &str) -> LookupKey {
    let trimmed = dialled.trim();
    let without_scheme = SCHEMES
        .iter()
        .find_map(|scheme| {
            trimmed
                .get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .map(|_| &trimmed[scheme.len()..])
        })
        .unwrap_or(trimmed);
    let bare = without_scheme
        .split([';', '?'])
        .next()
        .unwrap_or_default()
        .trim();
    match bare.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            LookupKey::Uri(format!("{local}@{}", domain.to_ascii_lowercase()))
        }
        Some(_) => LookupKey::Unmatchable,
        None if !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_digit()) => {
            LookupKey::Numeric(bare.to_string())
        }
        None => LookupKey::Unmatchable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> LookupKey {
        LookupKey::Uri(text.into())
    }

    #[test]
    fn schemes_and_parameters_are_dropped_and_the_domain_folded() {
        assert_eq!(
            normalise("sip:meet123456@VC.Example.COM"),
            uri("meet123456@vc.example.com")
        );
        assert_eq!(
            normalise("SIPS:meet1@vc.example.com;transport=tls"),
            uri("meet1@vc.example.com")
        );
        assert_eq!(
            normalise("h323:meet1@vc.example.com"),
            uri("meet1@vc.example.com")
        );
        assert_eq!(
            normalise(" meet1@vc.example.com?subject=x "),
            uri("meet1@vc.example.com")
        );
    }

    #[test]
    fn the_local_part_is_kept_as_dialled() {
        assert_eq!(
            normalise("sip:Meet1@vc.example.com"),
            uri("Meet1@vc.example.com")
        );
    }

    #[test]
    fn digits_are_numeric_aliases_compared_exactly() {
        assert_eq!(normalise("81123456"), LookupKey::Numeric("81123456".into()));
        assert_eq!(
            normalise("tel:81123456;phone-context=x"),
            LookupKey::Numeric("81123456".into())
        );
        assert_eq!(normalise("+81123456"), LookupKey::Unmatchable);
        assert_eq!(normalise("sip:"), LookupKey::Unmatchable);
        assert_eq!(normalise("@vc.example.com"), LookupKey::Unmatchable);
        assert_eq!(normalise("meetingroom"), LookupKey::Unmatchable);
    }
}
