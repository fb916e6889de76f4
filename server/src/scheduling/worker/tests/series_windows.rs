//! A series' windows read back from the resource's calendar once its accept went out: stored,
//! replaced by an edit of the whole series, kept waiting through failures and restarts, and
//! left to the messages themselves for single occurrences.

use super::*;
use crate::scheduling::{Series, UpdateScope};
use crate::store::ConferenceWindow;

/// The first occurrence: two weeks after [`NOW`].
const FIRST: OffsetDateTime = datetime!(2027-03-15 09:00 UTC);
const WEEK: time::Duration = time::Duration::weeks(1);

fn main_id() -> IntegrationId {
    IntegrationId::parse("main").unwrap()
}

/// `count` weekly one-hour occurrences of the series `gid` from `first`.
fn weekly(gid: &str, first: OffsetDateTime, count: i32) -> Vec<(String, SeriesOccurrence)> {
    (0..count)
        .map(|n| {
            let start = first + WEEK * n;
            let occurrence = SeriesOccurrence {
                original_start: start,
                window: MeetingWindow {
                    start,
                    end: start + time::Duration::hours(1),
                },
            };
            (gid.to_string(), occurrence)
        })
        .collect()
}

/// The windows storage should hold for these occurrences.
fn windows_of(calendar: &[(String, SeriesOccurrence)]) -> Vec<ConferenceWindow> {
    calendar
        .iter()
        .map(|(_, o)| ConferenceWindow {
            original_start: millis(o.original_start),
            start: millis(o.window.start),
            end: millis(o.window.end),
        })
        .collect()
}

/// A request for the whole series `n`, as EWS delivers it: the pattern, no occurrences.
fn series_request(n: u32, body: &str, first_start: OffsetDateTime) -> MeetingMessage {
    MeetingMessage {
        schedule: Schedule::Series(Series {
            first_start,
            last_end: None,
            occurrences: Vec::new(),
        }),
        ..request(n, body)
    }
}

/// An edit or cancellation of one occurrence of series `n`, as its own item.
fn occurrence_message(
    n: u32,
    item: &str,
    body: &str,
    original_start: OffsetDateTime,
    moved_to: OffsetDateTime,
) -> MeetingMessage {
    let mut message = request(n, body);
    message.item.item_id = item.into();
    message.schedule = Schedule::Single(MeetingWindow {
        start: moved_to,
        end: moved_to + time::Duration::hours(1),
    });
    message.update = Some(UpdateScope::Occurrence { original_start });
    message
}

impl Harness {
    fn set_calendar(&self, calendar: Vec<(String, SeriesOccurrence)>) {
        self.mailbox.0.lock().unwrap().calendar = calendar;
    }

    fn views(&self) -> usize {
        self.mailbox.0.lock().unwrap().views
    }

    async fn windows(&self, gid: &str) -> Vec<ConferenceWindow> {
        let conference = self.store.conference(&main_id(), gid).await.unwrap();
        conference.expect("a conference").windows
    }

    /// Books series 1 on a fresh reservation in one cycle; returns the reservation's marker
    /// and the cycle's report.
    async fn book_series(&self, calendar: &[(String, SeriesOccurrence)]) -> (String, CycleReport) {
        let reservation = self.reserve("500001").await;
        self.set_calendar(calendar.to_vec());
        let marker = reservation.marker.as_str().to_string();
        self.mailbox.deliver(series_request(1, &marker, FIRST));
        (marker, self.worker.run_once().await.unwrap())
    }
}

#[tokio::test]
async fn an_accepted_series_stores_the_calendars_occurrences_up_to_the_horizon() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let series = weekly("gid-1", FIRST, 5);
    let mut calendar = series.clone();
    calendar.extend(weekly("gid-other", FIRST, 2));
    // From the day before the first occurrence, two years ahead and no further.
    let horizon = FIRST - time::Duration::DAY + crate::scheduling::worker::series_windows::HORIZON;
    calendar.extend(weekly("gid-1", horizon, 1));
    h.book_series(&calendar).await;

    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 1);
    accepted_html(&answered[0].answer);
    assert_eq!(h.windows("gid-1").await, windows_of(&series));
    let conference = h.store.conference(&main_id(), "gid-1").await.unwrap();
    assert_eq!(
        conference.unwrap().last_end,
        None,
        "open-ended stays open-ended"
    );
    assert_eq!(h.views(), 1);

    // Stored once: later cycles read the calendar no more.
    h.worker.run_once().await.unwrap();
    assert_eq!(h.views(), 1);
}

