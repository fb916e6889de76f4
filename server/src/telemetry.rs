//! Structured logs through `tracing`: text for people, JSON for collectors. `RUST_LOG`, when
//! set, overrides the configured level.

use crate::config::{LogFormat, LoggingSettings};
use tracing_subscriber::EnvFilter;

pub fn init(settings: &LoggingSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `try_init` so tests and repeated calls keep the first subscriber.
    let _ = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
