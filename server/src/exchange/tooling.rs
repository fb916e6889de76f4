//! `vmr-scheduler exchange setup-script` and `exchange check`: what the Exchange administrator
//! runs once, and a check that the service can do its job with the configured account.

use super::ews_connector::EwsConnector;
use crate::config::{ExchangeAuth, Impersonation, IntegrationSettings};
use crate::store::Store;
use std::fmt::Write as _;
use time::OffsetDateTime;

/// The redirect URI of the service account's OAuth sign-in, under the public URL.
pub const OAUTH_REDIRECT_PATH: &str = "/admin/platform/msexchangeconnector/oauth_redirect/";

/// A value inside a PowerShell single-quoted string.
fn ps(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The PowerShell for the Exchange side of `integration`, with its configured values.
pub fn setup_script(integration: &IntegrationSettings, public_url: &url::Url) -> String {
    let id = integration.id.as_str();
    let resource = integration.equipment_resource.email.as_str();
    let name = &integration.equipment_resource.name;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Exchange setup for vmr-scheduler integration `{id}`."
    );
    let _ = writeln!(
        out,
        "# Run in the Exchange Management Shell (on-premises) or Exchange Online PowerShell."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# 1. The equipment resource that organizers add to their meetings (skip if it exists)."
    );
    let _ = writeln!(
        out,
        "New-Mailbox -Equipment -Name {} -PrimarySmtpAddress {}",
        ps(name),
        ps(resource)
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# 2. Nothing may answer its meeting requests but vmr-scheduler, and no request may be"
    );
    let _ = writeln!(
        out,
        "#    refused for a conflict, length, horizon or working hours."
    );
    let _ = writeln!(
        out,
        "Set-CalendarProcessing -Identity {} -AutomateProcessing None -AllowConflicts $true \
         -BookingWindowInDays 1080 -MaximumDurationInMinutes 0 -AllowRecurringMeetings $true \
         -EnforceSchedulingHorizon $false -ScheduleOnlyDuringWorkHours $false \
         -ConflictPercentageAllowed 100 -MaximumConflictInstances 2147483647",
        ps(resource)
    );
    let _ = writeln!(out);
    let impersonation = integration
        .exchange
        .as_ref()
        .map_or(Impersonation::ResourceOnly, |e| e.impersonation);
    let auth = integration.exchange.as_ref().map(|e| &e.auth);
    match auth {
        Some(ExchangeAuth::OAuthApp {
            client_id,
            tenant_id,
            ..
        }) => app_only_steps(&mut out, id, resource, client_id, tenant_id, impersonation),
        other => {
            let account = match other {
                Some(ExchangeAuth::Basic { username, .. }) => username.clone(),
                _ => "<service account>".to_string(),
            };
            impersonation_steps(&mut out, id, resource, &account, impersonation);
            if let Some(ExchangeAuth::OAuthDelegated {
                client_id,
                tenant_id,
                client_secret,
                ..
            }) = other
            {
                let confidential = client_secret.is_some();
                delegated_steps(&mut out, id, client_id, tenant_id, confidential, public_url);
            }
        }
    }
    out
}

fn impersonation_steps(
    out: &mut String,
    id: &str,
    resource: &str,
    account: &str,
    impersonation: Impersonation,
) {
    let _ = writeln!(
        out,
        "# 3. The service account {} acts as the resource (impersonation).",
        ps(account)
    );
    match impersonation {
        Impersonation::ResourceOnly => {
            let scope = format!("vmr-scheduler-{id}");
            let _ = writeln!(
                out,
                "New-ManagementScope -Name {} -RecipientRestrictionFilter \"PrimarySmtpAddress -eq {}\"",
                ps(&scope),
                ps(resource).replace('"', "`\"")
            );
            let _ = writeln!(
                out,
                "New-ManagementRoleAssignment -Name {} -Role ApplicationImpersonation -User {} \
                 -CustomRecipientWriteScope {}",
                ps(&format!("{scope}-impersonation")),
                ps(account),
                ps(&scope)
            );
        }
        Impersonation::Everyone => {
            let _ = writeln!(
                out,
                "#    impersonation = \"everyone\": it may also act as organizers, to send them \
                 the joining instructions of meetings booked without the add-in."
            );
            let _ = writeln!(
                out,
                "New-ManagementRoleAssignment -Name {} -Role ApplicationImpersonation -User {}",
                ps(&format!("vmr-scheduler-{id}-impersonation")),
                ps(account)
            );
        }
    }
}

