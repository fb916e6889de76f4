//! What an administrator wants to know about the mailbox workers: when each last synced, what
//! waits, and what failed lately. Shared by `vmr-scheduler status` and the admin JSON route.

use crate::config::{ExchangeAuth, IntegrationSettings, Settings};
use crate::exchange::oauth::AccountState;
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
    /// For `oauth_delegated`: whether the service account is signed in, and where to sign it in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<ServiceAccount>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ServiceAccount {
    #[serde(flatten)]
    pub state: AccountState,
    pub sign_in_url: String,
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
            service_account: service_account(settings, integration, store).await?,
        });
    }
    Ok(report)
}

async fn service_account(
    settings: &Settings,
    integration: &IntegrationSettings,
    store: &Store,
) -> Result<Option<ServiceAccount>, StoreError> {
    let delegated = integration
        .exchange
        .as_ref()
        .is_some_and(|exchange| matches!(exchange.auth, ExchangeAuth::OAuthDelegated { .. }));
    if !delegated {
        return Ok(None);
    }
    let stored = store.exchange_account(&integration.id).await?;
    Ok(Some(ServiceAccount {
        state: AccountState::of(stored.as_ref()),
        sign_in_url: format!(
            "{}/admin/platform/msexchangeconnector/{}/sign_in/",
            settings.server.public_url.as_str().trim_end_matches('/'),
            integration.id
        ),
    }))
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
        if let Some(account) = &status.service_account {
            let _ = writeln!(out, "  service account: {}", account_line(account));
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

fn account_line(account: &ServiceAccount) -> String {
    match &account.state {
        AccountState::NotSignedIn => {
            format!(
                "not signed in — an admin signs it in at {}",
                account.sign_in_url
            )
        }
        AccountState::SignedIn {
            account: name,
            signed_in_at,
            ..
        } => format!(
            "{} signed in {}",
            name.as_deref().unwrap_or("(name unknown)"),
            timestamp(*signed_in_at)
        ),
        AccountState::SignInRequired {
            account: name,
            reason,
            ..
        } => format!(
            "{} MUST SIGN IN AGAIN ({reason}) at {}",
            name.as_deref().unwrap_or("the account"),
            account.sign_in_url
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_account(state: AccountState) -> String {
        render_text(&[IntegrationStatus {
            integration: "main".into(),
            watches_mailbox: true,
            resource: "vmr@example.com".into(),
            last_successful_sync: None,
            last_error: None,
            last_error_at: None,
            backlog: 0,
            recent_failures: Vec::new(),
            service_account: Some(ServiceAccount {
                state,
                sign_in_url:
                    "https://vmr.example.com/admin/platform/msexchangeconnector/main/sign_in/"
                        .into(),
            }),
        }])
    }

    #[test]
    fn the_service_account_line_says_what_to_do() {
        let text = with_account(AccountState::NotSignedIn);
        assert!(
            text.contains("service account: not signed in — an admin signs it in at https://vmr.example.com/admin/platform/msexchangeconnector/main/sign_in/"),
            "{text}"
        );
        let text = with_account(AccountState::SignedIn {
            account: Some("svc@example.com".into()),
            signed_in_at: 1_800_000_000_000,
            refreshed_at: None,
        });
        assert!(
            text.contains("service account: svc@example.com signed in 2027-01-15T08:00:00Z"),
            "{text}"
        );
        let text = with_account(AccountState::SignInRequired {
            account: Some("svc@example.com".into()),
            reason: "AADSTS50173: revoked".into(),
            since: None,
        });
        assert!(
            text.contains("svc@example.com MUST SIGN IN AGAIN (AADSTS50173: revoked) at https://"),
            "{text}"
        );
    }
}
