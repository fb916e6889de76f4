//! Values that cannot hold invalid data: each has a `parse` and no other public constructor.

/// `Display` and `Serialize` as the inner text, for newtypes with an `as_str`.
macro_rules! display_and_serialize_as_str {
    ($($type:ty),*) => {$(
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    )*};
}
pub(crate) use display_and_serialize_as_str;

mod alias;
mod email;
mod integration_id;
mod marker;
mod meeting_options;
mod personal_vmr;
mod pin;
mod user_identity;

pub use alias::{
    Alias, AliasDomain, AliasPrefix, NumericAlias, NumericPrefix, NumericSuffixLength,
};
pub use email::EmailAddress;
pub use integration_id::IntegrationId;
pub use marker::AliasMarker;
pub use meeting_options::MeetingOptions;
pub use personal_vmr::{FieldProblem, PersonalVmr, PersonalVmrFields, VmrAliases};
pub use pin::Pin;
pub use user_identity::UserIdentity;

/// The error every domain `parse` returns: a sentence that names what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl InvalidValue {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
