//! Recurring meetings: the series' fields, CalendarView expansion in the series' time zone
//! (across a daylight-saving change), moved and cancelled occurrences.

use time::{Date, Month, Weekday};
use vmr_scheduler_tests::ews_emulator::{Folder, Range, Recurrence, UpdateScope};

use crate::client::{
    create_item_body, emulator, find_calendar_body, response_object, Answer, Client, ORGANIZER,
    RESOURCE, T,
};
use crate::{at, invite};

/// (Start, CalendarItemType) of each calendar entry in a FindItem answer.
fn entries(answer: &Answer) -> Vec<(String, String)> {
    answer
        .all_texts(T, "Start")
        .into_iter()
        .zip(answer.all_texts(T, "CalendarItemType"))
        .collect()
}

async fn accept(client: &Client, ews: &vmr_scheduler_tests::ews_emulator::EwsEmulator, id: &str) {
    let key = ews.item(RESOURCE, id).expect("request").1.change_key;
    let accept = response_object("AcceptItem", id, Some(&key), "<p>ok</p>");
    let answer = client.call(&create_item_body(&[accept])).await;
    assert_eq!(answer.code_list(), ["NoError"], "{}", answer.text);
}

#[tokio::test]
async fn calendar_view_expands_a_series_with_its_exceptions() {
    let ews = emulator();
    let client = Client::new(&ews);
    let start_date = Date::from_calendar_date(2026, Month::March, 23).expect("date");
    let mut series = invite("uid-series", at(2026, 3, 23, 10, 1));
    series.recurrence = Some(Recurrence::weekly(
        1,
        &[Weekday::Monday, Weekday::Wednesday],
        Range::Numbered {
            start: start_date,
            count: 6,
        },
    ));
    let id = ews.send_meeting(&series);

    let get = client.get_items(&[&id]).await;
    assert_eq!(
        get.first_text(T, "CalendarItemType").as_deref(),
        Some("RecurringMaster")
    );
    assert_eq!(
        get.first_text(T, "NumberOfOccurrences").as_deref(),
        Some("6")
    );
    assert_eq!(
        get.first_text(T, "DaysOfWeek").as_deref(),
        Some("Monday Wednesday")
    );
    accept(&client, &ews, &id).await;
    let calendar = ews.folder(RESOURCE, Folder::Calendar);
    assert_eq!(calendar.len(), 1);
    assert!(calendar[0]
        .meeting
        .as_ref()
        .expect("meeting")
        .recurrence
        .is_some());

    let view = find_calendar_body("2026-03-20T00:00:00Z", "2026-04-30T00:00:00Z", 100);
    let answer = client.call(&view).await;
    assert_eq!(answer.code_list(), ["NoError"]);
    // 10:00 Berlin time: 09:00Z before the change to summer time on 29 March, 08:00Z after.
    let starts: Vec<String> = entries(&answer).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        starts,
        [
            "2026-03-23T09:00:00Z",
            "2026-03-25T09:00:00Z",
            "2026-03-30T08:00:00Z",
            "2026-04-01T08:00:00Z",
            "2026-04-06T08:00:00Z",
            "2026-04-08T08:00:00Z"
        ]
    );
    assert!(entries(&answer).iter().all(|(_, t)| t == "Occurrence"));

    // One occurrence moves to the afternoon.
    let original = at(2026, 3, 30, 8, 0);
    let mut moved = invite("uid-series", at(2026, 3, 30, 14, 2));
    moved.subject = series.subject.clone();
    let update = ews.send_update(
        &moved,
        UpdateScope::Occurrence {
            original_start: original,
        },
    );
    let get = client.get_items(&[&update]).await;
    assert_eq!(
        get.first_text(T, "CalendarItemType").as_deref(),
        Some("Exception")
    );
    assert_eq!(
        get.first_text(T, "RecurrenceId").as_deref(),
        Some("2026-03-30T08:00:00Z")
    );
    assert_eq!(
        get.first_text(T, "Start").as_deref(),
        Some("2026-03-30T12:00:00Z")
    );
    accept(&client, &ews, &update).await;

    // Another occurrence is cancelled and removed.
    let cancelled = at(2026, 4, 1, 8, 0);
    let cancellation = ews.send_cancellation("uid-series", ORGANIZER, RESOURCE, Some(cancelled));
    let key = ews
        .item(RESOURCE, &cancellation)
        .expect("cancellation")
        .1
        .change_key;
    let remove = response_object("RemoveItem", &cancellation, Some(&key), "");
    assert_eq!(
        client.call(&create_item_body(&[remove])).await.code_list(),
        ["NoError"]
    );

    let answer = client.call(&view).await;
    assert_eq!(
        entries(&answer),
        [
            ("2026-03-23T09:00:00Z".into(), "Occurrence".into()),
            ("2026-03-25T09:00:00Z".into(), "Occurrence".into()),
            ("2026-03-30T12:00:00Z".into(), "Exception".into()),
            ("2026-04-06T08:00:00Z".into(), "Occurrence".into()),
            ("2026-04-08T08:00:00Z".into(), "Occurrence".into()),
        ]
    );
    assert_eq!(
        ews.folder(RESOURCE, Folder::Calendar).len(),
        1,
        "still one series"
    );

    // Occurrence ids from the view resolve with GetItem.
    let doc = answer.doc();
    let occurrence_id = doc
        .descendants()
        .filter(|n| n.has_tag_name((T, "ItemId")))
        .nth(2)
        .and_then(|n| n.attribute("Id"))
        .expect("an occurrence id")
        .to_owned();
    let get = client.get_items(&[&occurrence_id]).await;
    assert_eq!(get.code_list(), ["NoError"]);
    assert_eq!(
        get.first_text(T, "RecurrenceId").as_deref(),
        Some("2026-03-30T08:00:00Z")
    );
    assert_eq!(
        get.first_text(T, "CalendarItemType").as_deref(),
        Some("Exception")
    );

    // Paging: the first two entries and the total.
    let answer = client
        .call(&find_calendar_body(
            "2026-03-20T00:00:00Z",
            "2026-04-30T00:00:00Z",
            2,
        ))
        .await;
    assert_eq!(entries(&answer).len(), 2);
    let doc = answer.doc();
    let root = doc
        .descendants()
        .find(|n| n.has_tag_name((crate::client::M, "RootFolder")))
        .expect("m:RootFolder");
    assert_eq!(root.attribute("TotalItemsInView"), Some("5"));
    assert_eq!(root.attribute("IncludesLastItemInRange"), Some("false"));

    // A narrow window shows only what overlaps it; single meetings appear too.
    let single = ews.send_meeting(&invite("uid-single", at(2026, 4, 6, 13, 2)));
    accept(&client, &ews, &single).await;
    let answer = client
        .call(&find_calendar_body(
            "2026-04-06T00:00:00Z",
            "2026-04-07T00:00:00Z",
            100,
        ))
        .await;
    assert_eq!(
        entries(&answer),
        [
            ("2026-04-06T08:00:00Z".into(), "Occurrence".into()),
            ("2026-04-06T11:00:00Z".into(), "Single".into()),
        ]
    );
    assert!(ews.schema_errors().is_empty(), "{:?}", ews.schema_errors());
}

#[tokio::test]
async fn a_calendar_view_longer_than_two_years_is_refused() {
    let ews = emulator();
    let client = Client::new(&ews);
    let two_years = find_calendar_body("2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z", 10);
    assert_eq!(client.call(&two_years).await.code_list(), ["NoError"]);
    let longer = find_calendar_body("2027-01-01T00:00:00Z", "2029-01-03T00:00:00Z", 10);
    assert_eq!(
        client.call(&longer).await.code_list(),
        ["ErrorCalendarViewRangeTooBig"]
    );
}
