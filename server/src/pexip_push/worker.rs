//! The reconciliation loop of one integration: reads the conferences still to come from
//! storage and the rooms carrying our tag from Infinity, plans with [`plan`] and carries the
//! steps out, each one into the operations log. Nothing about Infinity is stored: the rooms are
//! read back by tag every time, so a room changed or removed by hand is repaired.

use super::client::{ManagementClient, PushError};
use super::desired::desired_room;
use super::diff::{plan, Action};
use crate::config::{IntegrationSettings, PexipPushSettings};
use crate::domain::IntegrationId;
use crate::scheduling::worker::Clock;
use crate::store::{Operation, Outcome, PushedConference, Store, StoreError};
use crate::templates::{RenderError, SharedValues};
use std::sync::Arc;
use std::time::Duration;

/// How soon a reconciliation that failed is tried again (the interval, if shorter).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// How often the stored meetings are compared with those last pushed, between passes.
const CHANGE_CHECK: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct PushWorker {
    store: Store,
    client: ManagementClient,
    integration: Arc<IntegrationSettings>,
    settings: PexipPushSettings,
    shared: SharedValues,
    clock: Clock,
}

/// What one reconciliation did; `failed` steps are tried again by the next one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushReport {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub failed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PushWorkerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a room cannot be rendered: {0}")]
    Render(#[from] RenderError),
    #[error("the rooms cannot be listed: {0}")]
    List(PushError),
}

impl PushWorker {
    pub fn new(
        store: Store,
        integration: Arc<IntegrationSettings>,
        settings: PexipPushSettings,
        shared: SharedValues,
        clock: Clock,
    ) -> Result<Self, String> {
        Ok(Self {
            store,
            client: ManagementClient::new(&settings)?,
            integration,
            settings,
            shared,
            clock,
        })
    }

    /// The tag of the rooms this integration owns.
    pub fn tag(&self) -> String {
        format!("{}:{}", self.settings.tag, self.integration.id)
    }

    pub fn reconcile_interval(&self) -> Duration {
        self.settings.reconcile_interval
    }

    fn id(&self) -> &IntegrationId {
        &self.integration.id
    }

