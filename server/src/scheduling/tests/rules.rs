//! The reply every rule gives, case by case.

use super::*;

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
