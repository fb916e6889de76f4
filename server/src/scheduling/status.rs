//! What an administrator wants to know about the mailbox workers: when each last synced, what
//! waits, and what failed lately. Shared by `vmr-scheduler status` and the admin JSON route.

use crate::config::Settings;
use crate::store::{Operation, Outcome, Store, StoreError};
use serde::Serialize;
use std::fmt::Write as _;
use time::OffsetDateTime;

/// Recent failures shown per integration.
const RECENT_FAILURES: u32 = 10;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IntegrationStatus {
    pub integration: String,
    /// Whether the integration watches a mailbox at all.
    pub watches_mailbox: bool,
    pub resource: String,
    pub last_successful_sync: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// Messages picked up but not finished.
    pub backlog: u64,
    pub recent_failures: Vec<FailureLine>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FailureLine {
    pub at: String,
    pub action: String,
    pub error_code: Option<String>,
    pub meeting: Option<String>,
    pub correlation_id: Option<String>,
}

pub async fn collect(
    settings: &Settings,
    store: &Store,
) -> Result<Vec<IntegrationStatus>, StoreError> {
    let mut report = Vec::with_capacity(settings.integrations.len());
    for integration in &settings.integrations {
        let sync = store.mailbox_sync(&integration.id).await?;
        let failures = store
            .recent_operations(&integration.id, true, RECENT_FAILURES)
            .await?;
        report.push(IntegrationStatus {
            integration: integration.id.to_string(),
            watches_mailbox: integration.exchange.is_some(),
            resource: integration.equipment_resource.email.to_string(),
            last_successful_sync: sync.last_success_at.map(timestamp),
            last_error: sync.last_error,
            last_error_at: sync.last_error_at.map(timestamp),
            backlog: store
                .count_unfinished_journal_entries(&integration.id)
                .await?,
            recent_failures: failures.iter().map(failure_line).collect(),
        });
    }
    Ok(report)
}

fn failure_line(operation: &Operation) -> FailureLine {
    debug_assert_eq!(operation.outcome, Outcome::Failed);
    FailureLine {
        at: timestamp(operation.at),
        action: operation.action.clone(),
        error_code: operation.error_code.clone(),
        meeting: operation.global_object_id.clone(),
        correlation_id: operation.correlation_id.clone(),
    }
}

/// RFC 3339 in UTC, to the second.
fn timestamp(millis: i64) -> String {
    OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{millis} ms"))
}

/// The report as text for a terminal.
pub fn render_text(report: &[IntegrationStatus]) -> String {
    let mut out = String::new();
    for status in report {
        let _ = writeln!(
            out,
            "integration {} ({})",
            status.integration, status.resource
        );
        if !status.watches_mailbox {
            let _ = writeln!(
                out,
                "  mailbox watch: off (no [integrations.{}.exchange] section)",
                status.integration
            );
            continue;
        }
        let never = "never".to_string();
        let _ = writeln!(
            out,
            "  last successful sync: {}",
            status.last_successful_sync.as_ref().unwrap_or(&never)
        );
        if let (Some(error), Some(at)) = (&status.last_error, &status.last_error_at) {
            let _ = writeln!(out, "  last sync error: {at} {error}");
        }
        let _ = writeln!(out, "  backlog: {}", status.backlog);
        if status.recent_failures.is_empty() {
            let _ = writeln!(out, "  recent failures: none");
        } else {
            let _ = writeln!(out, "  recent failures:");
            for failure in &status.recent_failures {
                let _ = writeln!(
                    out,
                    "    {} {} {} meeting={} correlation={}",
                    failure.at,
                    failure.action,
                    failure.error_code.as_deref().unwrap_or("-"),
                    failure.meeting.as_deref().unwrap_or("-"),
                    failure.correlation_id.as_deref().unwrap_or("-"),
                );
            }
        }
    }
    out
}
