//! The closed list of templates: key, kind (HTML or one-line text), documented variables and the
//! built-in default. The variable lists are the contract with callers: config validation renders
//! every template with exactly these variables, so an override that uses anything else is refused
//! at load instead of failing when an organizer clicks the button.

use std::fmt;

/// Variables every template may use; they describe the integration, not the meeting.
pub const SHARED_VARIABLES: &[&str] = &[
    "integration_name",
    "equipment_resource_name",
    "equipment_resource_email",
    "public_url",
];

/// A template's own variables followed by [`SHARED_VARIABLES`] (kept in sync by a unit test).
macro_rules! vars {
    ($($name:literal),* $(,)?) => {
        &[
            $($name,)*
            "integration_name",
            "equipment_resource_name",
            "equipment_resource_email",
            "public_url",
        ]
    };
}

/// Variables of the single-use VMR templates, i.e. the fields of `JoiningContext`.
const JOINING: &[&str] = vars![
    "alias",
    "numeric_alias",
    "marker",
    "web_join_url",
    "dial_in_number",
    "host_pin",
    "guest_pin",
    "guests_allowed",
    "subject",
];
/// Variables of the personal VMR templates, i.e. the output of `PersonalVmrContext::to_values`.
const PERSONAL: &[&str] = vars![
    "name",
    "description",
    "alias",
    "domain_aliases",
    "other_aliases",
    "numeric_aliases",
    "allow_guests",
    "pin",
    "guest_pin",
    "web_join_url",
    "dial_in_number",
];
const CONFERENCE: &[&str] = vars![
    "subject",
    "organizer_name",
    "organizer_email",
    "alias",
    "numeric_alias"
];
const ACCEPT: &[&str] = vars![
    "alias",
    "numeric_alias",
    "subject",
    "start_time",
    "end_time"
];
const GENERAL_ERROR: &[&str] = vars!["correlation_id"];
const ALIAS_ONLY: &[&str] = vars!["alias"];
const SHARED_ONLY: &[&str] = vars![];

