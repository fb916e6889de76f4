//! Test support for vmr-scheduler: RSA test keys, a loopback identity provider that speaks the
//! Entra ID (OpenID metadata, JWKS) and Exchange (auth metadata document) protocols, and builders
//! for valid and deliberately invalid Office identity tokens.
//!
//! Everything listens on and talks to `127.0.0.1` only.
//!
//! ```no_run
//! # async fn demo() {
//! use vmr_scheduler_tests::{LoopbackIdp, Signing};
//!
//! let idp = LoopbackIdp::start().await;
//! let tenant = "6a0d3c8e-1f2b-4c5d-9e8f-0a1b2c3d4e5f";
//! let valid = idp.entra_v2_token(tenant, "api-client-id").build();
//! let forged = idp
//!     .entra_v2_token(tenant, "api-client-id")
//!     .signing(Signing::Hs256PublicKeyPem)
//!     .build();
//! idp.set_failure("/common/discovery/v2.0/keys", 500);
//! # let _ = (valid, forged);
//! # }
//! ```

pub mod ews_emulator;
pub mod idp;
pub mod keys;
pub mod oauth_emulator;
pub mod pexip_management;
pub mod schemas;
pub mod test_db;
pub mod tokens;

pub use idp::{loopback_client, KeyIssuer, LoopbackIdp};
pub use keys::{jwk_set, TestKey};
pub use tokens::{oversized_token, EntraToken, ExchangeToken, Signing};
