use super::*;

fn fields(name: &str) -> RoomFields {
    RoomFields {
        name: name.into(),
        description: "Booked by alice@example.com".into(),
        pin: "1234".into(),
        guest_pin: String::new(),
        allow_guests: false,
    }
}

fn desired(meeting: &str, alias: &str) -> DesiredRoom {
    DesiredRoom {
        meeting: meeting.into(),
        name_suffix: format!(" [{alias}]"),
        fields: fields(&format!("Weekly [{alias}]")),
        aliases: vec![
            format!("{alias}@vc.example.com"),
            format!("81{}", &alias[4..]),
        ],
    }
}

/// The room Infinity would hold for `wanted`, created by an earlier reconciliation.
fn remote_of(wanted: &DesiredRoom, id: u32) -> RemoteRoom {
    RemoteRoom {
        resource_uri: format!("/conference/{id}/"),
        fields: wanted.fields.clone(),
        aliases: wanted
            .aliases
            .iter()
            .enumerate()
            .map(|(n, alias)| RemoteAlias {
                resource_uri: format!("/conference_alias/{id}{n}/"),
                alias: alias.clone(),
            })
            .collect(),
    }
}

#[test]
fn nothing_to_do_when_both_sides_agree() {
    let wanted = [desired("m1", "meet1"), desired("m2", "meet2")];
    let actual = [remote_of(&wanted[1], 2), remote_of(&wanted[0], 1)];
    assert_eq!(plan(&wanted, &actual), vec![]);
}

#[test]
fn a_missing_room_is_created_with_its_aliases() {
    let wanted = [desired("m1", "meet1")];
    assert_eq!(
        plan(&wanted, &[]),
        vec![Action::CreateRoom {
            meeting: "m1".into(),
            fields: wanted[0].fields.clone(),
            aliases: wanted[0].aliases.clone(),
        }]
    );
}

#[test]
fn rooms_no_meeting_wants_are_deleted() {
    let gone = desired("old", "meet9");
    let actual = [remote_of(&gone, 9)];
    assert_eq!(
        plan(&[], &actual),
        vec![Action::DeleteRoom {
            resource_uri: "/conference/9/".into(),
            name: gone.fields.name.clone(),
        }]
    );
}

#[test]
fn a_renamed_meeting_is_recognised_by_its_name_suffix_and_updated() {
    let mut wanted = desired("m1", "meet1");
    let actual = [remote_of(&wanted, 1)];
    wanted.fields.name = "Quarterly review [meet1]".into();
    wanted.fields.guest_pin = "5678".into();
    wanted.fields.allow_guests = true;
    assert_eq!(
        plan(std::slice::from_ref(&wanted), &actual),
        vec![Action::UpdateRoom {
            meeting: "m1".into(),
            resource_uri: "/conference/1/".into(),
            fields: wanted.fields.clone(),
        }]
    );
}

#[test]
fn a_room_renamed_by_hand_is_recognised_by_its_alias() {
    let wanted = desired("m1", "meet1");
    let mut remote = remote_of(&wanted, 1);
    remote.fields.name = "Someone's room".into();
    let actions = plan(std::slice::from_ref(&wanted), &[remote]);
    assert_eq!(
        actions,
        vec![Action::UpdateRoom {
            meeting: "m1".into(),
            resource_uri: "/conference/1/".into(),
            fields: wanted.fields.clone(),
        }]
    );
}

#[test]
fn missing_aliases_are_added_and_foreign_ones_removed_before() {
    let wanted = desired("m1", "meet1");
    let mut remote = remote_of(&wanted, 1);
    let numeric = remote.aliases.pop().unwrap();
    remote.aliases.push(RemoteAlias {
        resource_uri: "/conference_alias/77/".into(),
        alias: "stray@vc.example.com".into(),
    });
    assert_eq!(
        plan(std::slice::from_ref(&wanted), &[remote]),
        vec![
            Action::RemoveAlias {
                meeting: "m1".into(),
                alias: RemoteAlias {
                    resource_uri: "/conference_alias/77/".into(),
                    alias: "stray@vc.example.com".into(),
                },
            },
            Action::AddAlias {
                meeting: "m1".into(),
                room_uri: "/conference/1/".into(),
                alias: numeric.alias,
            },
        ]
    );
}

#[test]
fn a_second_room_for_the_same_meeting_is_deleted() {
    let wanted = desired("m1", "meet1");
    let first = remote_of(&wanted, 1);
    let mut twin = remote_of(&wanted, 2);
    twin.aliases.clear();
    twin.fields.name = "Weekly (copy) [meet1]".into();
    assert_eq!(
        plan(std::slice::from_ref(&wanted), &[first, twin]),
        vec![Action::DeleteRoom {
            resource_uri: "/conference/2/".into(),
            name: "Weekly (copy) [meet1]".into(),
        }]
    );
}

#[test]
fn steps_come_in_phases_so_names_and_aliases_are_free_when_needed() {
    let old = desired("old", "meet9");
    let mut kept = desired("m1", "meet1");
    let kept_remote = remote_of(&kept, 1);
    kept.fields.pin = "4321".into();
    let new = desired("m2", "meet2");
    let actions = plan(
        &[new.clone(), kept.clone()],
        &[kept_remote, remote_of(&old, 9)],
    );
    let phases: Vec<&str> = actions
        .iter()
        .map(|action| match action {
            Action::DeleteRoom { .. } => "delete",
            Action::UpdateRoom { .. } => "update",
            Action::RemoveAlias { .. } => "remove_alias",
            Action::AddAlias { .. } => "add_alias",
            Action::CreateRoom { .. } => "create",
        })
        .collect();
    assert_eq!(phases, ["delete", "update", "create"]);
}
