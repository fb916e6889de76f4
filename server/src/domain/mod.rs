//! Values that cannot hold invalid data: each has a `parse` and no other public constructor.

mod alias;
mod email;
mod integration_id;
mod marker;
mod user_identity;

pub use alias::{
    Alias, AliasDomain, AliasPrefix, NumericAlias, NumericPrefix, NumericSuffixLength,
};
pub use email::EmailAddress;
pub use integration_id::IntegrationId;
pub use marker::AliasMarker;
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
