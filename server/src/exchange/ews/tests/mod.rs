//! Tests of the EWS client: envelopes, parsing of realistic answers, and the HTTP behaviour
//! against a scripted loopback server.

mod client;
mod loopback;
mod parsing;
mod requests;

/// A realistic answer of Exchange, as stored in `fixtures/`.
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/", $name))
    };
}
pub(super) use fixture;
