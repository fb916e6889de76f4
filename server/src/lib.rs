//! vmr-scheduler: one-click video meeting rooms for Outlook, kept in step with Exchange.
//!
//! `main.rs` and the end-to-end tests build the service the same way, through
//! [`startup::Application::build`].

pub mod addin_pages;
pub mod cli;
pub mod config;
pub mod domain;
pub mod exchange;
pub mod http;
pub mod icons;
pub mod identity;
pub mod janitor;
pub mod manifest;
pub mod personal_vmrs;
pub mod pexip_push;
pub mod policy;
pub mod reservations;
pub mod scheduling;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod templates;
