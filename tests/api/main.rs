//! End-to-end tests: the real service on a random port, a loopback identity provider, and a
//! fresh SQLite or PostgreSQL database per test.

mod addin_pages;
mod admin;
mod concurrency;
mod exchange_check;
mod exchange_oauth;
mod health;
mod helpers;
mod http_edges;
mod icons;
mod janitor;
mod key_sources;
mod manifest;
mod meeting_options;
mod openapi;
mod personal_vmrs;
mod pexip_push;
mod policy;
mod policy_support;
mod rejections;
mod release;
mod reservations;
mod scheduling;
mod scheduling_instances;
mod scheduling_recurring;
mod scheduling_scenarios;
mod scheduling_support;
mod scheduling_unmarked;
mod tls;
