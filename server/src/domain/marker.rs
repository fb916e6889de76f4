//! The alias-id marker: the token written into a meeting body that ties the meeting to its
//! reservation. Format: `[VMRID:` + 20 characters of `A-Z2-7` + `]`, matched by
//! [`AliasMarker::PATTERN`]. 20 base-32 characters carry 100 random bits. Letters and digits
//! only inside brackets, with no hyphen, space or underscore, so HTML-to-text conversion,
//! line wrapping and Markdown-ish mail clients leave it intact.

use super::InvalidValue;
use rand::{CryptoRng, Rng};
use regex::Regex;
use std::sync::LazyLock;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const LEN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AliasMarker(String);

static MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(AliasMarker::PATTERN).expect("valid pattern"));

impl AliasMarker {
    /// The one pattern that finds a marker in any body, HTML or text. Group 1 is the id.
    pub const PATTERN: &'static str = r"\[VMRID:([A-Z2-7]{20})\]";

    pub fn generate<R: Rng + CryptoRng>(rng: &mut R) -> Self {
        // 32 symbols is a power of two, so each draw is unbiased.
        let id: String = (0..LEN)
            .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
            .collect();
        Self(format!("[VMRID:{id}]"))
    }

    /// Accepts exactly one marker, with nothing around it.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        match Self::find_all(input).as_slice() {
            [one] if one.as_str() == input.trim() => Ok(one.clone()),
            _ => Err(InvalidValue::new(
                "is not an alias-id marker of the form [VMRID:<20 × A-Z2-7>]",
            )),
        }
    }

    /// Every marker in a meeting body, in order of appearance.
    pub fn find_all(body: &str) -> Vec<Self> {
        MARKER
            .find_iter(body)
            .map(|m| Self(m.as_str().to_string()))
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::display_and_serialize_as_str!(AliasMarker);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_markers_match_the_pattern_and_differ() {
        let mut rng = rand::thread_rng();
        let markers: HashSet<_> = (0..10_000)
            .map(|_| AliasMarker::generate(&mut rng))
            .collect();
        assert_eq!(markers.len(), 10_000);
        for marker in markers.iter().take(100) {
            assert!(marker.as_str().is_ascii());
            assert_eq!(AliasMarker::parse(marker.as_str()).unwrap(), *marker);
        }
    }

    #[test]
    fn survives_html_to_text_conversion() {
        let marker = AliasMarker::generate(&mut rand::thread_rng());
        let html = format!(
            "<p>Join:</p><p style=\"color:#fff\"><span id=\"vmr-marker\">{marker}</span></p>"
        );
        let text: String = regex::Regex::new("<[^>]+>")
            .unwrap()
            .replace_all(&html, " ")
            .into_owned();
        assert_eq!(AliasMarker::find_all(&text), vec![marker.clone()]);
        // Wrapped at 20 columns, as plain-text mail does, the marker stays on one line.
        let wrapped = format!("Please join the\nmeeting using\n{marker}\nthank you");
        assert_eq!(AliasMarker::find_all(&wrapped), vec![marker]);
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            "[VMRID:ABC]",
            "[vmrid:AAAAAAAAAAAAAAAAAAAA]",
            "[VMRID:AAAAAAAAAAAAAAAAAAA1]",
            "VMRID:AAAAAAAAAAAAAAAAAAAA",
            "x [VMRID:AAAAAAAAAAAAAAAAAAAA]",
        ] {
            assert!(AliasMarker::parse(bad).is_err(), "{bad:?}");
        }
        assert!(AliasMarker::parse("[VMRID:AAAAAAAAAAAAAAAAAAAA]").is_ok());
    }
}