/// Declares the enum and the ordered list of all variants from one list, so neither can miss one.
macro_rules! template_names {
    ($($(#[$doc:meta])* $variant:ident),* $(,)?) => {
        /// Every template the service renders. `key()` is the name used in configuration.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TemplateName {
            $($(#[$doc])* $variant),*
        }

        const ALL: &[TemplateName] = &[$(TemplateName::$variant),*];
    };
}

template_names! {
    /// HTML inserted into the meeting body for a single-use VMR; must render `{{marker}}` once.
    JoiningInstructions,
    /// HTML inserted when the service cannot be reached; real instructions follow by email.
    PlaceholderInstructions,
    /// HTML inserted into the meeting body for a personal VMR.
    PersonalVmrInstructions,
    /// Reply to the organizer: a new single meeting was booked.
    AcceptNewSingleMeeting,
    /// Reply to the organizer: a new recurring series was booked.
    AcceptNewRecurringSeries,
    /// Reply to the organizer: a changed single meeting was rebooked.
    AcceptEditedSingleMeeting,
    /// Reply to the organizer: a changed recurring series was rebooked.
    AcceptEditedRecurringSeries,
    /// Reply to the organizer: one changed occurrence of a series was rebooked.
    AcceptEditedOccurrence,
    /// Decline: an unexpected failure; carries the correlation id for the admin.
    DeclineGeneralError,
    /// Decline: the alias is already used by another room.
    DeclineAliasConflict,
    /// Decline: the alias of this meeting has been deleted.
    DeclineAliasDeleted,
    /// Decline: no valid marker in the body (added without the add-in, or edited).
    DeclineInvalidAliasId,
    /// Decline: a single meeting entirely in the past.
    DeclineSingleMeetingPast,
    /// Decline: a recurring series whose occurrences are all in the past.
    DeclineRecurringSeriesPast,
    /// Meeting location for a single-use VMR.
    Location,
    /// Meeting location for a personal VMR.
    PersonalVmrLocation,
    /// Label of a personal VMR in the add-in's list.
    PersonalVmrName,
    /// Hover text of a personal VMR in the add-in's list.
    PersonalVmrDescription,
    /// Name of the conference created on the conferencing platform.
    ConferenceName,
    /// Description of the conference created on the conferencing platform.
    ConferenceDescription,
    PaneTitle,
    PaneDescription,
    PaneAddSingleUseButton,
    PaneAddPersonalButton,
    PaneRemoveButton,
    PaneReplaceButton,
    PanePersonalSelectMessage,
    PanePersonalNoneMessage,
    PaneSuccessHeading,
    PaneSuccessMessage,
    PaneAlreadyHasVmrHeading,
    PaneAlreadyHasVmrMessage,
    PaneServiceUnreachableHeading,
    PaneServiceUnreachableMessage,
    PaneErrorHeading,
    PaneErrorMessage,
    PaneOptionsHeading,
    PaneHostPinLabel,
    PaneGuestPinLabel,
    PaneGuestsAllowedLabel,
    PaneWorkingMessage,
    PaneSaveOptionsButton,
    PanePinInvalidMessage,
    PaneGuestPinNeedsHostMessage,
    PanePinsDifferMessage,
}

struct Spec {
    key: &'static str,
    html: bool,
    variables: &'static [&'static str],
    default: &'static str,
}

const fn text(
    key: &'static str,
    variables: &'static [&'static str],
    default: &'static str,
) -> Spec {
    Spec {
        key,
        html: false,
        variables,
        default,
    }
}

/// Add-in pane strings only know the integration, so they share one variable list.
const fn pane(key: &'static str, default: &'static str) -> Spec {
    text(key, SHARED_ONLY, default)
}

/// An HTML template; its default lives in `defaults/<key>.hbs`, where markup is easier to edit.
macro_rules! html {
    ($key:literal, $variables:expr) => {
        Spec {
            key: $key,
            html: true,
            variables: $variables,
            default: include_str!(concat!("defaults/", $key, ".hbs")),
        }
    };
}

impl TemplateName {
    pub fn all() -> &'static [TemplateName] {
        ALL
    }

    /// The snake_case name used in configuration and by the CLI.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    pub fn parse(key: &str) -> Option<Self> {
        ALL.iter().copied().find(|name| name.key() == key)
    }

    /// HTML templates escape every value; text templates produce one plain line.
    pub fn is_html(self) -> bool {
        self.spec().html
    }

    /// Every variable the template may use, shared ones included.
    pub fn variables(self) -> &'static [&'static str] {
        self.spec().variables
    }

    /// The built-in template source used when the configuration does not override it.
    pub fn default_source(self) -> &'static str {
        self.spec().default
    }

    /// Whether this is one of the strings shown in the add-in's task pane.
    pub fn is_pane_string(self) -> bool {
        self.key().starts_with("pane_")
    }

    /// Position in [`TemplateName::all`], used to index per-template tables.
    pub(super) fn index(self) -> usize {
        self as usize
    }

    fn spec(self) -> Spec {
        use TemplateName::*;
        match self {
            JoiningInstructions => html!("joining_instructions", JOINING),
            PlaceholderInstructions => html!("placeholder_instructions", SHARED_ONLY),
            PersonalVmrInstructions => html!("personal_vmr_instructions", PERSONAL),
            AcceptNewSingleMeeting => html!("accept_new_single_meeting", ACCEPT),
            AcceptNewRecurringSeries => html!("accept_new_recurring_series", ACCEPT),
            AcceptEditedSingleMeeting => html!("accept_edited_single_meeting", ACCEPT),
            AcceptEditedRecurringSeries => html!("accept_edited_recurring_series", ACCEPT),
            AcceptEditedOccurrence => html!("accept_edited_occurrence", ACCEPT),
            DeclineGeneralError => html!("decline_general_error", GENERAL_ERROR),
            DeclineAliasConflict => html!("decline_alias_conflict", ALIAS_ONLY),
            DeclineAliasDeleted => html!("decline_alias_deleted", SHARED_ONLY),
            DeclineInvalidAliasId => html!("decline_invalid_alias_id", SHARED_ONLY),
            DeclineSingleMeetingPast => html!("decline_single_meeting_past", SHARED_ONLY),
            DeclineRecurringSeriesPast => html!("decline_recurring_series_past", SHARED_ONLY),
            Location => text("location", JOINING, "Video meeting: {{alias}}"),
            PersonalVmrLocation => text(
                "personal_vmr_location",
                PERSONAL,
                "Video meeting: {{alias}}",
            ),
            PersonalVmrName => text("personal_vmr_name", PERSONAL, "{{name}}"),
            PersonalVmrDescription => text("personal_vmr_description", PERSONAL, "{{description}}"),
            ConferenceName => text(
                "conference_name",
                CONFERENCE,
                "{{#if subject}}{{subject}}{{else}}Video meeting{{/if}}\
                 {{#if organizer_name}} ({{organizer_name}}){{/if}}",
            ),
            ConferenceDescription => text(
                "conference_description",
                CONFERENCE,
                "Scheduled video meeting booked by {{organizer_email}}",
            ),
            PaneTitle => pane("pane_title", "Video meeting room"),
            PaneDescription => pane(
                "pane_description",
                "Adds a video meeting room and its joining instructions to this meeting.",
            ),
            PaneAddSingleUseButton => {
                pane("pane_add_single_use_button", "Add a video meeting room")
            }
            PaneAddPersonalButton => pane("pane_add_personal_button", "Use my personal room"),
            PaneRemoveButton => pane("pane_remove_button", "Remove the video meeting room"),
            PaneReplaceButton => pane("pane_replace_button", "Replace with a new room"),
            PanePersonalSelectMessage => pane(
                "pane_personal_select_message",
                "Select the personal room to add to this meeting.",
            ),
            PanePersonalNoneMessage => pane(
                "pane_personal_none_message",
                "You do not have a personal video meeting room.",
            ),
            PaneSuccessHeading => pane("pane_success_heading", "Video meeting room added"),
            PaneSuccessMessage => pane(
                "pane_success_message",
                "The joining instructions are in the meeting. \
                 The room is booked when you select Send.",
            ),
            PaneAlreadyHasVmrHeading => {
                pane("pane_already_has_vmr_heading", "Already a video meeting")
            }
            PaneAlreadyHasVmrMessage => pane(
                "pane_already_has_vmr_message",
                "This meeting already has a video meeting room. \
                 If it is a new meeting, select Send to book it.",
            ),
            PaneServiceUnreachableHeading => pane(
                "pane_service_unreachable_heading",
                "Cannot add a video meeting room right now",
            ),
            PaneServiceUnreachableMessage => pane(
                "pane_service_unreachable_message",
                "The scheduling service cannot be reached. You can still select Send: a video \
                 meeting room will be assigned and the joining instructions will follow by email.",
            ),
            PaneErrorHeading => pane("pane_error_heading", "Something went wrong"),
            PaneErrorMessage => pane(
                "pane_error_message",
                "The joining instructions could not be added. Please try again.",
            ),
            PaneOptionsHeading => pane("pane_options_heading", "Meeting options"),
            PaneHostPinLabel => pane("pane_host_pin_label", "Host PIN (optional)"),
            PaneGuestPinLabel => pane("pane_guest_pin_label", "Guest PIN (optional)"),
            PaneGuestsAllowedLabel => pane("pane_guests_allowed_label", "Allow guests to join"),
            PaneWorkingMessage => pane("pane_working_message", "Adding a video meeting room…"),
            PaneSaveOptionsButton => pane("pane_save_options_button", "Save options"),
            PanePinInvalidMessage => pane("pane_pin_invalid_message", "A PIN is 4 to 20 digits."),
            PaneGuestPinNeedsHostMessage => pane(
                "pane_guest_pin_needs_host_message",
                "Set a host PIN before a guest PIN.",
            ),
            PanePinsDifferMessage => pane(
                "pane_pins_differ_message",
                "The guest PIN must differ from the host PIN.",
            ),
        }
    }
}

impl fmt::Display for TemplateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
