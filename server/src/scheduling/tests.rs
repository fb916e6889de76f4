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

#[test]
fn every_rule_gives_its_reply() {
    use AcceptTemplate::*;
    use DeclineTemplate::*;
    let accept = |template| Some(Reply::Accept(template));
    let decline = |template| Some(Reply::Decline(template));
    let second = Duration::seconds(1);
    let cases: Vec<(&str, MeetingMessage, StoredState, Policy, Option<Reply>)> = vec![
        (
            "new single meeting",
            request(tomorrow()),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewSingleMeeting),
        ),
        (
            "new series",
            request(next_week()),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewRecurringSeries),
        ),
        (
            "open-ended series that began long ago",
            request(weekly(-Duration::days(400), None)),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewRecurringSeries),
        ),
        (
            "single ending now",
            request(ending_at(Duration::ZERO)),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewSingleMeeting),
        ),
        (
            "single ending a second from now",
            request(ending_at(second)),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewSingleMeeting),
        ),
        (
            "single ended a second ago",
            request(ending_at(-second)),
            reserved(),
            DECLINE_UNMARKED,
            decline(SingleMeetingPast),
        ),
        (
            "single that started but has not ended",
            request(Schedule::Single(window(
                -Duration::hours(1),
                Duration::minutes(5),
            ))),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewSingleMeeting),
        ),
        (
            "series whose last occurrence ends now",
            request(weekly(-Duration::days(7), Some(Duration::ZERO))),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewRecurringSeries),
        ),
        (
            "series whose last occurrence ended a second ago",
            request(weekly(-Duration::days(7), Some(-second))),
            reserved(),
            DECLINE_UNMARKED,
            decline(RecurringSeriesPast),
        ),
        (
            "edited single meeting",
            updating(request(tomorrow()), UpdateScope::WholeMeeting),
            booked(tomorrow()),
            DECLINE_UNMARKED,
            accept(EditedSingleMeeting),
        ),
        (
            "edited series",
            updating(request(next_week()), UpdateScope::WholeSeries),
            booked(next_week()),
            DECLINE_UNMARKED,
            accept(EditedRecurringSeries),
        ),
        (
            "edited occurrence",
            occurrence_moved(tomorrow()),
            booked(next_week()),
            DECLINE_UNMARKED,
            accept(EditedOccurrence),
        ),
        (
            "occurrence moved into the past",
            occurrence_moved(ending_at(-second)),
            booked(next_week()),
            DECLINE_UNMARKED,
            decline(SingleMeetingPast),
        ),
        (
            "edited meeting moved into the past",
            updating(request(ending_at(-second)), UpdateScope::WholeMeeting),
            booked(tomorrow()),
            DECLINE_UNMARKED,
            decline(SingleMeetingPast),
        ),
        (
            "resent without update flag is still an edit",
            request(tomorrow()),
            booked(tomorrow()),
            DECLINE_UNMARKED,
            accept(EditedSingleMeeting),
        ),
        (
            "update of a meeting never booked is booked as new",
            updating(request(tomorrow()), UpdateScope::WholeMeeting),
            reserved(),
            DECLINE_UNMARKED,
            accept(NewSingleMeeting),
        ),
        (
            "marker without reservation",
            request(tomorrow()),
            StoredState::default(),
            DECLINE_UNMARKED,
            decline(InvalidAliasId),
        ),
        (
            "marker without reservation, provisioning on",
            request(tomorrow()),
            StoredState::default(),
            PROVISION_AS_ORGANIZER,
            decline(InvalidAliasId),
        ),
        (
            "alias used by another meeting",
            request(tomorrow()),
            in_state(ReservationState::Used, Some(OTHER_MEETING)),
            DECLINE_UNMARKED,
            decline(AliasConflict { alias: alias() }),
        ),
        (
            "alias deleted",
            request(tomorrow()),
            in_state(ReservationState::Deleted, None),
            DECLINE_UNMARKED,
            decline(AliasDeleted),
        ),
        (
            "alias expired",
            request(tomorrow()),
            in_state(ReservationState::Expired, None),
            DECLINE_UNMARKED,
            decline(AliasDeleted),
        ),
        (
            "alias replaced",
            request(tomorrow()),
            in_state(ReservationState::Replaced, None),
            DECLINE_UNMARKED,
            decline(AliasDeleted),
        ),
        (
            "deleted alias in the past: deletion wins",
            request(ending_at(-second)),
            in_state(ReservationState::Deleted, None),
            DECLINE_UNMARKED,
            decline(AliasDeleted),
        ),
        (
            "unmarked, declining policy",
            unmarked(request(tomorrow())),
            StoredState::default(),
            DECLINE_UNMARKED,
            decline(InvalidAliasId),
        ),
        (
            "unmarked, provisioning policy",
            unmarked(request(tomorrow())),
            StoredState::default(),
            PROVISION_BY_REPLY,
            accept(NewSingleMeeting),
        ),
        (
            "unmarked series, provisioning policy",
            unmarked(request(next_week())),
            StoredState::default(),
            PROVISION_AS_ORGANIZER,
            accept(NewRecurringSeries),
        ),
        (
            "unmarked in the past, provisioning policy",
            unmarked(request(ending_at(-second))),
            StoredState::default(),
            PROVISION_AS_ORGANIZER,
            decline(SingleMeetingPast),
        ),
        (
            "provisioned meeting edited",
            unmarked(updating(request(tomorrow()), UpdateScope::WholeMeeting)),
            provisioned(tomorrow()),
            PROVISION_AS_ORGANIZER,
            accept(EditedSingleMeeting),
        ),
        (
            "marker removed from a booked meeting",
            unmarked(updating(request(tomorrow()), UpdateScope::WholeMeeting)),
            booked(tomorrow()),
            PROVISION_AS_ORGANIZER,
            decline(InvalidAliasId),
        ),
        (
            "occurrence of a series never booked",
            occurrence_moved(tomorrow()),
            reserved(),
            DECLINE_UNMARKED,
            general_error_reply(),
        ),
        (
            "occurrence update carrying a series",
            occurrence_moved(next_week()),
            booked(next_week()),
            DECLINE_UNMARKED,
            general_error_reply(),
        ),
        (
            "window ending when it starts",
            request(Schedule::Single(window(
                Duration::hours(1),
                Duration::hours(1),
            ))),
            reserved(),
            DECLINE_UNMARKED,
            general_error_reply(),
        ),
        (
            "series ending when it starts",
            request(weekly(Duration::hours(1), Some(Duration::hours(1)))),
            reserved(),
            DECLINE_UNMARKED,
            general_error_reply(),
        ),
        (
            "unsupported message kind",
            MeetingMessage {
                kind: MessageKind::Unsupported("MeetingForwardNotification".into()),
                ..request(tomorrow())
            },
            reserved(),
            DECLINE_UNMARKED,
            general_error_reply(),
        ),
        (
            "cancellation",
            cancellation(None),
            booked(tomorrow()),
            DECLINE_UNMARKED,
            None,
        ),
        (
            "cancellation of an unknown meeting",
            cancellation(None),
            StoredState::default(),
            DECLINE_UNMARKED,
            None,
        ),
    ];
    for (name, message, stored, policy, expected) in cases {
        assert_eq!(plan(&message, &stored, &policy).reply, expected, "{name}");
    }
}

