//! The windows of a recurring series, read back from the resource's calendar.
//!
//! A meeting request carries a series' pattern, not its occurrences. Exchange expands the
//! pattern in the resource's calendar (in the organizer's time zone, across daylight-saving
//! changes, with exceptions and cancelled occurrences), so once the resource accepted a whole
//! series (new, or edited) the worker reads the series' occurrences with a calendar view and
//! stores them as the conference's windows, replacing the earlier ones.
//!
//! An idempotent follow-up rather than a journal step: saving a series whole marks it as
//! waiting for its windows, in the transaction that stores the decision. At the end of each
//! cycle, when the cycle's answers went out, the worker reads the windows of every waiting
//! series whose answers all reached Exchange, and storing them clears the mark. A worker
//! stopped between the accept and the read, or a calendar view that fails, leaves the mark for
//! the next cycle; the answer itself is sent (once) by the journal, whatever happens here.
//!
//! Edits and cancellations of single occurrences move or drop one window in storage directly
//! (the message names the occurrence and its new time), without reading the calendar.

use super::outcome::millis;
use super::{ConnectorError, MailboxWorker};
use crate::store::{Conference, ConferenceWindow, StoreError};
use time::{Duration, OffsetDateTime};

/// How far ahead of its first stored occurrence a series' windows reach: two years, the longest
/// range one calendar view may cover, and well beyond the 180 days Exchange lets a resource be
/// booked ahead by default (1080 at most). An open-ended series keeps no end; its occurrences
/// after the horizon are stored when it is next edited as a whole.
pub(super) const HORIZON: Duration = Duration::days(730);

/// Series whose windows are read per cycle at most; the rest wait for the next cycle.
const MAX_SERIES_PER_CYCLE: u32 = 64;

/// The range to read a series' occurrences in: from its first start (or now, if later) minus a
/// day, so an occurrence under way is kept, to its end, at most [`HORIZON`] later. `None` when
/// nothing of the series is left.
pub(super) fn view_range(
    conference: &Conference,
    now: OffsetDateTime,
) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let from = at(conference.first_start).max(now) - Duration::DAY;
    let horizon = from + HORIZON;
    let to = conference
        .last_end
        .map_or(horizon, |end| at(end).min(horizon));
    (to > from).then_some((from, to))
}

impl MailboxWorker {
    /// Reads and stores the windows of the series waiting for them; a series whose read fails
    /// keeps waiting (logged). A failure worth retrying (throttling, an outage) ends the round:
    /// Exchange is unlikely to answer the next read either.
    pub(super) async fn store_awaited_series_windows(&self) -> Result<(), StoreError> {
        let waiting = self
            .store
            .series_awaiting_windows(self.id(), MAX_SERIES_PER_CYCLE)
            .await?;
        for gid in waiting {
            let Some(conference) = self.store.conference(self.id(), &gid).await? else {
                continue;
            };
            let windows = match view_range(&conference, self.now()) {
                None => Vec::new(),
                Some((from, to)) => match self.connector.series_occurrences(&gid, from, to).await {
                    Ok(occurrences) => occurrences
                        .iter()
                        .map(|occurrence| ConferenceWindow {
                            original_start: millis(occurrence.original_start),
                            start: millis(occurrence.window.start),
                            end: millis(occurrence.window.end),
                        })
                        .collect(),
                    Err(error) => {
                        self.log_failure(Some(&gid), None, "series_windows", error.code(), None)
                            .await?;
                        if matches!(
                            error,
                            ConnectorError::Failed {
                                retryable: true,
                                ..
                            }
                        ) {
                            return Ok(());
                        }
                        // This series cannot be read; the others may.
                        continue;
                    }
                },
            };
            self.store
                .replace_conference_windows(self.id(), &gid, &windows)
                .await?;
        }
        Ok(())
    }
}

/// A stored time (Unix milliseconds) as an instant.
fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
