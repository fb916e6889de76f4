//! When a meeting's room admits callers: from `start − before` to `end + after`, both edges
//! included, to the second (the platform asks in real time; meeting times are whole seconds).

use crate::config::Buffers;

/// One occurrence (or the single meeting), Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

impl Window {
    pub fn admits(&self, buffers: Buffers, now: i64) -> bool {
        let now = now.div_euclid(1000) * 1000;
        let opens = self.start.saturating_sub(millis(buffers.before));
        let closes = self.end.saturating_add(millis(buffers.after));
        opens <= now && now <= closes
    }
}

/// The first window open at `now`, if any.
pub fn open_window(windows: &[Window], buffers: Buffers, now: i64) -> Option<Window> {
    windows
        .iter()
        .copied()
        .find(|window| window.admits(buffers, now))
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const START: i64 = 1_790_000_000_000;
    const HOUR: i64 = 3_600_000;

    fn buffers(before_min: u64, after_min: u64) -> Buffers {
        Buffers {
            before: Duration::from_secs(before_min * 60),
            after: Duration::from_secs(after_min * 60),
        }
    }

    #[test]
    fn edges_are_inclusive_to_the_second() {
        let window = Window {
            start: START,
            end: START + HOUR,
        };
        let b = buffers(10, 5);
        let opens = START - 10 * 60_000;
        let closes = START + HOUR + 5 * 60_000;
        assert!(!window.admits(b, opens - 1000));
        assert!(!window.admits(b, opens - 1));
        assert!(window.admits(b, opens));
        assert!(window.admits(b, START + HOUR / 2));
        assert!(window.admits(b, closes));
        assert!(window.admits(b, closes + 999), "still the closing second");
        assert!(!window.admits(b, closes + 1000));
    }

    #[test]
    fn without_buffers_the_meeting_itself_counts() {
        let window = Window {
            start: START,
            end: START + HOUR,
        };
        let b = buffers(0, 0);
        assert!(!window.admits(b, START - 1000));
        assert!(window.admits(b, START));
        assert!(window.admits(b, START + HOUR));
        assert!(!window.admits(b, START + HOUR + 1000));
    }

    #[test]
    fn each_occurrence_of_a_series_has_its_own_window() {
        let day = 24 * HOUR;
        let windows: Vec<Window> = (0..3)
            .map(|n| Window {
                start: START + n * 7 * day,
                end: START + n * 7 * day + HOUR,
            })
            .collect();
        let b = buffers(0, 0);
        assert_eq!(
            open_window(&windows, b, START + 7 * day + 60_000),
            Some(windows[1])
        );
        assert_eq!(open_window(&windows, b, START + 3 * day), None);
        assert_eq!(open_window(&windows, b, START + 21 * day), None);
    }
}
