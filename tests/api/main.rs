//! End-to-end tests: the real service on a random port, a loopback identity provider, and a
//! fresh SQLite or PostgreSQL database per test.

mod concurrency;
mod health;
mod helpers;
mod http_edges;
mod key_sources;
mod openapi;
mod rejections;
mod reservations;
mod tls;