    fn now_millis(&self) -> i64 {
        i64::try_from((self.clock)().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    /// One reconciliation. A failed listing stops it before any change (nothing would be known
    /// about the rooms); a failed step is logged and the others go on.
    pub async fn run_once(&self) -> Result<PushReport, PushWorkerError> {
        let wanted = self.conferences_wanted().await?;
        self.reconcile(&wanted).await
    }

    /// The stored conferences that should have a room now.
    async fn conferences_wanted(&self) -> Result<Vec<PushedConference>, StoreError> {
        let after = i64::try_from(self.integration.buffers.after.as_millis()).unwrap_or(i64::MAX);
        let ended_after = self.now_millis().saturating_sub(after);
        self.store.conferences_to_push(self.id(), ended_after).await
    }

    async fn reconcile(&self, wanted: &[PushedConference]) -> Result<PushReport, PushWorkerError> {
        let desired = wanted
            .iter()
            .map(|conference| desired_room(conference, &self.integration.templates, &self.shared))
            .collect::<Result<Vec<_>, _>>()?;
        let tag = self.tag();
        let actual = match self.client.rooms_tagged(&tag).await {
            Ok(rooms) => rooms,
            Err(error) => {
                self.log("push_list", None, Err(&error), None).await?;
                return Err(PushWorkerError::List(error));
            }
        };
        let mut report = PushReport::default();
        for action in plan(&desired, &actual) {
            self.carry_out(action, &tag, &mut report).await?;
        }
        Ok(report)
    }

    async fn carry_out(
        &self,
        action: Action,
        tag: &str,
        report: &mut PushReport,
    ) -> Result<(), StoreError> {
        let (kind, meeting, detail, outcome) = match action {
            Action::DeleteRoom { resource_uri, name } => {
                let outcome = self.client.delete(&resource_uri).await;
                ("push_delete", None, format!("room `{name}`"), outcome)
            }
            Action::UpdateRoom {
                meeting,
                resource_uri,
                fields,
            } => {
                let outcome = self.client.update_room(&resource_uri, &fields).await;
                let detail = format!("room `{}`", fields.name);
                ("push_update", Some(meeting), detail, outcome)
            }
            Action::RemoveAlias { meeting, alias } => {
                let outcome = self.client.delete(&alias.resource_uri).await;
                let detail = format!("alias `{}` removed", alias.alias);
                ("push_update", Some(meeting), detail, outcome)
            }
            Action::AddAlias {
                meeting,
                room_uri,
                alias,
            } => {
                let outcome = self.client.add_alias(&room_uri, &alias).await.map(drop);
                (
                    "push_update",
                    Some(meeting),
                    format!("alias `{alias}` added"),
                    outcome,
                )
            }
            Action::CreateRoom {
                meeting,
                fields,
                aliases,
            } => {
                let outcome = self.create_room(&fields, &aliases, tag).await;
                let detail = format!("room `{}`", fields.name);
                ("push_create", Some(meeting), detail, outcome)
            }
        };
        match (&outcome, kind) {
            (Err(_), _) => report.failed += 1,
            (Ok(()), "push_create") => report.created += 1,
            (Ok(()), "push_delete") => report.deleted += 1,
            (Ok(()), _) => report.updated += 1,
        }
        self.log(kind, meeting, outcome.as_ref().map(drop), Some(detail))
            .await
    }

    /// The room, then its aliases; a room left without some alias gets it in the next
    /// reconciliation (it is recognised by its name).
    async fn create_room(
        &self,
        fields: &super::diff::RoomFields,
        aliases: &[String],
        tag: &str,
    ) -> Result<(), PushError> {
        let room_uri = self.client.create_room(fields, tag).await?;
        for alias in aliases {
            self.client.add_alias(&room_uri, alias).await?;
        }
        Ok(())
    }

    async fn log(
        &self,
        action: &str,
        meeting: Option<String>,
        outcome: Result<(), &PushError>,
        detail: Option<String>,
    ) -> Result<(), StoreError> {
        if let Err(error) = outcome {
            tracing::warn!(integration = %self.id(), action, %error, "management API call failed");
        }
        self.store
            .record_operation(&Operation {
                at: self.now_millis(),
                integration: self.id().clone(),
                global_object_id: meeting,
                item_id: None,
                action: action.to_string(),
                outcome: if outcome.is_ok() {
                    Outcome::Ok
                } else {
                    Outcome::Failed
                },
                error_code: outcome.err().map(PushError::code),
                correlation_id: None,
                detail,
            })
            .await
    }

    /// Reconciles every interval (sooner after a failure, and as soon as the stored meetings
    /// change) until `shutdown` turns true, holding the integration's push lease so that one
    /// instance pushes at a time.
    pub async fn run(self, holder: String, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let interval = self.settings.reconcile_interval;
        let lease = interval.saturating_mul(3).max(Duration::from_secs(30));
        let lease_millis = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        while !*shutdown.borrow() {
            let now = self.now_millis();
            let expires = now.saturating_add(lease_millis);
            // What was last pushed without a failure; `None` until then or without the lease.
            let mut pushed = None;
            let succeeded = match self
                .store
                .try_acquire_push_lease(self.id(), &holder, now, expires)
                .await
            {
                Ok(true) => match self.pass().await {
                    Ok(wanted) => {
                        pushed = wanted;
                        pushed.is_some()
                    }
                    Err(error) => {
                        tracing::warn!(integration = %self.id(), %error, "push reconciliation failed");
                        false
                    }
                },
                Ok(false) => true,
                Err(error) => {
                    tracing::warn!(integration = %self.id(), %error, "cannot take the push lease");
                    false
                }
            };
            let pause = if succeeded {
                interval
            } else {
                interval.min(RETRY_AFTER_FAILURE)
            };
            self.wait(pause, pushed.as_deref(), &mut shutdown).await;
        }
        if let Err(error) = self.store.release_push_lease(self.id(), &holder).await {
            tracing::warn!(integration = %self.id(), %error, "cannot release the push lease");
        }
    }

    /// One reconciliation; the conferences it pushed when every step succeeded.
    async fn pass(&self) -> Result<Option<Vec<PushedConference>>, PushWorkerError> {
        let wanted = self.conferences_wanted().await?;
        let report = self.reconcile(&wanted).await?;
        Ok((report.failed == 0).then_some(wanted))
    }

    /// Sleeps `pause`, or less when shutdown is asked for or the wanted conferences are no
    /// longer those `pushed` (checked every few seconds: a cheap read, whoever changed them).
    async fn wait(
        &self,
        pause: Duration,
        pushed: Option<&[PushedConference]>,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) {
        let until = tokio::time::Instant::now() + pause;
        loop {
            let step = until
                .saturating_duration_since(tokio::time::Instant::now())
                .min(CHANGE_CHECK);
            if step.is_zero() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(step) => {}
                _ = shutdown.changed() => return,
            }
            let Some(pushed) = pushed else {
                continue;
            };
            match self.conferences_wanted().await {
                Ok(wanted) if wanted != pushed => return,
                Ok(_) => {}
                Err(error) => {
                    tracing::debug!(integration = %self.id(), %error, "cannot check for changes")
                }
            }
        }
    }
}
