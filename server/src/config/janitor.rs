//! The `[janitor]` section: how often unused reservations are expired and the rooms of past
//! meetings removed.
//!
//! ```toml
//! [janitor]
//! interval_seconds = 60   # 1–86400
//! ```
//!
//! When a reservation expires is fixed at its creation (`aliases.reservation_lifetime_hours` of
//! its integration); when a past meeting's room goes follows the integration's
//! `buffers.after_minutes`.

use super::Problems;
use serde::Deserialize;
use std::time::Duration;

const DEFAULT_INTERVAL_SECONDS: i64 = 60;
const INTERVAL_RANGE: std::ops::RangeInclusive<i64> = 1..=86_400;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawJanitor {
    /// Seconds between two passes.
    pub interval_seconds: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JanitorSettings {
    pub interval: Duration,
}

impl Default for JanitorSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(DEFAULT_INTERVAL_SECONDS.unsigned_abs()),
        }
    }
}

impl RawJanitor {
    pub fn validate(&self, problems: &mut Problems) -> JanitorSettings {
        let seconds = problems.int_in_range(
            "janitor.interval_seconds",
            self.interval_seconds,
            DEFAULT_INTERVAL_SECONDS,
            INTERVAL_RANGE,
        );
        JanitorSettings {
            interval: Duration::from_secs(seconds.unsigned_abs()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validated(
        interval_seconds: Option<i64>,
    ) -> (JanitorSettings, Vec<super::super::ConfigProblem>) {
        let mut problems = Problems::default();
        let settings = RawJanitor { interval_seconds }.validate(&mut problems);
        (settings, problems.into_vec())
    }

    #[test]
    fn the_interval_defaults_to_a_minute() {
        let (settings, problems) = validated(None);
        assert!(problems.is_empty());
        assert_eq!(settings.interval, Duration::from_secs(60));
    }

    #[test]
    fn the_interval_is_bounded() {
        for accepted in [1, 86_400] {
            let (settings, problems) = validated(Some(accepted));
            assert!(problems.is_empty(), "{accepted}: {problems:?}");
            assert_eq!(settings.interval.as_secs(), accepted.unsigned_abs());
        }
        for refused in [0, -5, 86_401] {
            let (_, problems) = validated(Some(refused));
            assert_eq!(problems.len(), 1, "{refused}");
            assert_eq!(problems[0].key, "janitor.interval_seconds");
            assert_eq!(problems[0].problem, format!("is {refused}"));
            assert_eq!(problems[0].expected, "an integer from 1 to 86400");
        }
    }
}
