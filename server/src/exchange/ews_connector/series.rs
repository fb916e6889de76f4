//! A series' occurrences from the resource's calendar view. Exchange expands the series (its
//! time zone, daylight-saving changes, exceptions, cancelled occurrences); this module keeps to
//! the limits of one view and picks the series' entries out of the whole calendar.

use super::connector_error;
use crate::domain::EmailAddress;
use crate::exchange::ews::{CalendarEntry, CalendarItemType, CalendarView, EwsClient, EwsError};
use crate::scheduling::worker::{ConnectorError, SeriesOccurrence};
use crate::scheduling::MeetingWindow;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use time::{Duration, OffsetDateTime};

/// How far one calendar view may reach and how much it may hold.
#[derive(Debug, Clone, Copy)]
struct ViewLimits {
    /// Exchange refuses a view longer than two years (`ErrorCalendarViewRangeTooBig`).
    span: Duration,
    /// Exchange's default throttling policy (`EWSFindCountLimit`) returns at most 1000 items
    /// per FindItem; a view cut short says so (`IncludesLastItemInRange="false"`).
    entries: u32,
    /// Views per range at most, so a calendar too dense to read cannot keep the worker busy.
    max_views: usize,
}

const LIMITS: ViewLimits = ViewLimits {
    // A year per view stays well clear of the two-year limit.
    span: Duration::days(365),
    entries: 1000,
    // Room for 256,000 calendar entries in the range, far more than a resource holds.
    max_views: 256,
};

