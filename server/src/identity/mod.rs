//! Office identity tokens: who clicked the add-in button.
//!
//! Two token kinds are accepted, each enabled per integration:
//! - Entra ID access tokens (Nested App Authentication, legacy Office SSO), for Microsoft 365;
//! - legacy Exchange user identity tokens, for Exchange Server on-premises (Exchange Online no
//!   longer issues them).
//!
//! Every check that can refuse a token cheaply (size, structure, algorithm, header) runs before
//! any key is looked up; keys come only from configured sources, never from the token, and no
//! claim is believed before the signature over it has been verified.

mod claims;
mod entra;
mod exchange;
mod fetch;
mod header;
mod jwks;
mod keys;
mod origin;
mod reject;
mod settings;
mod settings_validation;
mod validator;
mod verified_cache;

#[cfg(test)]
mod tests;

pub use reject::{RejectReason, Rejection};
pub use settings::{
    AuthSettings, RawAuth, RawEntra, RawExchange, DEFAULT_ENTRA_METADATA_URL, DEFAULT_ISSUER_V1,
    DEFAULT_ISSUER_V2, DEFAULT_REQUIRED_SCOPE, TENANT_PLACEHOLDER,
};
pub use validator::{bearer_token, TokenValidator};

/// Whether a URL's host is a loopback address or `localhost` (shared with the config checks).
pub(crate) use claims::is_guid;
pub(crate) use origin::is_loopback;