fn app_only_steps(
    out: &mut String,
    id: &str,
    resource: &str,
    client_id: &str,
    tenant_id: &str,
    impersonation: Impersonation,
) {
    let _ = writeln!(
        out,
        "# 3. App registration {client_id} in tenant {tenant_id}: API permissions → Office 365 \
         Exchange Online → Application permission `full_access_as_app`, admin consent granted;"
    );
    let _ = writeln!(
        out,
        "#    a client secret or certificate for it. Then limit what the app may open (RBAC for \
         Applications; Application Impersonation no longer exists in Exchange Online):"
    );
    let _ = writeln!(
        out,
        "New-ServicePrincipal -AppId {} -ObjectId '<object id of the enterprise application>' \
         -DisplayName {}",
        ps(client_id),
        ps(&format!("vmr-scheduler {id}"))
    );
    let scope = format!("vmr-scheduler-{id}");
    let filter = match impersonation {
        Impersonation::ResourceOnly => format!("PrimarySmtpAddress -eq {}", ps(resource)),
        Impersonation::Everyone => format!(
            "PrimarySmtpAddress -eq {} -or MemberOfGroup -eq '<scheduling group DN>'",
            ps(resource)
        ),
    };
    let _ = writeln!(
        out,
        "New-ManagementScope -Name {} -RecipientRestrictionFilter \"{}\"",
        ps(&scope),
        filter.replace('"', "`\"")
    );
    let _ = writeln!(
        out,
        "New-ManagementRoleAssignment -App {} -Role 'Application EWS.AccessAsApp' \
         -CustomResourceScope {}",
        ps(client_id),
        ps(&scope)
    );
}

fn delegated_steps(
    out: &mut String,
    id: &str,
    client_id: &str,
    tenant_id: &str,
    confidential: bool,
    public_url: &url::Url,
) {
    let base = public_url.as_str().trim_end_matches('/');
    let platform = if confidential {
        "Web (the app has the client secret configured as client_secret)"
    } else {
        "Mobile and desktop applications (a public client: no secret, PKCE protects the code)"
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# 4. App registration {client_id} in tenant {tenant_id}: redirect URI {base}{OAUTH_REDIRECT_PATH}"
    );
    let _ = writeln!(out, "#    on the platform {platform};");
    let _ = writeln!(
        out,
        "#    API permissions → Office 365 Exchange Online → Delegated `EWS.AccessAsUser.All`, \
         plus `offline_access`, admin consent granted."
    );
    let _ = writeln!(
        out,
        "# 5. An administrator opens {base}/admin/platform/msexchangeconnector/{id}/sign_in/ \
         (the admin token as password) and signs in AS THE SERVICE ACCOUNT; `vmr-scheduler status` \
         says when it must sign in again (password change, MFA)."
    );
}

/// What `exchange check` found; `problems` empty means the service can work the mailbox.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Steps that worked, in order.
    pub passed: Vec<String>,
    pub warnings: Vec<String>,
    pub problems: Vec<String>,
}

