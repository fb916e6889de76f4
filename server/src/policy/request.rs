//! The platform's service-configuration request: its query parameters, checked before anything
//! is looked up. Only `local_alias` decides the answer; the rest is kept for the log.

use super::alias::{normalise, LookupKey};

/// Pexip's limit for an alias.
pub const MAX_ALIAS_CHARS: usize = 250;
/// Any other parameter (display names, vendor strings, SIP headers).
pub const MAX_VALUE_CHARS: usize = 2048;
const MAX_PARAMETERS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRequest {
    /// As sent (trimmed), for the log.
    pub local_alias: String,
    pub key: LookupKey,
    pub call_direction: Option<String>,
    pub protocol: Option<String>,
    pub trigger: Option<String>,
}

/// Why a request is refused with 400: a stable code and a sentence for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestProblem {
    pub code: &'static str,
    pub detail: String,
}

fn problem(code: &'static str, detail: impl Into<String>) -> RequestProblem {
    RequestProblem {
        code,
        detail: detail.into(),
    }
}

impl PolicyRequest {
    /// Parses the raw query string (percent-decoded here; invalid UTF-8 counts as a bad
    /// character).
    pub fn parse(query: &str) -> Result<Self, RequestProblem> {
        let mut local_alias = None;
        let (mut call_direction, mut protocol, mut trigger) = (None, None, None);
        for (count, (name, value)) in url::form_urlencoded::parse(query.as_bytes()).enumerate() {
            if count >= MAX_PARAMETERS {
                return Err(problem(
                    "too_many_parameters",
                    format!("more than {MAX_PARAMETERS} query parameters"),
                ));
            }
            if name.chars().count() > 100 || value.chars().count() > MAX_VALUE_CHARS {
                return Err(problem(
                    "value_too_long",
                    format!(
                        "the query parameter `{}` is longer than {MAX_VALUE_CHARS} characters",
                        name.chars().take(100).collect::<String>()
                    ),
                ));
            }
            if has_bad_characters(&value) || has_bad_characters(&name) {
                return Err(problem(
                    "invalid_characters",
                    format!(
                        "the query parameter `{name}` holds control characters or invalid UTF-8"
                    ),
                ));
            }
            let slot = match name.as_ref() {
                "local_alias" => &mut local_alias,
                "call_direction" => &mut call_direction,
                "protocol" => &mut protocol,
                "trigger" => &mut trigger,
                _ => continue,
            };
            if slot.is_some() {
                return Err(problem(
                    "duplicate_parameter",
                    format!("the query parameter `{name}` is given more than once"),
                ));
            }
            *slot = Some(value.trim().to_string());
        }
        let local_alias = local_alias
            .filter(|alias| !alias.is_empty())
            .ok_or_else(|| {
                problem(
                    "missing_local_alias",
                    "the query parameter `local_alias` (the alias dialled) is missing or empty",
                )
            })?;
        if local_alias.chars().count() > MAX_ALIAS_CHARS {
            return Err(problem(
                "value_too_long",
                format!("`local_alias` is longer than {MAX_ALIAS_CHARS} characters"),
            ));
        }
        if local_alias.chars().any(char::is_whitespace) {
            return Err(problem(
                "invalid_characters",
                "`local_alias` contains white space",
            ));
        }
        Ok(Self {
            key: normalise(&local_alias),
            local_alias,
            call_direction,
            protocol,
            trigger,
        })
    }
}

fn has_bad_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_alias_and_the_call_description() {
        let request = PolicyRequest::parse(
            "protocol=sip&local_alias=sip%3Ameet1%40VC.example.com&call_direction=dial_in\
             &remote_alias=sip%3Aalice%40example.com&trigger=invite&bandwidth=0",
        )
        .unwrap();
        assert_eq!(request.local_alias, "sip:meet1@VC.example.com");
        assert_eq!(request.key, LookupKey::Uri("meet1@vc.example.com".into()));
        assert_eq!(request.protocol.as_deref(), Some("sip"));
        assert_eq!(request.call_direction.as_deref(), Some("dial_in"));
        assert_eq!(request.trigger.as_deref(), Some("invite"));
    }

    #[test]
    fn refuses_what_cannot_be_a_platform_request() {
        let code = |query: &str| PolicyRequest::parse(query).unwrap_err().code;
        assert_eq!(code(""), "missing_local_alias");
        assert_eq!(code("local_alias=&protocol=sip"), "missing_local_alias");
        assert_eq!(code("remote_alias=x"), "missing_local_alias");
        assert_eq!(code("local_alias=a&local_alias=b"), "duplicate_parameter");
        assert_eq!(
            code(&format!("local_alias={}", "1".repeat(251))),
            "value_too_long"
        );
        assert_eq!(
            code(&format!("local_alias=1&vendor={}", "v".repeat(2049))),
            "value_too_long"
        );
        assert_eq!(code("local_alias=a%0Ab"), "invalid_characters");
        assert_eq!(code("local_alias=a%FFb"), "invalid_characters");
        assert_eq!(code("local_alias=a%20b%40c"), "invalid_characters");
        let many: Vec<String> = (0..101).map(|n| format!("p{n}=1")).collect();
        assert_eq!(code(&many.join("&")), "too_many_parameters");
    }
}
