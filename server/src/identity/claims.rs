//! Claim checks shared by both token kinds. Lifetimes are checked here rather than by
//! `jsonwebtoken` because Exchange identity tokens may carry `nbf`/`exp` as numeric strings,
//! which that library refuses; one code path for both kinds keeps the rules identical.

use super::reject::{RejectReason, Rejection};
use serde_json::{Map, Value};

pub(crate) type Claims = Map<String, Value>;

/// A NumericDate (RFC 7519 §2) given as a JSON number or, as Exchange documents it, a string.
/// Fractions are truncated: a second more or less is far inside any leeway.
pub(crate) fn numeric_date(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| float_seconds(number.as_f64()?)),
        Value::String(text) => {
            let text = text.trim();
            text.parse::<i64>()
                .ok()
                .or_else(|| float_seconds(text.parse::<f64>().ok()?))
        }
        _ => None,
    }
}

fn float_seconds(value: f64) -> Option<i64> {
    // The bounds keep `as` from saturating silently; no real token is near them.
    (value.is_finite() && value.abs() < 1e15).then(|| value.trunc() as i64)
}

/// `exp` is required; `nbf` is checked when present. `leeway` absorbs clock skew between us and
/// the issuer in both directions.
pub(crate) fn check_lifetime(claims: &Claims, now: i64, leeway: i64) -> Result<(), Rejection> {
    let exp = match claims.get("exp") {
        Some(value) => numeric_date(value)
            .ok_or_else(|| Rejection::malformed("the token's exp claim is not a time"))?,
        None => return Err(Rejection::malformed("the token has no exp claim")),
    };
    // RFC 7519 §4.1.4: the current time must be before exp.
    if now >= exp.saturating_add(leeway) {
        return Err(Rejection::new(
            RejectReason::Expired,
            "the token has expired",
        ));
    }
    if let Some(value) = claims.get("nbf") {
        let nbf = numeric_date(value)
            .ok_or_else(|| Rejection::malformed("the token's nbf claim is not a time"))?;
        if now.saturating_add(leeway) < nbf {
            return Err(Rejection::new(
                RejectReason::NotYetValid,
                "the token is not valid yet; check the clock of this device",
            ));
        }
    }
    Ok(())
}

/// A claim that must be a string if present.
pub(crate) fn optional_str<'c>(
    claims: &'c Claims,
    name: &str,
) -> Result<Option<&'c str>, Rejection> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(Rejection::malformed("a token claim has the wrong type")),
    }
}

/// A claim that must be a non-empty string; `detail` names it for the client.
pub(crate) fn required_str<'c>(
    claims: &'c Claims,
    name: &str,
    detail: &str,
) -> Result<&'c str, Rejection> {
    match optional_str(claims, name)? {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(Rejection::malformed(detail)),
    }
}

/// `aud` may be one string or an array (RFC 7519 §4.1.3); one exact match is enough.
pub(crate) fn check_audience(claims: &Claims, accepted: &[String]) -> Result<(), Rejection> {
    let matches = |value: &Value| {
        value
            .as_str()
            .is_some_and(|aud| accepted.iter().any(|a| a == aud))
    };
    let ok = match claims.get("aud") {
        Some(Value::Array(values)) => values.iter().any(matches),
        Some(value) => matches(value),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Rejection::new(
            RejectReason::WrongAudience,
            "the token was not issued for this service",
        ))
    }
}

/// The 8-4-4-4-12 hex form Entra uses for tenant and object ids.
pub(crate) fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Claims {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test claims are objects"),
        }
    }

    #[test]
    fn numeric_dates_may_be_numbers_or_strings() {
        assert_eq!(numeric_date(&json!(1_700_000_000)), Some(1_700_000_000));
        assert_eq!(numeric_date(&json!(1_700_000_000.9)), Some(1_700_000_000));
        assert_eq!(numeric_date(&json!("1700000000")), Some(1_700_000_000));
        assert_eq!(numeric_date(&json!(" 1700000000 ")), Some(1_700_000_000));
        assert_eq!(numeric_date(&json!("1700000000.5")), Some(1_700_000_000));
        for bad in [
            json!("soon"),
            json!(""),
            json!(null),
            json!(true),
            json!([1]),
            json!("NaN"),
            json!(1e300),
        ] {
            assert_eq!(numeric_date(&bad), None, "{bad}");
        }
    }

    #[test]
    fn lifetime_uses_leeway_both_ways_for_numbers_and_strings() {
        let now = 1_700_000_000;
        for (exp, nbf) in [
            (json!(now + 10), json!(now - 10)),
            (json!((now + 10).to_string()), json!((now - 10).to_string())),
        ] {
            let c = claims(json!({ "exp": exp, "nbf": nbf }));
            assert!(check_lifetime(&c, now, 0).is_ok());
            assert_eq!(
                check_lifetime(&c, now + 10, 0).unwrap_err().reason,
                RejectReason::Expired
            );
            assert!(check_lifetime(&c, now + 69, 60).is_ok());
            assert_eq!(
                check_lifetime(&c, now + 70, 60).unwrap_err().reason,
                RejectReason::Expired
            );
            assert_eq!(
                check_lifetime(&c, now - 11, 0).unwrap_err().reason,
                RejectReason::NotYetValid
            );
            assert!(check_lifetime(&c, now - 70, 60).is_ok());
            assert_eq!(
                check_lifetime(&c, now - 71, 60).unwrap_err().reason,
                RejectReason::NotYetValid
            );
        }
    }

    #[test]
    fn lifetime_requires_a_readable_exp() {
        let now = 1_700_000_000;
        for c in [
            json!({}),
            json!({ "exp": "tomorrow" }),
            json!({ "exp": now + 60, "nbf": {} }),
        ] {
            assert_eq!(
                check_lifetime(&claims(c.clone()), now, 60)
                    .unwrap_err()
                    .reason,
                RejectReason::Malformed,
                "{c}"
            );
        }
        assert!(check_lifetime(&claims(json!({ "exp": i64::MAX })), i64::MAX - 1, 300).is_ok());
    }

    #[test]
    fn audience_is_an_exact_match_on_a_string_or_array() {
        let accepted = vec!["api://vmr.example.com/abc".to_string(), "abc".to_string()];
        assert!(check_audience(&claims(json!({ "aud": "abc" })), &accepted).is_ok());
        assert!(check_audience(&claims(json!({ "aud": ["x", "abc"] })), &accepted).is_ok());
        for bad in [
            json!({}),
            json!({ "aud": "ABC" }),
            json!({ "aud": "abc/" }),
            json!({ "aud": ["x"] }),
            json!({ "aud": 1 }),
        ] {
            assert_eq!(
                check_audience(&claims(bad.clone()), &accepted)
                    .unwrap_err()
                    .reason,
                RejectReason::WrongAudience,
                "{bad}"
            );
        }
    }

    #[test]
    fn guids_are_8_4_4_4_12_hex() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(is_guid("72F988BF-86F1-41AF-91AB-2D7CD011DB47"));
        for bad in [
            "",
            "72f988bf86f141af91ab2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011db4",
            "{72f988bf-86f1-41af-91ab-2d7cd011db47}",
            "g2f988bf-86f1-41af-91ab-2d7cd011db47",
            "common",
        ] {
            assert!(!is_guid(bad), "{bad}");
        }
    }
}
