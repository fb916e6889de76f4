//! A recurring series' windows read from the resource's calendar: which series wait for them,
//! and the replacement of all of them in one step.

use super::connect;
use vmr_scheduler::domain::{Alias, EmailAddress, IntegrationId, NumericAlias};
use vmr_scheduler::store::{Conference, ConferenceWindow, JournalKey, JournalState};
use vmr_scheduler_tests::on_both_backends;

const FIRST: i64 = 1_800_000_000_000;
const HOUR: i64 = 3_600_000;
const WEEK: i64 = 7 * 24 * HOUR;

fn main_id() -> IntegrationId {
    IntegrationId::parse("main").unwrap()
}

/// A meeting of integration `main` as a decision saves it: a series without windows yet.
fn meeting(gid: &str, suffix: &str, is_series: bool) -> Conference {
    Conference {
        integration: main_id(),
        global_object_id: gid.into(),
        reservation_id: None,
        alias: Alias::parse(&format!("meet{suffix}@vc.example.com")).unwrap(),
        numeric_alias: NumericAlias::parse(&format!("82{suffix}")).unwrap(),
        subject: "Weekly sync".into(),
        organizer_email: EmailAddress::parse("manager@example.com").unwrap(),
        organizer_name: None,
        reserved_by: None,
        is_series,
        first_start: FIRST,
        last_end: None,
        windows: if is_series {
            Vec::new()
        } else {
            vec![weekly(0)]
        },
    }
}

fn weekly(n: i64) -> ConferenceWindow {
    let original_start = FIRST + n * WEEK;
    ConferenceWindow {
        original_start,
        start: original_start,
        end: original_start + HOUR,
    }
}

async fn series_saved_whole_wait_for_their_windows(url: String) {
    let store = connect(&url).await;
    let main = main_id();
    store
        .save_conference(&meeting("gid-single", "400001", false), 1)
        .await
        .unwrap();
    store
        .save_conference(&meeting("gid-series", "400002", true), 2)
        .await
        .unwrap();
    let mut elsewhere = meeting("gid-elsewhere", "400003", true);
    elsewhere.integration = IntegrationId::parse("other").unwrap();
    store.save_conference(&elsewhere, 3).await.unwrap();
    let awaiting = || async { store.series_awaiting_windows(&main, 10).await.unwrap() };
    assert_eq!(awaiting().await, ["gid-series"]);

    // While an answer about the meeting is still to send, the calendar does not show it.
    store
        .journal_pickup(&main, "item-1", "ck-1", "corr-1", 4)
        .await
        .unwrap();
    let key = JournalKey {
        integration: &main,
        item_id: "item-1",
        change_key: "ck-1",
    };
    assert!(store
        .apply_meeting_changes(key, Some("gid-series"), &[], Some("{}"), 5)
        .await
        .unwrap());
    assert_eq!(awaiting().await, Vec::<String>::new());
    store
        .journal_advance(
            &main,
            "item-1",
            "ck-1",
            JournalState::Applied,
            JournalState::Done,
            None,
            None,
            6,
        )
        .await
        .unwrap();
    assert_eq!(awaiting().await, ["gid-series"]);

    // Five years of a weekly series, one occurrence moved: more windows than one statement
    // inserts.
    let mut windows: Vec<ConferenceWindow> = (0..260).map(weekly).collect();
    windows[3].start += 2 * HOUR;
    windows[3].end += 2 * HOUR;
    assert!(store
        .replace_conference_windows(&main, "gid-series", &windows)
        .await
        .unwrap());
    let stored = store
        .conference(&main, "gid-series")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.windows, windows);
    assert_eq!(awaiting().await, Vec::<String>::new());

    // Saved whole again (the series edited): it waits again; a new read replaces every window.
    store
        .save_conference(&meeting("gid-series", "400002", true), 7)
        .await
        .unwrap();
    assert_eq!(awaiting().await, ["gid-series"]);
    assert!(store
        .replace_conference_windows(&main, "gid-series", &windows[..2])
        .await
        .unwrap());
    let stored = store
        .conference(&main, "gid-series")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.windows, &windows[..2]);

    // No conference, nothing written.
    assert!(!store
        .replace_conference_windows(&main, "gid-unknown", &windows)
        .await
        .unwrap());
    assert_eq!(store.conference(&main, "gid-unknown").await.unwrap(), None);
    let single = store
        .conference(&main, "gid-single")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(single.windows, [weekly(0)]);
}

on_both_backends! {
    series_windows_awaited_and_replaced => super::series_saved_whole_wait_for_their_windows;
}
