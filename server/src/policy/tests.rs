use super::*;
use crate::domain::MeetingOptions;
use std::time::Duration;

const NOW: i64 = 1_790_000_000_000;
const MINUTE: i64 = 60_000;

fn candidate(integration: &str, windows: &[(i64, i64)]) -> PolicyCandidate {
    PolicyCandidate {
        integration: IntegrationId::parse(integration).unwrap(),
        global_object_id: format!("meeting-{integration}"),
        alias: "meet1@vc.example.com".into(),
        numeric_alias: "81123456".into(),
        subject: "Sync".into(),
        organizer_email: "alice@example.com".into(),
        organizer_name: None,
        options: MeetingOptions::default(),
        windows: windows.to_vec(),
    }
}

fn rules(integration: &IntegrationId) -> Option<RoomRules> {
    let outside_window = match integration.as_str() {
        "lenient" => PolicyAction::Continue,
        "strict" => PolicyAction::Reject,
        _ => return None,
    };
    Some(RoomRules {
        buffers: Buffers {
            before: Duration::from_secs(600),
            after: Duration::from_secs(300),
        },
        outside_window,
    })
}

#[test]
fn an_open_window_gives_the_room() {
    let rooms = [candidate(
        "strict",
        &[(NOW + 10 * MINUTE, NOW + 70 * MINUTE)],
    )];
    let decision = decide(&rooms, rules, PolicyAction::Continue, NOW);
    assert!(
        matches!(decision, Decision::Open { candidate, .. } if candidate == &rooms[0]),
        "{decision:?}"
    );
    let decision = decide(&rooms, rules, PolicyAction::Continue, NOW - 1000);
    assert_eq!(decision, Decision::Closed(PolicyAction::Reject));
}

#[test]
fn outside_every_window_the_integration_decides() {
    let past = [(NOW - 60 * MINUTE, NOW - 6 * MINUTE)];
    let lenient = [candidate("lenient", &past)];
    assert_eq!(
        decide(&lenient, rules, PolicyAction::Reject, NOW),
        Decision::Closed(PolicyAction::Continue)
    );
    let strict = [candidate("strict", &[])];
    assert_eq!(
        decide(&strict, rules, PolicyAction::Continue, NOW),
        Decision::Closed(PolicyAction::Reject)
    );
}

#[test]
fn unknown_aliases_and_unconfigured_integrations_get_the_global_action() {
    assert_eq!(
        decide(&[], rules, PolicyAction::Reject, NOW),
        Decision::Closed(PolicyAction::Reject)
    );
    let orphan = [candidate("removed", &[(NOW - MINUTE, NOW + MINUTE)])];
    assert_eq!(
        decide(&orphan, rules, PolicyAction::Continue, NOW),
        Decision::Closed(PolicyAction::Continue)
    );
}

#[test]
fn a_numeric_alias_held_twice_opens_the_room_whose_window_is_open() {
    let rooms = [
        candidate("strict", &[(NOW - 90 * MINUTE, NOW - 30 * MINUTE)]),
        candidate("lenient", &[(NOW - MINUTE, NOW + MINUTE)]),
    ];
    let decision = decide(&rooms, rules, PolicyAction::Reject, NOW);
    assert!(
        matches!(decision, Decision::Open { candidate, .. } if candidate == &rooms[1]),
        "{decision:?}"
    );
}
