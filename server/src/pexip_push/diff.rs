//! The functional core of the push: the rooms Infinity should have, the rooms it has (those
//! carrying our tag), and the steps that make the second the first. No I/O.

/// The fields of a room the service manages; Infinity's empty string stands for "no PIN".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomFields {
    pub name: String,
    pub description: String,
    pub pin: String,
    pub guest_pin: String,
    pub allow_guests: bool,
}

/// The room one stored conference should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredRoom {
    /// The meeting's id, for the operations log.
    pub meeting: String,
    /// The end of the name that no other room's name has: a room renamed by an edit of the
    /// meeting is still recognised, even when it lost its aliases.
    pub name_suffix: String,
    pub fields: RoomFields,
    /// The alias first, then the numeric alias.
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAlias {
    pub resource_uri: String,
    pub alias: String,
}

/// A room as Infinity lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRoom {
    pub resource_uri: String,
    pub fields: RoomFields,
    pub aliases: Vec<RemoteAlias>,
}

/// One step, in the order [`plan`] returns them: deletions first (they free names and
/// aliases), then changes of existing rooms (removing aliases before adding any), then new
/// rooms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    DeleteRoom {
        resource_uri: String,
        name: String,
    },
    UpdateRoom {
        meeting: String,
        resource_uri: String,
        fields: RoomFields,
    },
    RemoveAlias {
        meeting: String,
        alias: RemoteAlias,
    },
    AddAlias {
        meeting: String,
        room_uri: String,
        alias: String,
    },
    CreateRoom {
        meeting: String,
        fields: RoomFields,
        aliases: Vec<String>,
    },
}

impl Action {
    /// The phase the step belongs to; steps run phase by phase.
    fn phase(&self) -> u8 {
        match self {
            Self::DeleteRoom { .. } => 0,
            Self::RemoveAlias { .. } => 1,
            Self::UpdateRoom { .. } => 2,
            Self::AddAlias { .. } => 3,
            Self::CreateRoom { .. } => 4,
        }
    }
}

/// The steps that turn `actual` into `desired`. A remote room belongs to the desired room whose
/// name suffix ends its name or one of whose aliases it carries; rooms that belong to none, and
/// second rooms for the same meeting, are deleted.
pub fn plan(desired: &[DesiredRoom], actual: &[RemoteRoom]) -> Vec<Action> {
    let mut matched: Vec<Option<&RemoteRoom>> = vec![None; desired.len()];
    let mut actions = Vec::new();
    for remote in actual {
        match owner_of(desired, remote) {
            Some(index) if matched[index].is_none() => matched[index] = Some(remote),
            _ => actions.push(Action::DeleteRoom {
                resource_uri: remote.resource_uri.clone(),
                name: remote.fields.name.clone(),
            }),
        }
    }
    for (wanted, found) in desired.iter().zip(matched) {
        match found {
            Some(remote) => changes(wanted, remote, &mut actions),
            None => actions.push(Action::CreateRoom {
                meeting: wanted.meeting.clone(),
                fields: wanted.fields.clone(),
                aliases: wanted.aliases.clone(),
            }),
        }
    }
    // Stable: within a phase the order of `desired` and `actual` is kept.
    actions.sort_by_key(Action::phase);
    actions
}

fn owner_of(desired: &[DesiredRoom], remote: &RemoteRoom) -> Option<usize> {
    desired
        .iter()
        .position(|wanted| remote.fields.name.ends_with(&wanted.name_suffix))
        .or_else(|| {
            desired.iter().position(|wanted| {
                remote
                    .aliases
                    .iter()
                    .any(|alias| wanted.aliases.contains(&alias.alias))
            })
        })
}

fn changes(wanted: &DesiredRoom, remote: &RemoteRoom, actions: &mut Vec<Action>) {
    if wanted.fields != remote.fields {
        actions.push(Action::UpdateRoom {
            meeting: wanted.meeting.clone(),
            resource_uri: remote.resource_uri.clone(),
            fields: wanted.fields.clone(),
        });
    }
    for alias in &remote.aliases {
        if !wanted.aliases.contains(&alias.alias) {
            actions.push(Action::RemoveAlias {
                meeting: wanted.meeting.clone(),
                alias: alias.clone(),
            });
        }
    }
    for alias in &wanted.aliases {
        if !remote
            .aliases
            .iter()
            .any(|existing| &existing.alias == alias)
        {
            actions.push(Action::AddAlias {
                meeting: wanted.meeting.clone(),
                room_uri: remote.resource_uri.clone(),
                alias: alias.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests;
