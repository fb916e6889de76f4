//! The room a stored conference should have in Infinity, rendered with the integration's
//! `conference_name` and `conference_description` templates.

use super::diff::{DesiredRoom, RoomFields};
use crate::store::PushedConference;
use crate::templates::{RenderError, SharedValues, TemplateName, Templates};
use serde_json::json;

/// Infinity's limit on a room's name and description.
const MAX_TEXT_CHARS: usize = 250;

/// The name ends with ` [<alias>]`: unique (live aliases are) and stable across edits of the
/// meeting, so a renamed room is still recognised as the meeting's.
pub fn desired_room(
    conference: &PushedConference,
    templates: &Templates,
    shared: &SharedValues,
) -> Result<DesiredRoom, RenderError> {
    let values = shared.with(json!({
        "subject": conference.subject,
        "organizer_name": conference.organizer_name,
        "organizer_email": conference.organizer_email,
        "alias": conference.alias.as_str(),
        "numeric_alias": conference.numeric_alias.as_str(),
    }));
    let name_suffix = format!(" [{}]", conference.alias.as_str());
    let title = templates.render(TemplateName::ConferenceName, &values)?;
    let title = truncate(
        &title,
        MAX_TEXT_CHARS.saturating_sub(name_suffix.chars().count()),
    );
    let description = templates.render(TemplateName::ConferenceDescription, &values)?;
    let options = &conference.options;
    let allow_guests = options
        .guests_allowed()
        .unwrap_or(options.guest_pin().is_some());
    let pin =
        |pin: Option<&crate::domain::Pin>| pin.map(|p| p.as_str().to_string()).unwrap_or_default();
    Ok(DesiredRoom {
        meeting: conference.global_object_id.clone(),
        fields: RoomFields {
            name: format!("{}{name_suffix}", title.trim_end()),
            description: truncate(&description, MAX_TEXT_CHARS),
            pin: pin(options.host_pin()),
            // Without guests a guest PIN means nothing; Infinity keeps it empty then.
            guest_pin: if allow_guests {
                pin(options.guest_pin())
            } else {
                String::new()
            },
            allow_guests,
        },
        name_suffix,
        aliases: vec![
            conference.alias.as_str().to_string(),
            conference.numeric_alias.as_str().to_string(),
        ],
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Alias, MeetingOptions, NumericAlias};

    fn conference(subject: &str, options: MeetingOptions) -> PushedConference {
        PushedConference {
            global_object_id: "uid-1".into(),
            alias: Alias::parse("meet123456@vc.example.com").unwrap(),
            numeric_alias: NumericAlias::parse("81123456").unwrap(),
            subject: subject.into(),
            organizer_email: "alice@example.com".into(),
            organizer_name: Some("Alice".into()),
            options,
        }
    }

    #[test]
    fn fields_come_from_the_templates_and_the_meeting_options() {
        let options = MeetingOptions::parse(Some("1234"), Some("5678"), None).unwrap();
        let room = desired_room(
            &conference("Weekly", options),
            &Templates::defaults(),
            &SharedValues::default(),
        )
        .unwrap();
        assert_eq!(
            room.fields.name,
            "Weekly (Alice) [meet123456@vc.example.com]"
        );
        assert!(room.fields.name.ends_with(&room.name_suffix));
        assert_eq!(
            room.fields.description,
            "Scheduled video meeting booked by alice@example.com"
        );
        assert_eq!(
            (room.fields.pin.as_str(), room.fields.guest_pin.as_str()),
            ("1234", "5678")
        );
        assert!(room.fields.allow_guests, "a guest PIN lets guests in");
        assert_eq!(room.aliases, ["meet123456@vc.example.com", "81123456"]);
    }

    #[test]
    fn long_subjects_keep_the_name_within_infinitys_limit_and_its_suffix() {
        let options = MeetingOptions::parse(Some("1234"), Some("5678"), Some(false)).unwrap();
        let room = desired_room(
            &conference(&"x".repeat(400), options),
            &Templates::defaults(),
            &SharedValues::default(),
        )
        .unwrap();
        assert_eq!(room.fields.name.chars().count(), MAX_TEXT_CHARS);
        assert!(room.fields.name.ends_with(&room.name_suffix));
        assert!(!room.fields.allow_guests);
        assert_eq!(room.fields.guest_pin, "", "no guest PIN without guests");
    }
}
