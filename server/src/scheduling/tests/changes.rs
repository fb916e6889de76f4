//! What a decision stores: conferences, windows, reservations, provisioning.

use super::*;

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
