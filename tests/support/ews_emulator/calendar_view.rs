//! FindItem's CalendarView: single meetings plus the occurrences of each series, expanded in
//! the series' own time zone, with moved occurrences shown at their new time and removed ones
//! left out.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::recurrence::{expand, windows_zone_to_iana};
use super::state::{CalendarItemType, ItemKind, Store, StoredItem};

/// Most occurrences one series contributes to a view.
const OCCURRENCES_PER_SERIES: usize = 2_000;

/// The calendar entries overlapping `[from, to)`, ordered by start.
pub fn view(
    calendar: &[StoredItem],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<StoredItem>, String> {
    let mut found = Vec::new();
    let overlaps = |start: OffsetDateTime, end: OffsetDateTime| {
        start < to && (end > from || (start == end && start >= from))
    };
    for item in calendar.iter().filter(|i| i.kind == ItemKind::CalendarItem) {
        let Some(meeting) = &item.meeting else {
            continue;
        };
        let Some(recurrence) = &meeting.recurrence else {
            if overlaps(meeting.start, meeting.end) {
                found.push(item.clone());
            }
            continue;
        };
        let first_local = local_time(meeting.start, &meeting.time_zone)?;
        let duration = meeting.end - meeting.start;
        let occurrences = expand(
            recurrence,
            first_local,
            duration,
            &meeting.time_zone,
            from,
            to,
            OCCURRENCES_PER_SERIES,
        )?;
        for occurrence in occurrences {
            let original = occurrence.start;
            if meeting.deleted_occurrences.contains(&original)
                || meeting.modified_occurrences.contains_key(&original)
            {
                continue;
            }
            found.push(occurrence_item(
                item,
                original,
                occurrence.start,
                occurrence.end,
            ));
        }
        for (original, (start, end)) in &meeting.modified_occurrences {
            if overlaps(*start, *end) && !meeting.deleted_occurrences.contains(original) {
                found.push(occurrence_item(item, *original, *start, *end));
            }
        }
    }
    found.sort_by_key(|i| i.meeting.as_ref().map(|m| m.start));
    Ok(found)
}

/// One occurrence of the series `master` as its own calendar item (an `Exception` when it was
/// moved by an update).
pub fn occurrence_item(
    master: &StoredItem,
    original_start: OffsetDateTime,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> StoredItem {
    let mut item = master.clone();
    item.id = Store::occurrence_id(&master.id, original_start);
    if let Some(meeting) = item.meeting.as_mut() {
        meeting.calendar_item_type = if meeting.modified_occurrences.contains_key(&original_start) {
            CalendarItemType::Exception
        } else {
            CalendarItemType::Occurrence
        };
        meeting.start = start;
        meeting.end = end;
        meeting.recurrence = None;
        meeting.recurrence_id = Some(original_start);
        meeting.modified_occurrences.clear();
        meeting.deleted_occurrences.clear();
    }
    item
}

/// The occurrence of `master` whose original start is `original_start`, if the series has it.
pub fn find_occurrence(master: &StoredItem, original_start: OffsetDateTime) -> Option<StoredItem> {
    let meeting = master.meeting.as_ref()?;
    if meeting.deleted_occurrences.contains(&original_start) {
        return None;
    }
    if let Some((start, end)) = meeting.modified_occurrences.get(&original_start) {
        return Some(occurrence_item(master, original_start, *start, *end));
    }
    let recurrence = meeting.recurrence.as_ref()?;
    let first_local = local_time(meeting.start, &meeting.time_zone).ok()?;
    let duration = meeting.end - meeting.start;
    let window_end = original_start + duration.max(time::Duration::SECOND);
    let candidates = expand(
        recurrence,
        first_local,
        duration,
        &meeting.time_zone,
        original_start - time::Duration::SECOND,
        window_end,
        4,
    )
    .ok()?;
    candidates
        .into_iter()
        .find(|o| o.start == original_start)
        .map(|o| occurrence_item(master, original_start, o.start, o.end))
}

/// The wall-clock time of `at` in a Windows time zone.
fn local_time(at: OffsetDateTime, windows_zone: &str) -> Result<PrimitiveDateTime, String> {
    let iana = windows_zone_to_iana(windows_zone)
        .ok_or_else(|| format!("unknown Windows time zone id {windows_zone:?}"))?;
    let zone = jiff::tz::TimeZone::get(iana).map_err(|e| format!("time zone {iana}: {e}"))?;
    let instant =
        jiff::Timestamp::from_second(at.unix_timestamp()).map_err(|e| format!("{at}: {e}"))?;
    let civil = instant.to_zoned(zone).datetime();
    let month = Month::try_from(civil.month() as u8).map_err(|e| e.to_string())?;
    let date = Date::from_calendar_date(i32::from(civil.year()), month, civil.day() as u8)
        .map_err(|e| e.to_string())?;
    let time = Time::from_hms(
        civil.hour() as u8,
        civil.minute() as u8,
        civil.second() as u8,
    )
    .map_err(|e| e.to_string())?;
    Ok(PrimitiveDateTime::new(date, time))
}
