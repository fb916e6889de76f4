//! A recurring series end to end: booked with the add-in, expanded by Exchange in the
//! organizer's time zone across the change to summer time, then one occurrence moved, one
//! cancelled, and at last the whole series cancelled. At each step the stored windows are what
//! the resource's calendar shows.

use crate::scheduling_support::*;
use std::time::Duration;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};
use vmr_scheduler::config::Secret;
use vmr_scheduler::domain::EmailAddress;
use vmr_scheduler::exchange::ews::{EwsAuth, EwsClient, EwsSettings, RetryPolicy, ServerVersion};
use vmr_scheduler::exchange::ews_connector::EwsConnector;
use vmr_scheduler::scheduling::worker::MailboxConnector;
use vmr_scheduler::store::{ConferenceWindow, ReservationState};
use vmr_scheduler_tests::ews_emulator::{Folder, Range, Recurrence, UpdateScope};
use vmr_scheduler_tests::on_both_backends;

const ACCEPTED: &str = "IPM.Schedule.Meeting.Resp.Pos";
/// Berlin: UTC+1 in winter, UTC+2 from the last Sunday of March.
const BERLIN: &str = "W. Europe Standard Time";
const WINTER: i8 = 1;
const SUMMER: i8 = 2;
const OCCURRENCES: u32 = 5;

/// The next last Sunday of March at least three weeks away, when Berlin's clocks go forward.
fn next_change_to_summer_time() -> Date {
    let today = OffsetDateTime::now_utc().date();
    (today.year()..=today.year() + 1)
        .map(|year| {
            let april = Date::from_calendar_date(year, Month::April, 1).unwrap();
            april.prev_occurrence(Weekday::Sunday)
        })
        .find(|sunday| *sunday - time::Duration::weeks(3) > today)
        .expect("one within a year")
}

/// `date` at `hour`:00 Berlin time, with Berlin's offset on that date.
fn berlin(date: Date, hour: u8, offset_hours: i8) -> OffsetDateTime {
    PrimitiveDateTime::new(date, Time::from_hms(hour, 0, 0).unwrap())
        .assume_offset(UtcOffset::from_hms(offset_hours, 0, 0).unwrap())
}

/// One-hour windows, not moved.
fn windows_at(starts: &[OffsetDateTime]) -> Vec<ConferenceWindow> {
    starts
        .iter()
        .map(|start| ConferenceWindow {
            original_start: millis(*start),
            start: millis(*start),
            end: millis(*start + time::Duration::hours(1)),
        })
        .collect()
}

/// The resource's calendar as the service reads it, through its own EWS connector.
fn resource_calendar(scheduling: &Scheduling) -> EwsConnector {
    let client = EwsClient::new(EwsSettings {
        url: scheduling.exchange.url().parse().unwrap(),
        server_version: ServerVersion::Exchange2016,
        auth: EwsAuth::Basic {
            username: SERVICE_ACCOUNT.into(),
            password: Secret::new(PASSWORD.into()),
        },
        timeout: Duration::from_secs(10),
        retry: RetryPolicy::default(),
    })
    .unwrap();
    EwsConnector::new(client, EmailAddress::parse(RESOURCE).unwrap())
}

impl Scheduling {
    /// The stored windows of meeting `uid` once `check` accepts them.
    async fn windows_when(
        &self,
        uid: &str,
        what: &str,
        check: impl Fn(&[ConferenceWindow]) -> bool,
    ) -> Vec<ConferenceWindow> {
        eventually_async(what, || async {
            let conference = self.conference(uid).await?;
            check(&conference.windows).then_some(conference.windows)
        })
        .await
    }

    /// The stored windows are exactly the series' occurrences in the resource's calendar.
    async fn assert_windows_match_the_calendar(&self, uid: &str, stored: &[ConferenceWindow]) {
        let now = OffsetDateTime::now_utc();
        let occurrences = resource_calendar(self)
            .series_occurrences(uid, now, now + time::Duration::days(730))
            .await
            .unwrap();
        let shown: Vec<ConferenceWindow> = occurrences
            .iter()
            .map(|o| ConferenceWindow {
                original_start: millis(o.original_start),
                start: millis(o.window.start),
                end: millis(o.window.end),
            })
            .collect();
        assert_eq!(stored, shown);
    }
}

