//! The `vmr-scheduler` command line run as the real binary: `check-config`, `render-template`
//! and how the configuration file is chosen; `personal-vmrs`; `manifest`.

mod configuration;
mod exchange;
mod janitor;
mod manifest;
mod personal_vmrs;
mod status;
mod support;
