//! The admin-editable strings of the manifests, with the limits each format sets on them.

use super::Format;
use crate::config::{AddinFeatures, AddinStrings, RawAddinStrings};

/// One string of `[integrations.<id>.addin]` (and of each of its locales).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    DisplayName,
    Description,
    GroupLabel,
    ButtonLabel,
    SupertipTitle,
    SupertipDescription,
    TaskPaneButtonLabel,
    TaskPaneSupertipDescription,
}

/// XML `bt:ShortString` and `bt:LongString`.
pub(super) const SHORT_STRING_CHARS: usize = 125;
pub(super) const LONG_STRING_CHARS: usize = 250;

/// The most characters a format allows, and where that limit comes from when it is not the
/// XML schema's plain short/long string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limit {
    pub max: usize,
    pub source: Option<&'static str>,
}

impl Limit {
    pub const SHORT: Self = Self::plain(SHORT_STRING_CHARS);
    pub const LONG: Self = Self::plain(LONG_STRING_CHARS);

    pub const fn plain(max: usize) -> Self {
        Self { max, source: None }
    }

    pub const fn from(max: usize, source: &'static str) -> Self {
        Self {
            max,
            source: Some(source),
        }
    }
}

impl Field {
    pub const ALL: [Self; 8] = [
        Self::DisplayName,
        Self::Description,
        Self::GroupLabel,
        Self::ButtonLabel,
        Self::SupertipTitle,
        Self::SupertipDescription,
        Self::TaskPaneButtonLabel,
        Self::TaskPaneSupertipDescription,
    ];

    /// The setting's name in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Self::DisplayName => "display_name",
            Self::Description => "description",
            Self::GroupLabel => "group_label",
            Self::ButtonLabel => "button_label",
            Self::SupertipTitle => "supertip_title",
            Self::SupertipDescription => "supertip_description",
            Self::TaskPaneButtonLabel => "task_pane_button_label",
            Self::TaskPaneSupertipDescription => "task_pane_supertip_description",
        }
    }

    pub fn value(self, strings: &AddinStrings) -> &str {
        match self {
            Self::DisplayName => &strings.display_name,
            Self::Description => &strings.description,
            Self::GroupLabel => &strings.group_label,
            Self::ButtonLabel => &strings.button_label,
            Self::SupertipTitle => &strings.supertip_title,
            Self::SupertipDescription => &strings.supertip_description,
            Self::TaskPaneButtonLabel => &strings.task_pane_button_label,
            Self::TaskPaneSupertipDescription => &strings.task_pane_supertip_description,
        }
    }

    /// A locale's override, if it sets one.
    pub fn override_value(self, strings: &RawAddinStrings) -> Option<&str> {
        match self {
            Self::DisplayName => strings.display_name.as_deref(),
            Self::Description => strings.description.as_deref(),
            Self::GroupLabel => strings.group_label.as_deref(),
            Self::ButtonLabel => strings.button_label.as_deref(),
            Self::SupertipTitle => strings.supertip_title.as_deref(),
            Self::SupertipDescription => strings.supertip_description.as_deref(),
            Self::TaskPaneButtonLabel => strings.task_pane_button_label.as_deref(),
            Self::TaskPaneSupertipDescription => strings.task_pane_supertip_description.as_deref(),
        }
    }

    /// Whether the manifests show this string with these features.
    pub fn in_use(self, features: &AddinFeatures) -> bool {
        match self {
            Self::ButtonLabel | Self::SupertipTitle | Self::SupertipDescription => {
                features.function_command
            }
            Self::TaskPaneButtonLabel | Self::TaskPaneSupertipDescription => features.task_pane,
            Self::DisplayName | Self::Description | Self::GroupLabel => true,
        }
    }

    /// The tightest limit of every place `format` shows the string.
    pub fn limit(self, format: Format, features: &AddinFeatures) -> Limit {
        match (format, self) {
            (Format::Xml, Self::Description)
            | (Format::Xml, Self::SupertipDescription)
            | (Format::Xml, Self::TaskPaneSupertipDescription) => Limit::LONG,
            (Format::Xml, _) => Limit::SHORT,
            (Format::Json, Self::DisplayName) => {
                Limit::from(30, "the unified manifest's name.short")
            }
            (Format::Json, Self::Description) => {
                Limit::from(80, "the unified manifest's description.short")
            }
            (Format::Json, Self::GroupLabel) if features.mobile => {
                Limit::from(32, "the unified manifest's mobile group label")
            }
            (Format::Json, Self::ButtonLabel) if features.mobile => {
                Limit::from(32, "the unified manifest's mobile button label")
            }
            (Format::Json, Self::GroupLabel) => {
                Limit::from(64, "the unified manifest's group label")
            }
            (Format::Json, Self::ButtonLabel | Self::SupertipTitle | Self::TaskPaneButtonLabel) => {
                Limit::from(64, "the unified manifest's button labels and titles")
            }
            (Format::Json, Self::SupertipDescription | Self::TaskPaneSupertipDescription) => {
                Limit::from(250, "the unified manifest's supertip description")
            }
        }
    }
}