async fn a_series_across_a_daylight_saving_change(db: String) {
    let scheduling = Scheduling::start(&db).await;
    let uid = new_uid();
    let change = next_change_to_summer_time();
    // Mondays at 10:00 Berlin time: two before the change, three after it.
    let mondays: Vec<Date> = (0..OCCURRENCES)
        .map(|n| change - time::Duration::days(13) + time::Duration::weeks(n.into()))
        .collect();
    let starts: Vec<OffsetDateTime> = mondays
        .iter()
        .map(|monday| berlin(*monday, 10, if *monday < change { WINTER } else { SUMMER }))
        .collect();

    let reservation = scheduling.reserve(&uid).await;
    let alias = reservation["alias"].as_str().unwrap().to_string();
    let body = format!(
        "<p>Agenda</p>{}",
        reservation["instructions_html"].as_str().unwrap()
    );
    let mut series = invite(&uid, "Weekly planning", &body, starts[0]);
    series.time_zone = BERLIN.into();
    series.recurrence = Some(Recurrence::weekly(
        1,
        &[Weekday::Monday],
        Range::Numbered {
            start: mondays[0],
            count: OCCURRENCES,
        },
    ));
    scheduling.exchange.send_meeting(&series);

    // Accepted as a new series; every occurrence at 10:00 in Berlin, so an hour earlier in
    // UTC once summer time began.
    let reply = scheduling.wait_for_responses(1).await.remove(0);
    assert_eq!(reply.item_class, ACCEPTED, "{}", reply.body);
    assert!(
        reply.body.contains("Every occurrence uses the same room") && reply.body.contains(&alias),
        "{}",
        reply.body
    );
    let windows = scheduling
        .windows_when(&uid, "the series' windows", |w| {
            w.len() == OCCURRENCES as usize
        })
        .await;
    assert_eq!(windows, windows_at(&starts));
    let utc_hours: Vec<u8> = windows
        .iter()
        .map(|w| {
            OffsetDateTime::from_unix_timestamp(w.start / 1000)
                .unwrap()
                .hour()
        })
        .collect();
    assert_eq!(utc_hours, [9, 9, 8, 8, 8]);
    let conference = scheduling.conference(&uid).await.unwrap();
    assert!(conference.is_series);
    assert_eq!(conference.alias.as_str(), alias);
    scheduling
        .assert_windows_match_the_calendar(&uid, &windows)
        .await;

    // The organizer moves the third occurrence to the afternoon: only its window moves.
    let moved_to = berlin(mondays[2], 14, SUMMER);
    let mut exception = invite(&uid, "Weekly planning", &body, moved_to);
    exception.time_zone = BERLIN.into();
    scheduling.exchange.send_update(
        &exception,
        UpdateScope::Occurrence {
            original_start: starts[2],
        },
    );
    let reply = scheduling.wait_for_responses(2).await.remove(1);
    assert_eq!(reply.item_class, ACCEPTED, "{}", reply.body);
    assert!(
        reply.body.contains("Your change to one occurrence") && reply.body.contains(&alias),
        "{}",
        reply.body
    );
    let mut expected = windows_at(&starts);
    expected[2].start = millis(moved_to);
    expected[2].end = millis(moved_to + time::Duration::hours(1));
    let windows = scheduling
        .windows_when(&uid, "the moved occurrence", |w| w == expected.as_slice())
        .await;
    scheduling
        .assert_windows_match_the_calendar(&uid, &windows)
        .await;

    // The fourth occurrence is cancelled: its window goes, the series keeps its room.
    scheduling
        .exchange
        .send_cancellation(&uid, ORGANIZER, RESOURCE, Some(starts[3]));
    expected.remove(3);
    let windows = scheduling
        .windows_when(&uid, "the cancelled occurrence gone", |w| {
            w == expected.as_slice()
        })
        .await;
    eventually("the cancellation handled in Exchange", || {
        scheduling
            .exchange
            .folder(RESOURCE, Folder::Inbox)
            .is_empty()
            .then_some(())
    })
    .await;
    scheduling
        .assert_windows_match_the_calendar(&uid, &windows)
        .await;
    let conference = scheduling.conference(&uid).await.unwrap();
    assert_eq!(conference.alias.as_str(), alias);
    assert_eq!(
        scheduling.reservation(&reservation).await.state,
        ReservationState::Used
    );

    // The whole series is cancelled: the conference goes and the alias is free again.
    scheduling
        .cancel_and_expect_room_freed(&uid, &reservation)
        .await;
    // Cancellations get no answer: the organizer holds the two accepts only.
    assert_eq!(scheduling.responses().len(), 2);
    scheduling.assert_clean_protocol();
}

on_both_backends! {
    recurring_series_across_dst => super::a_series_across_a_daylight_saving_change;
}
