//! Collects every configuration mistake before the service refuses to start, so an admin fixes
//! them all in one pass instead of one per restart.

use std::fmt;

/// One mistake: which key, what is wrong with it, and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub key: String,
    pub problem: String,
    pub expected: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}; expected {}",
            self.key, self.problem, self.expected
        )
    }
}

#[derive(Debug, Default)]
pub struct Problems(Vec<ConfigProblem>);

impl Problems {
    pub fn push(
        &mut self,
        key: impl Into<String>,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) {
        self.0.push(ConfigProblem {
            key: key.into(),
            problem: problem.into(),
            expected: expected.into(),
        });
    }

    /// Records the outcome of a domain `parse`: its error text becomes the problem.
    pub fn check<T, E: fmt::Display>(
        &mut self,
        key: impl Into<String>,
        parsed: Result<T, E>,
        expected: impl Into<String>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(key, error.to_string(), expected);
                None
            }
        }
    }

    /// An optional integer setting: `default` when unset, the value when inside `range`, else
    /// a problem (and `default`, so the other checks can go on).
    pub fn int_in_range(
        &mut self,
        key: &str,
        value: Option<i64>,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> i64 {
        match value {
            None => default,
            Some(v) if range.contains(&v) => v,
            Some(v) => {
                self.push(
                    key,
                    format!("is {v}"),
                    format!("an integer from {} to {}", range.start(), range.end()),
                );
                default
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<ConfigProblem> {
        self.0
    }

    pub fn iter(&self) -> impl Iterator<Item = &ConfigProblem> {
        self.0.iter()
    }
}