fn general_error_reply() -> Option<Reply> {
    Some(general_error())
}

#[test]
fn a_new_meeting_uses_the_reservation_and_records_organizer_and_delegate() {
    let message = request(tomorrow());
    let plan = plan(&message, &reserved(), &DECLINE_UNMARKED);
    assert_eq!(
        plan.changes,
        vec![
            Change::MarkReservationUsed {
                reservation_id: RESERVATION,
                global_object_id: MEETING.into(),
            },
            Change::StoreConference(record(&message, true)),
        ]
    );
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
}

#[test]
fn a_series_gets_one_conference_with_all_its_occurrences() {
    let message = request(next_week());
    let plan = plan(&message, &reserved(), &DECLINE_UNMARKED);
    let stored: Vec<_> = plan
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::StoreConference(record) => Some(record.schedule.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(stored, vec![next_week()]);
}

#[test]
fn an_edit_replaces_the_windows_without_using_the_reservation_again() {
    let message = updating(request(next_week()), UpdateScope::WholeSeries);
    let plan = plan(&message, &booked(tomorrow()), &DECLINE_UNMARKED);
    assert_eq!(
        plan.changes,
        vec![Change::StoreConference(record(&message, true))]
    );
}

#[test]
fn an_occurrence_edit_moves_only_that_occurrence() {
    let message = occurrence_moved(tomorrow());
    let plan = plan(&message, &booked(next_week()), &DECLINE_UNMARKED);
    assert_eq!(
        plan.changes,
        vec![Change::UpdateOccurrence {
            global_object_id: MEETING.into(),
            original_start: ORIGINAL_START,
            window: window(Duration::days(1), Duration::days(1) + Duration::hours(1)),
        }]
    );
}

#[test]
fn an_occurrence_moved_into_the_past_drops_only_that_occurrence() {
    let message = occurrence_moved(ending_at(-Duration::seconds(1)));
    let plan = plan(&message, &booked(next_week()), &DECLINE_UNMARKED);
    assert_eq!(
        plan.changes,
        vec![Change::CancelOccurrence {
            global_object_id: MEETING.into(),
            original_start: ORIGINAL_START,
        }]
    );
}

#[test]
fn a_new_reservation_on_a_booked_meeting_replaces_its_alias() {
    let message = updating(request(tomorrow()), UpdateScope::WholeMeeting);
    let stored = StoredState {
        conference: Some(conference(Some(PREVIOUS_RESERVATION), tomorrow())),
        ..reserved()
    };
    let plan = plan(&message, &stored, &DECLINE_UNMARKED);
    assert_eq!(
        plan.reply,
        Some(Reply::Accept(AcceptTemplate::EditedSingleMeeting))
    );
    assert_eq!(
        plan.changes,
        vec![
            Change::MarkReservationUsed {
                reservation_id: RESERVATION,
                global_object_id: MEETING.into(),
            },
            Change::ReleaseReservation {
                reservation_id: PREVIOUS_RESERVATION,
            },
            Change::StoreConference(record(&message, true)),
        ]
    );
    assert_eq!(
        plan.notes,
        vec![Note::AliasReplaced {
            previous_reservation: Some(PREVIOUS_RESERVATION),
        }]
    );
}

#[test]
fn declines_free_what_the_meeting_held_and_nothing_else() {
    let past = request(ending_at(-Duration::seconds(1)));
    let cases: Vec<(&str, MeetingMessage, StoredState, Vec<Change>)> = vec![
        (
            "new meeting in the past releases its unused reservation",
            past.clone(),
            reserved(),
            vec![Change::ReleaseReservation {
                reservation_id: RESERVATION,
            }],
        ),
        (
            "booked meeting moved into the past loses its room",
            updating(past, UpdateScope::WholeMeeting),
            booked(tomorrow()),
            vec![Change::RemoveConference {
                global_object_id: MEETING.into(),
            }],
        ),
        (
            "conflict leaves the other meeting's reservation alone",
            request(tomorrow()),
            in_state(ReservationState::Used, Some(OTHER_MEETING)),
            Vec::new(),
        ),
        (
            "deleted alias has nothing left to free",
            request(tomorrow()),
            in_state(ReservationState::Deleted, None),
            Vec::new(),
        ),
        (
            "invalid marker has nothing to free",
            request(tomorrow()),
            StoredState::default(),
            Vec::new(),
        ),
    ];
    for (name, message, stored, expected) in cases {
        let plan = plan(&message, &stored, &DECLINE_UNMARKED);
        assert!(matches!(plan.reply, Some(Reply::Decline(_))), "{name}");
        assert_eq!(plan.changes, expected, "{name}");
    }
}

#[test]
fn a_delegate_booking_is_accepted_and_keeps_both_addresses() {
    let message = request(tomorrow());
    let plan = plan(&message, &reserved(), &DECLINE_UNMARKED);
    let Some(Change::StoreConference(stored)) = plan.changes.last() else {
        panic!("no conference stored: {:?}", plan.changes);
    };
    assert_eq!(stored.organizer.email, email("alice@example.com"));
    assert_eq!(stored.reserved_by, Some(email("bob@example.com")));
}

#[test]
fn unmarked_meetings_are_provisioned_with_the_allowed_delivery() {
    for (policy, delivery) in [
        (PROVISION_AS_ORGANIZER, InstructionsDelivery::AsOrganizer),
        (PROVISION_BY_REPLY, InstructionsDelivery::ReplyToOrganizer),
    ] {
        let message = unmarked(request(tomorrow()));
        let plan = plan(&message, &StoredState::default(), &policy);
        assert_eq!(
            plan.changes,
            vec![
                Change::ProvisionVmr(record(&message, false)),
                Change::SendInstructions(delivery),
            ]
        );
    }
}

#[test]
fn a_provisioned_meeting_edit_updates_without_provisioning_again() {
    let message = unmarked(updating(request(next_week()), UpdateScope::WholeSeries));
    let plan = plan(&message, &provisioned(tomorrow()), &PROVISION_BY_REPLY);
    assert_eq!(
        plan.changes,
        vec![Change::StoreConference(record(&message, false))]
    );
}

/// Name, message, stored state, expected changes, expected notes.
type CancellationCase = (
    &'static str,
    MeetingMessage,
    StoredState,
    Vec<Change>,
    Vec<Note>,
);

#[test]
fn cancellations_free_the_room_without_a_reply() {
    let occurrence = Some(UpdateScope::Occurrence {
        original_start: ORIGINAL_START,
    });
    let cases: Vec<CancellationCase> = vec![
        (
            "whole meeting",
            cancellation(None),
            booked(tomorrow()),
            vec![Change::RemoveConference {
                global_object_id: MEETING.into(),
            }],
            Vec::new(),
        ),
        (
            "whole series",
            cancellation(Some(UpdateScope::WholeSeries)),
            booked(next_week()),
            vec![Change::RemoveConference {
                global_object_id: MEETING.into(),
            }],
            Vec::new(),
        ),
        (
            "one occurrence",
            cancellation(occurrence),
            booked(next_week()),
            vec![Change::CancelOccurrence {
                global_object_id: MEETING.into(),
                original_start: ORIGINAL_START,
            }],
            Vec::new(),
        ),
        (
            "meeting never booked",
            cancellation(None),
            reserved(),
            Vec::new(),
            vec![Note::NothingToCancel],
        ),
    ];
    for (name, message, stored, changes, notes) in cases {
        let plan = plan(&message, &stored, &DECLINE_UNMARKED);
        assert_eq!(plan.reply, None, "{name}");
        assert_eq!(plan.changes, changes, "{name}");
        assert_eq!(plan.notes, notes, "{name}");
    }
}

#[test]
fn a_redelivered_item_version_does_nothing() {
    let message = request(tomorrow());
    let mut stored = reserved();
    stored.last_processed = Some(message.item.clone());
    assert_eq!(
        decide(&message, &stored, NOW, &DECLINE_UNMARKED),
        Decision::AlreadyProcessed
    );
    // Even a cancellation or an unsupported kind is not answered twice.
    for kind in [
        MessageKind::Cancellation,
        MessageKind::Unsupported("x".into()),
    ] {
        let replay = MeetingMessage {
            kind,
            ..message.clone()
        };
        assert_eq!(
            decide(&replay, &stored, NOW, &DECLINE_UNMARKED),
            Decision::AlreadyProcessed
        );
    }
}

#[test]
fn a_new_change_key_of_the_same_item_is_processed() {
    let message = updating(request(tomorrow()), UpdateScope::WholeMeeting);
    let stored = booked(tomorrow());
    assert_ne!(stored.last_processed.as_ref(), Some(&message.item));
    assert_eq!(
        plan(&message, &stored, &DECLINE_UNMARKED).reply,
        Some(Reply::Accept(AcceptTemplate::EditedSingleMeeting))
    );
}

#[test]
fn several_markers_use_the_first_and_say_so() {
    let mut message = request(tomorrow());
    message.body_text = format!("{MARKER} then {SECOND_MARKER} and {SECOND_MARKER}");
    let plan = plan(&message, &reserved(), &DECLINE_UNMARKED);
    assert_eq!(
        plan.reply,
        Some(Reply::Accept(AcceptTemplate::NewSingleMeeting))
    );
    assert_eq!(plan.notes, vec![Note::SeveralMarkers { ignored: 2 }]);
}

#[test]
fn general_errors_quote_the_correlation_id_and_say_why() {
    let message = MeetingMessage {
        kind: MessageKind::Unsupported("MeetingForwardNotification".into()),
        ..request(tomorrow())
    };
    let plan = plan(&message, &reserved(), &DECLINE_UNMARKED);
    assert_eq!(plan.reply, Some(general_error()));
    assert_eq!(
        plan.notes,
        vec![Note::UnsupportedKind("MeetingForwardNotification".into())]
    );
    assert_eq!(
        plan.changes,
        vec![Change::ReleaseReservation {
            reservation_id: RESERVATION,
        }]
    );
}

#[test]
fn replies_name_their_templates() {
    use crate::templates::TemplateName;
    assert_eq!(
        AcceptTemplate::EditedOccurrence.template(),
        TemplateName::AcceptEditedOccurrence
    );
    assert_eq!(
        DeclineTemplate::AliasConflict { alias: alias() }.template(),
        TemplateName::DeclineAliasConflict
    );
    let accepts = [
        AcceptTemplate::NewSingleMeeting,
        AcceptTemplate::NewRecurringSeries,
        AcceptTemplate::EditedSingleMeeting,
        AcceptTemplate::EditedRecurringSeries,
        AcceptTemplate::EditedOccurrence,
    ]
    .map(AcceptTemplate::template);
    let declines = [
        DeclineTemplate::InvalidAliasId,
        DeclineTemplate::AliasConflict { alias: alias() },
        DeclineTemplate::AliasDeleted,
        DeclineTemplate::SingleMeetingPast,
        DeclineTemplate::RecurringSeriesPast,
        DeclineTemplate::GeneralError {
            correlation_id: String::new(),
        },
    ]
    .map(|decline| decline.template());
    for name in accepts {
        assert!(name.key().starts_with("accept_"), "{name}");
    }
    for name in declines {
        assert!(name.key().starts_with("decline_"), "{name}");
    }
    let mut all: Vec<_> = accepts.iter().chain(&declines).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 11, "each reply has its own template");
}
