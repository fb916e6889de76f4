//! Tests of `decide`: shared fixtures here, the rules by topic in the submodules.

mod changes;
mod lifecycle;
mod rules;

use super::*;
use crate::domain::{Alias, EmailAddress, NumericAlias};
use crate::store::ReservationState;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-03-02 12:00:00 UTC);
const MARKER: &str = "[VMRID:ABCDEFGHIJKLMNOPQRST]";
const SECOND_MARKER: &str = "[VMRID:BBBBBBBBBBBBBBBBBBBB]";
const MEETING: &str = "040000008200E00074C5B7101A82E00800000000meeting-one";
const OTHER_MEETING: &str = "040000008200E00074C5B7101A82E00800000000meeting-two";
const RESERVATION: Uuid = Uuid::from_u128(1);
const PREVIOUS_RESERVATION: Uuid = Uuid::from_u128(2);
const ORIGINAL_START: OffsetDateTime = datetime!(2026-03-09 09:00:00 UTC);

const DECLINE_UNMARKED: Policy = Policy {
    unmarked: UnmarkedMeetings::Decline,
};
const PROVISION_AS_ORGANIZER: Policy = Policy {
    unmarked: UnmarkedMeetings::Provision {
        organizer_impersonation: true,
    },
};
const PROVISION_BY_REPLY: Policy = Policy {
    unmarked: UnmarkedMeetings::Provision {
        organizer_impersonation: false,
    },
};

fn email(value: &str) -> EmailAddress {
    EmailAddress::parse(value).unwrap()
}

fn alias() -> Alias {
    Alias::parse("vmr123456@video.example.com").unwrap()
}

/// A window relative to [`NOW`], so edge cases read as offsets.
fn window(start: Duration, end: Duration) -> MeetingWindow {
    MeetingWindow {
        start: NOW + start,
        end: NOW + end,
    }
}

fn tomorrow() -> Schedule {
    Schedule::Single(window(
        Duration::days(1),
        Duration::days(1) + Duration::hours(1),
    ))
}

fn ending_at(end: Duration) -> Schedule {
    Schedule::Single(window(end - Duration::hours(1), end))
}

fn weekly(first_start: Duration, last_end: Option<Duration>) -> Schedule {
    let occurrences = match last_end {
        Some(last_end) => vec![
            window(first_start, first_start + Duration::hours(1)),
            window(last_end - Duration::hours(1), last_end),
        ],
        None => Vec::new(),
    };
    Schedule::Series(Series {
        first_start: NOW + first_start,
        last_end: last_end.map(|end| NOW + end),
        occurrences,
    })
}

fn next_week() -> Schedule {
    weekly(
        Duration::days(1),
        Some(Duration::days(8) + Duration::hours(1)),
    )
}

fn request(schedule: Schedule) -> MeetingMessage {
    MeetingMessage {
        kind: MessageKind::Request,
        item: ItemIdentity {
            item_id: "AAMkAGI2item".into(),
            change_key: "DwAAABYAAAA1".into(),
        },
        global_object_id: MEETING.into(),
        organizer: Organizer {
            email: email("alice@example.com"),
            name: Some("Alice".into()),
        },
        subject: "Planning".into(),
        body_text: format!("Join the video meeting.\n{MARKER}\n"),
        schedule,
        update: None,
        correlation_id: "corr-42".into(),
    }
}

fn updating(mut message: MeetingMessage, scope: UpdateScope) -> MeetingMessage {
    message.update = Some(scope);
    message.item.change_key = "DwAAABYAAAA2".into();
    message
}

fn occurrence_moved(schedule: Schedule) -> MeetingMessage {
    updating(
        request(schedule),
        UpdateScope::Occurrence {
            original_start: ORIGINAL_START,
        },
    )
}

fn cancellation(scope: Option<UpdateScope>) -> MeetingMessage {
    MeetingMessage {
        kind: MessageKind::Cancellation,
        update: scope,
        ..request(tomorrow())
    }
}

fn unmarked(message: MeetingMessage) -> MeetingMessage {
    MeetingMessage {
        body_text: "Booked without the add-in".into(),
        ..message
    }
}

/// Reserved by a delegate (bob) for alice's meetings.
fn reservation(state: ReservationState, used_by: Option<&str>) -> StoredReservation {
    StoredReservation {
        id: RESERVATION,
        alias: alias(),
        numeric_alias: NumericAlias::parse("81234567").unwrap(),
        state,
        reserved_by: email("bob@example.com"),
        used_by_meeting: used_by.map(str::to_string),
    }
}

fn reserved() -> StoredState {
    StoredState {
        reservation: Some(reservation(ReservationState::Reserved, None)),
        ..StoredState::default()
    }
}

fn in_state(state: ReservationState, used_by: Option<&str>) -> StoredState {
    StoredState {
        reservation: Some(reservation(state, used_by)),
        ..StoredState::default()
    }
}

fn conference(reservation_id: Option<Uuid>, schedule: Schedule) -> StoredConference {
    StoredConference {
        reservation_id,
        alias: alias(),
        schedule,
    }
}

/// This meeting was booked with the reservation, which it now uses.
fn booked(schedule: Schedule) -> StoredState {
    StoredState {
        reservation: Some(reservation(ReservationState::Used, Some(MEETING))),
        conference: Some(conference(Some(RESERVATION), schedule)),
        last_processed: Some(ItemIdentity {
            item_id: "AAMkAGI2item".into(),
            change_key: "DwAAABYAAAA0".into(),
        }),
    }
}

fn provisioned(schedule: Schedule) -> StoredState {
    StoredState {
        conference: Some(conference(None, schedule)),
        ..StoredState::default()
    }
}

fn plan(message: &MeetingMessage, stored: &StoredState, policy: &Policy) -> Plan {
    match decide(message, stored, NOW, policy) {
        Decision::Act(plan) => plan,
        Decision::AlreadyProcessed => panic!("expected a plan for {message:?}"),
    }
}

fn record(message: &MeetingMessage, reservation: bool) -> ConferenceRecord {
    ConferenceRecord {
        global_object_id: MEETING.into(),
        reservation_id: reservation.then_some(RESERVATION),
        subject: message.subject.clone(),
        organizer: message.organizer.clone(),
        reserved_by: reservation.then(|| email("bob@example.com")),
        schedule: message.schedule.clone(),
    }
}

fn general_error() -> Reply {
    Reply::Decline(DeclineTemplate::GeneralError {
        correlation_id: "corr-42".into(),
    })
}

fn general_error_reply() -> Option<Reply> {
    Some(general_error())
}