/// Logs in, impersonates the resource, reads its inbox and calendar. Warns about meetings in
/// the resource's calendar that vmr-scheduler did not book: something else is still answering.
pub async fn check(integration: &IntegrationSettings, store: &Store) -> CheckReport {
    let mut report = CheckReport::default();
    let Some(exchange) = &integration.exchange else {
        report.problems.push(format!(
            "integration `{}` has no [integrations.{}.exchange] section",
            integration.id, integration.id
        ));
        return report;
    };
    let client = match super::oauth::token_source(&integration.id, exchange, store)
        .and_then(|tokens| EwsConnector::client_for(exchange, &tokens))
    {
        Ok(client) => client,
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    let resource = &integration.equipment_resource.email;
    match client.sync_inbox(Some(resource), None, 1).await {
        Ok(_) => report.passed.push(format!(
            "signed in at {} and read the inbox of {resource} as that mailbox",
            exchange.url
        )),
        Err(error) => {
            report.problems.push(format!(
                "cannot read the inbox of {resource} as that mailbox: {error} \
                 (check the credentials and the impersonation right; `exchange setup-script` \
                 prints the commands)"
            ));
            return report;
        }
    }
    let now = OffsetDateTime::now_utc();
    match client
        .calendar_view(Some(resource), now, now + time::Duration::days(30), 200)
        .await
    {
        Ok(entries) => {
            report
                .passed
                .push(format!("read the calendar of {resource}"));
            let mut unknown = 0;
            for entry in &entries {
                let Some(uid) = &entry.uid else { continue };
                match store.conference(&integration.id, uid).await {
                    Ok(Some(_)) => {}
                    Ok(None) => unknown += 1,
                    Err(error) => {
                        report
                            .warnings
                            .push(format!("cannot compare with storage: {error}"));
                        break;
                    }
                }
            }
            if unknown > 0 {
                report.warnings.push(format!(
                    "{unknown} meeting(s) in the next 30 days of {resource}'s calendar were not \
                     booked by vmr-scheduler: the resource looks auto-processed (run \
                     Set-CalendarProcessing -AutomateProcessing None, see `exchange setup-script`)"
                ));
            }
        }
        Err(error) => report
            .problems
            .push(format!("cannot read the calendar of {resource}: {error}")),
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn settings(exchange: &str) -> Settings {
        let text = format!(
            r#"[server]
public_url = "https://vmr.example.com"
[integrations.main]
equipment_resource = {{ name = "Bob's VMR room", email = "vmr@example.com" }}
[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"
[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
[integrations.main.exchange]
url = "https://mail.example.com/EWS/Exchange.asmx"
{exchange}
"#
        );
        Settings::from_toml(
            &text,
            std::path::Path::new("/etc/vmr.toml"),
            Vec::new(),
            &|_| Some("a-secret-value-that-is-long-enough-0123456789".into()),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn script(exchange: &str) -> String {
        let settings = settings(exchange);
        setup_script(&settings.integrations[0], &settings.server.public_url)
    }

    #[test]
    fn the_resource_is_set_up_for_manual_processing_with_quoted_values() {
        let script = script(
            "[integrations.main.exchange.auth]\nmethod = \"basic\"\nusername = \"svc-vmr@example.com\"\npassword = { env = \"P\" }",
        );
        assert!(script.contains("New-Mailbox -Equipment -Name 'Bob''s VMR room' -PrimarySmtpAddress 'vmr@example.com'"), "{script}");
        assert!(script.contains(
            "Set-CalendarProcessing -Identity 'vmr@example.com' -AutomateProcessing None -AllowConflicts $true \
             -BookingWindowInDays 1080 -MaximumDurationInMinutes 0 -AllowRecurringMeetings $true \
             -EnforceSchedulingHorizon $false -ScheduleOnlyDuringWorkHours $false \
             -ConflictPercentageAllowed 100 -MaximumConflictInstances 2147483647"
        ), "{script}");
        // Impersonation of the resource only, through a management scope.
        assert!(
            script.contains(
                "-RecipientRestrictionFilter \"PrimarySmtpAddress -eq 'vmr@example.com'\""
            ),
            "{script}"
        );
        assert!(script.contains("-Role ApplicationImpersonation -User 'svc-vmr@example.com' -CustomRecipientWriteScope 'vmr-scheduler-main'"), "{script}");
        assert!(
            !script.contains("a-secret-value"),
            "no secret in the script"
        );
    }

    #[test]
    fn impersonating_everyone_has_no_scope() {
        let script = script(
            "impersonation = \"everyone\"\n[integrations.main.exchange.auth]\nmethod = \"basic\"\nusername = \"svc\"\npassword = { env = \"P\" }",
        );
        assert!(script.contains("New-ManagementRoleAssignment -Name 'vmr-scheduler-main-impersonation' -Role ApplicationImpersonation -User 'svc'\n"), "{script}");
        assert!(!script.contains("CustomRecipientWriteScope"), "{script}");
    }

    #[test]
    fn app_only_uses_rbac_for_applications() {
        let script = script(
            "[integrations.main.exchange.auth]\nmethod = \"oauth_app\"\ntenant_id = \"contoso.onmicrosoft.com\"\nclient_id = \"6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"\nclient_secret = { env = \"S\" }",
        );
        assert!(script.contains("full_access_as_app"), "{script}");
        assert!(
            script.contains("New-ServicePrincipal -AppId '6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41'"),
            "{script}"
        );
        assert!(
            script.contains(
                "-Role 'Application EWS.AccessAsApp' -CustomResourceScope 'vmr-scheduler-main'"
            ),
            "{script}"
        );
        assert!(!script.contains("ApplicationImpersonation"), "{script}");
    }

    #[test]
    fn delegated_sign_in_names_the_redirect_uri() {
        let script = script(
            "[integrations.main.exchange.auth]\nmethod = \"oauth_delegated\"\ntenant_id = \"contoso.onmicrosoft.com\"\nclient_id = \"6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41\"\ntoken_encryption_key = { env = \"K\" }",
        );
        assert!(
            script.contains(
                "https://vmr.example.com/admin/platform/msexchangeconnector/oauth_redirect/"
            ),
            "{script}"
        );
        assert!(script.contains("EWS.AccessAsUser.All"), "{script}");
        assert!(
            script.contains(
                "https://vmr.example.com/admin/platform/msexchangeconnector/main/sign_in/"
            ),
            "{script}"
        );
        assert!(
            script.contains("Mobile and desktop applications"),
            "{script}"
        );
    }
}
