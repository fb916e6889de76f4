//! Tests of the identity module as a whole. Pure helpers are tested next to their code; these
//! need shared RSA keys, signed tokens, temp files or a loopback HTTP server.

mod entra;
mod exchange;
mod fetch;
mod header;
mod jwks;
mod keys;
mod settings;
mod support;
