//! Cancellations, redelivery, several markers, general errors and template names.

use super::*;

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
