//! When a reservation or a conference is over, decided without I/O.

use std::time::Duration;

/// The moments a pass compares stored times with, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// An open reservation whose `expires_at` is at or before this has expired (the same rule
    /// the add-in routes apply when they call a reservation no longer open).
    pub expired_at_or_before: i64,
    /// A conference whose every window ended before this is over: its room admitted callers
    /// until the end plus the after-buffer, and that moment has passed.
    pub ended_before: i64,
}

impl Cutoffs {
    pub fn at(now: i64, after_buffer: Duration) -> Self {
        let after = i64::try_from(after_buffer.as_millis()).unwrap_or(i64::MAX);
        Self {
            expired_at_or_before: now,
            ended_before: now.saturating_sub(after),
        }
    }

    pub fn reservation_expired(&self, expires_at: i64) -> bool {
        expires_at <= self.expired_at_or_before
    }

    pub fn conference_over(&self, last_end: Option<i64>) -> bool {
        last_end.is_some_and(|end| end < self.ended_before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const SECOND: i64 = 1_000;
    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_reservation_expires_at_its_expiry_to_the_millisecond() {
        let cutoffs = Cutoffs::at(NOW, HOUR);
        assert!(cutoffs.reservation_expired(NOW - 1));
        assert!(cutoffs.reservation_expired(NOW));
        assert!(!cutoffs.reservation_expired(NOW + 1));
    }

    #[test]
    fn a_conference_is_over_only_after_its_end_plus_the_after_buffer() {
        let cutoffs = Cutoffs::at(NOW, HOUR);
        let buffer_end = NOW - 3600 * SECOND;
        assert_eq!(cutoffs.ended_before, buffer_end);
        assert!(cutoffs.conference_over(Some(buffer_end - SECOND)));
        assert!(cutoffs.conference_over(Some(buffer_end - 1)));
        assert!(
            !cutoffs.conference_over(Some(buffer_end)),
            "the room still admitted callers at this very moment"
        );
        assert!(!cutoffs.conference_over(Some(buffer_end + SECOND)));
    }

    #[test]
    fn an_open_ended_series_is_never_over() {
        assert!(!Cutoffs::at(NOW, Duration::ZERO).conference_over(None));
        assert!(!Cutoffs::at(i64::MAX, HOUR).conference_over(None));
    }

    #[test]
    fn without_an_after_buffer_the_end_itself_is_the_cutoff() {
        let cutoffs = Cutoffs::at(NOW, Duration::ZERO);
        assert!(cutoffs.conference_over(Some(NOW - 1)));
        assert!(!cutoffs.conference_over(Some(NOW)));
    }

    #[test]
    fn extreme_clocks_do_not_overflow() {
        assert_eq!(Cutoffs::at(i64::MIN, HOUR).ended_before, i64::MIN);
        assert_eq!(
            Cutoffs::at(0, Duration::from_secs(u64::MAX)).ended_before,
            -i64::MAX
        );
    }
}