/// The occurrences of the series `uid` overlapping `[from, to)`, ordered by original start.
pub(super) async fn occurrences(
    client: &EwsClient,
    resource: &EmailAddress,
    uid: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<SeriesOccurrence>, ConnectorError> {
    let entries = whole_view(from, to, LIMITS, |start, end, max| {
        client.calendar_view_page(Some(resource), start, end, max)
    })
    .await?;
    Ok(series_entries(uid, entries))
}

/// Every calendar entry overlapping `[from, to)`: one view per span, each continued from the
/// latest start it showed while Exchange cuts it short. An entry seen twice (it overlaps a
/// boundary) is kept once, by item id.
async fn whole_view<F, Fut>(
    from: OffsetDateTime,
    to: OffsetDateTime,
    limits: ViewLimits,
    mut view: F,
) -> Result<Vec<CalendarEntry>, ConnectorError>
where
    F: FnMut(OffsetDateTime, OffsetDateTime, u32) -> Fut,
    Fut: Future<Output = Result<CalendarView, EwsError>>,
{
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    let mut views = 0;
    let mut span_start = from;
    while span_start < to {
        let span_end = (span_start + limits.span).min(to);
        let mut cursor = span_start;
        loop {
            views += 1;
            if views > limits.max_views {
                return Err(too_dense(from, to));
            }
            let page = view(cursor, span_end, limits.entries)
                .await
                .map_err(connector_error)?;
            let latest_start = page.entries.iter().map(|entry| entry.start).max();
            entries.extend(
                page.entries
                    .into_iter()
                    .filter(|entry| seen.insert(entry.id.id.clone())),
            );
            if page.includes_last {
                break;
            }
            // Entries come ordered by start: everything before the latest start was shown.
            // More entries than one view holds starting at one instant cannot be read.
            match latest_start {
                Some(next) if next > cursor => cursor = next,
                _ => return Err(too_dense(from, to)),
            }
        }
        span_start = span_end;
    }
    Ok(entries)
}

/// The entries that are occurrences or exceptions of the series `uid`, one per original start.
fn series_entries(uid: &str, entries: Vec<CalendarEntry>) -> Vec<SeriesOccurrence> {
    let mut by_original_start = BTreeMap::new();
    for entry in entries {
        let of_a_series = matches!(
            entry.calendar_item_type,
            Some(CalendarItemType::Occurrence | CalendarItemType::Exception)
        );
        if !of_a_series || entry.uid.as_deref() != Some(uid) {
            continue;
        }
        // An occurrence that never moved starts where it always did.
        let original_start = entry.recurrence_id.unwrap_or(entry.start);
        by_original_start.insert(
            original_start,
            SeriesOccurrence {
                original_start,
                window: MeetingWindow {
                    start: entry.start,
                    end: entry.end,
                },
            },
        );
    }
    by_original_start.into_values().collect()
}

fn too_dense(from: OffsetDateTime, to: OffsetDateTime) -> ConnectorError {
    ConnectorError::Failed {
        code: "calendar_view_too_dense".into(),
        message: format!("the resource's calendar from {from} to {to} holds too many entries"),
        retryable: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::ews::ItemId;
    use std::future::ready;
    use time::macros::datetime;

    const FROM: OffsetDateTime = datetime!(2027-01-01 00:00 UTC);

    fn entry(id: &str, uid: &str, start: OffsetDateTime, kind: CalendarItemType) -> CalendarEntry {
        CalendarEntry {
            id: ItemId::new(id, None),
            uid: Some(uid.into()),
            start,
            end: start + Duration::hours(1),
            calendar_item_type: Some(kind),
            recurrence_id: None,
        }
    }

    /// A calendar as Exchange shows it: entries overlapping the range, by start, at most `max`.
    fn view_of(
        calendar: &[CalendarEntry],
        start: OffsetDateTime,
        end: OffsetDateTime,
        max: u32,
    ) -> CalendarView {
        let mut found: Vec<CalendarEntry> = calendar
            .iter()
            .filter(|e| e.start < end && e.end > start)
            .cloned()
            .collect();
        found.sort_by_key(|e| e.start);
        let includes_last = found.len() <= max as usize;
        found.truncate(max as usize);
        CalendarView {
            entries: found,
            includes_last,
        }
    }

    fn limits(span_days: i64, entries: u32) -> ViewLimits {
        ViewLimits {
            span: Duration::days(span_days),
            entries,
            max_views: 32,
        }
    }

    #[tokio::test]
    async fn a_long_range_is_read_in_spans_each_continued_until_complete() {
        // Two entries a day for 40 days, read 7 at a time in 15-day spans.
        let calendar: Vec<CalendarEntry> = (0..80)
            .map(|n| {
                let start = FROM + Duration::hours(12 * n);
                entry(&format!("e{n}"), "u", start, CalendarItemType::Single)
            })
            .collect();
        let mut calls = Vec::new();
        let to = FROM + Duration::days(40);
        let found = whole_view(FROM, to, limits(15, 7), |start, end, max| {
            calls.push((start, end));
            ready(Ok(view_of(&calendar, start, end, max)))
        })
        .await
        .unwrap();

        let mut ids: Vec<&str> = found.iter().map(|e| e.id.id.as_str()).collect();
        assert_eq!(ids.len(), 80, "every entry once");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 80);
        assert!(calls
            .iter()
            .all(|(start, end)| *end - *start <= Duration::days(15)));
        let span_ends: Vec<OffsetDateTime> = calls.iter().map(|(_, end)| *end).collect();
        assert!(span_ends.contains(&(FROM + Duration::days(15))));
        assert_eq!(span_ends.last(), Some(&to));
        assert!(calls.len() > 3, "views cut short were continued: {calls:?}");
    }

    #[tokio::test]
    async fn more_entries_at_one_instant_than_a_view_holds_is_an_error() {
        let calendar: Vec<CalendarEntry> = (0..12)
            .map(|n| entry(&format!("e{n}"), "u", FROM, CalendarItemType::Single))
            .collect();
        let mut calls = 0;
        let result = whole_view(FROM, FROM + Duration::days(1), limits(30, 10), |s, e, m| {
            calls += 1;
            ready(Ok(view_of(&calendar, s, e, m)))
        })
        .await;
        assert_eq!(
            result.unwrap_err().code(),
            "calendar_view_too_dense",
            "not an endless loop"
        );
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn a_failed_view_fails_the_whole_read() {
        let result = whole_view(FROM, FROM + Duration::days(1), LIMITS, |_, _, _| {
            ready(Err(EwsError::Throttled { back_off: None }))
        })
        .await;
        assert_eq!(result.unwrap_err().code(), "ErrorServerBusy");
    }

    #[test]
    fn the_series_entries_are_picked_by_uid_and_named_by_original_start() {
        let monday = datetime!(2027-03-22 09:00 UTC);
        let mut moved = entry(
            "x",
            "series",
            monday + Duration::days(7) + Duration::hours(5),
            CalendarItemType::Exception,
        );
        moved.recurrence_id = Some(monday + Duration::days(7));
        let entries = vec![
            moved,
            entry("o1", "series", monday, CalendarItemType::Occurrence),
            entry("other", "another", monday, CalendarItemType::Occurrence),
            entry("single", "series", monday, CalendarItemType::Single),
        ];
        let found = series_entries("series", entries);
        let starts: Vec<(OffsetDateTime, OffsetDateTime)> = found
            .iter()
            .map(|o| (o.original_start, o.window.start))
            .collect();
        assert_eq!(
            starts,
            [
                (monday, monday),
                (
                    monday + Duration::days(7),
                    monday + Duration::days(7) + Duration::hours(5)
                )
            ]
        );
    }
}