#[tokio::test]
async fn a_failed_calendar_view_keeps_the_answer_and_is_read_again_after_a_restart() {
    let path = std::env::temp_dir().join(format!("vmr-worker-{}.db", uuid::Uuid::new_v4()));
    let h = harness_on(&path, UnmarkedMeetings::Decline).await;
    let calendar = weekly("gid-1", FIRST, 5);
    h.mailbox.0.lock().unwrap().view_faults = 1;
    let (_, report) = h.book_series(&calendar).await;

    // The accept went out and its journal entry is closed; only the windows wait.
    assert_eq!(report.done, 1);
    assert_eq!(h.mailbox.answered().len(), 1);
    assert_eq!(
        h.store
            .unfinished_journal_entries(&main_id(), 10)
            .await
            .unwrap(),
        Vec::new()
    );
    assert_eq!(h.windows("gid-1").await, Vec::new());
    let failures = h
        .store
        .recent_operations(&main_id(), true, 10)
        .await
        .unwrap();
    assert_eq!(failures[0].action, "series_windows");
    assert_eq!(failures[0].error_code.as_deref(), Some("ErrorServerBusy"));
    assert_eq!(failures[0].global_object_id.as_deref(), Some("gid-1"));

    // After a restart (a new process on the same database and the same Exchange) the windows
    // are read, and nothing is sent again.
    let reopened = harness_on(&path, UnmarkedMeetings::Decline).await;
    let restarted = MailboxWorker::new(
        reopened.store.clone(),
        Arc::new(h.mailbox.clone()),
        h.worker.integration.clone(),
        h.worker.shared.clone(),
        h.worker.policy,
        h.worker.clock.clone(),
    );
    restarted.run_once().await.unwrap();
    assert_eq!(reopened.windows("gid-1").await, windows_of(&calendar));
    assert_eq!(h.mailbox.answered().len(), 1);
    assert_eq!(h.views(), 2);
}

#[tokio::test]
async fn the_windows_wait_until_the_accept_reached_the_calendar() {
    let h = harness(UnmarkedMeetings::Decline).await;
    h.mailbox.fail_next_send(SendFault::Lost);
    h.book_series(&weekly("gid-1", FIRST, 5)).await;
    assert!(h.mailbox.answered().is_empty());
    assert_eq!(h.views(), 0, "the calendar does not show the series yet");

    h.worker.run_once().await.unwrap();
    assert_eq!(h.mailbox.answered().len(), 1);
    assert_eq!(h.views(), 1);
    assert_eq!(h.windows("gid-1").await.len(), 5);
}

#[tokio::test]
async fn an_edit_of_the_whole_series_replaces_every_window() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let (marker, _) = h.book_series(&weekly("gid-1", FIRST, 5)).await;
    assert_eq!(h.windows("gid-1").await.len(), 5);

    // The organizer moves the series an hour later and drops its last occurrence.
    let later = FIRST + time::Duration::hours(1);
    let edited = weekly("gid-1", later, 4);
    h.set_calendar(edited.clone());
    let mut update = series_request(1, &marker, later);
    update.item.item_id = "item-1-edit".into();
    update.update = Some(UpdateScope::WholeSeries);
    h.mailbox.deliver(update);
    h.worker.run_once().await.unwrap();

    assert_eq!(h.mailbox.answered().len(), 2);
    accepted_html(&h.mailbox.answered()[1].answer);
    assert_eq!(h.windows("gid-1").await, windows_of(&edited));
    assert_eq!(h.views(), 2);
}

#[tokio::test]
async fn single_occurrences_move_and_drop_their_window_without_reading_the_calendar() {
    let h = harness(UnmarkedMeetings::Decline).await;
    let series = weekly("gid-1", FIRST, 5);
    let (marker, _) = h.book_series(&series).await;

    let second = FIRST + WEEK;
    let moved_to = second + time::Duration::hours(5);
    h.mailbox.deliver(occurrence_message(
        1,
        "item-1-occ",
        &marker,
        second,
        moved_to,
    ));
    let fourth = FIRST + WEEK * 3;
    let mut cancellation = occurrence_message(1, "item-1-cancel", "", fourth, fourth);
    cancellation.kind = MessageKind::Cancellation;
    h.mailbox.deliver(cancellation);
    h.worker.run_once().await.unwrap();

    let answered = h.mailbox.answered();
    assert_eq!(answered.len(), 3);
    accepted_html(&answered[1].answer);
    assert_eq!(answered[2].answer, Answer::RemoveFromCalendar);
    let mut expected = windows_of(&series);
    expected[1].start = millis(moved_to);
    expected[1].end = millis(moved_to + time::Duration::hours(1));
    expected.remove(3);
    assert_eq!(h.windows("gid-1").await, expected);
    assert_eq!(h.views(), 1, "only the series' accept read the calendar");
}

#[test]
fn the_view_reaches_from_the_day_before_to_the_end_or_the_horizon() {
    use crate::scheduling::worker::series_windows::{view_range, HORIZON};
    let mut conference = crate::store::Conference {
        integration: main_id(),
        global_object_id: "gid-1".into(),
        reservation_id: None,
        alias: Alias::parse("meet100001@vc.example.com").unwrap(),
        numeric_alias: NumericAlias::parse("100001").unwrap(),
        subject: String::new(),
        organizer_email: EmailAddress::parse("manager@example.com").unwrap(),
        organizer_name: None,
        reserved_by: None,
        is_series: true,
        first_start: millis(FIRST),
        last_end: None,
        windows: Vec::new(),
    };
    let day = time::Duration::DAY;
    // Not started yet, open-ended: from the day before the first occurrence, two years on.
    assert_eq!(
        view_range(&conference, NOW),
        Some((FIRST - day, FIRST - day + HORIZON))
    );
    // Under way, with an end: from yesterday to the end.
    let later = FIRST + WEEK * 10;
    conference.last_end = Some(millis(FIRST + WEEK * 20));
    assert_eq!(
        view_range(&conference, later),
        Some((later - day, FIRST + WEEK * 20))
    );
    // Over: nothing to read.
    assert_eq!(view_range(&conference, FIRST + WEEK * 21), None);
}
