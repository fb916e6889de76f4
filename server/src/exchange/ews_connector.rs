//! The EWS side of [`MailboxConnector`]: the equipment resource's inbox read and answered
//! through an [`EwsClient`] impersonating the resource.

use super::ews::{
    EwsAuth, EwsClient, EwsError, EwsSettings, Item, ItemId, ItemKind, Response, ResponseCode,
    RetryPolicy, ServerVersion, SyncChange,
};
use crate::config::{EwsServerVersion, ExchangeAuth, ExchangeSettings};
use crate::domain::EmailAddress;
use crate::exchange::oauth::ExchangeTokens;
use crate::scheduling::worker::SeriesOccurrence;
use crate::scheduling::worker::{
    Answer, ConnectorError, ConnectorFuture, InboxPage, MailboxConnector, OrganizerUpdate,
    OrganizerUpdateOutcome, OutgoingAnswer,
};
use crate::scheduling::{
    ItemIdentity, MeetingMessage, MeetingWindow, MessageKind, Organizer, Schedule, Series,
    UpdateScope,
};
use time::OffsetDateTime;

mod series;

/// Changes per sync call (EWS allows up to 512).
const SYNC_PAGE: u16 = 256;

pub struct EwsConnector {
    client: EwsClient,
    resource: EmailAddress,
}

impl EwsConnector {
    pub fn new(client: EwsClient, resource: EmailAddress) -> Self {
        Self { client, resource }
    }

    /// A client for the integration's settings, with `tokens` for OAuth.
    pub fn client_for(
        settings: &ExchangeSettings,
        tokens: &ExchangeTokens,
    ) -> Result<EwsClient, String> {
        let auth = match (&settings.auth, tokens.source()) {
            (ExchangeAuth::Basic { username, password }, _) => EwsAuth::Basic {
                username: username.clone(),
                password: password.clone(),
            },
            (_, Some(source)) => EwsAuth::Bearer(source),
            (_, None) => return Err("OAuth is configured but no token source was built".into()),
        };
        EwsClient::new(EwsSettings {
            url: settings.url.clone(),
            server_version: match settings.server_version {
                EwsServerVersion::Exchange2013Sp1 => ServerVersion::Exchange2013Sp1,
                EwsServerVersion::Exchange2016 => ServerVersion::Exchange2016,
            },
            auth,
            timeout: settings.timeout,
            retry: RetryPolicy::default(),
        })
        .map_err(|error| error.to_string())
    }

    pub fn client(&self) -> &EwsClient {
        &self.client
    }
}

impl MailboxConnector for EwsConnector {
    fn sync_inbox<'a>(&'a self, sync_state: Option<&'a str>) -> ConnectorFuture<'a, InboxPage> {
        Box::pin(async move {
            let page = self
                .client
                .sync_inbox(Some(&self.resource), sync_state, SYNC_PAGE)
                .await
                .map_err(connector_error)?;
            let items = page
                .changes
                .into_iter()
                .filter_map(|change| match change {
                    SyncChange::Created { id, .. } | SyncChange::Updated { id, .. } => {
                        Some(identity(&id))
                    }
                    SyncChange::Deleted { .. } => None,
                })
                .collect();
            Ok(InboxPage {
                items,
                sync_state: page.sync_state,
                complete: page.includes_last,
            })
        })
    }

    fn read_messages<'a>(
        &'a self,
        items: &'a [ItemIdentity],
    ) -> ConnectorFuture<'a, Vec<Result<MeetingMessage, ConnectorError>>> {
        Box::pin(async move {
            let ids: Vec<ItemId> = items.iter().map(item_id).collect();
            let read = self
                .client
                .get_items(Some(&self.resource), &ids)
                .await
                .map_err(connector_error)?;
            Ok(read
                .into_iter()
                .map(|item| item.map_err(connector_error).and_then(meeting_message))
                .collect())
        })
    }

    fn send_answers<'a>(
        &'a self,
        answers: &'a [OutgoingAnswer],
    ) -> ConnectorFuture<'a, Vec<Result<(), ConnectorError>>> {
        Box::pin(async move {
            // Responses go in one CreateItem; messages that need none are moved out in one
            // DeleteItem. Results are put back in the answers' order.
            let mut responses = Vec::new();
            let mut discards = Vec::new();
            for (index, outgoing) in answers.iter().enumerate() {
                let item = item_id(&outgoing.item);
                match &outgoing.answer {
                    Answer::Accept { body_html } => responses.push((
                        index,
                        Response::Accept {
                            item,
                            body_html: body_html.clone(),
                        },
                    )),
                    Answer::Decline { body_html } => responses.push((
                        index,
                        Response::Decline {
                            item,
                            body_html: body_html.clone(),
                        },
                    )),
                    Answer::RemoveFromCalendar => {
                        responses.push((index, Response::Remove { item }))
                    }
                    Answer::Discard => discards.push((index, item)),
                    // The worker makes the organizer update first and sends a plain accept;
                    // on its own this answer can only carry the instructions itself.
                    Answer::AcceptAfterOrganizerUpdate {
                        fallback_body_html, ..
                    } => responses.push((
                        index,
                        Response::Accept {
                            item,
                            body_html: fallback_body_html.clone(),
                        },
                    )),
                }
            }
            let mut results: Vec<Result<(), ConnectorError>> =
                answers.iter().map(|_| Ok(())).collect();
            if !responses.is_empty() {
                let calls: Vec<Response> = responses.iter().map(|(_, r)| r.clone()).collect();
                let outcome = self
                    .client
                    .respond(Some(&self.resource), &calls)
                    .await
                    .map_err(connector_error)?;
                for ((index, _), result) in responses.iter().zip(outcome) {
                    results[*index] = result.map_err(connector_error);
                }
            }
            if !discards.is_empty() {
                let ids: Vec<ItemId> = discards.iter().map(|(_, id)| id.clone()).collect();
                let outcome = self
                    .client
                    .delete_items(Some(&self.resource), &ids, false)
                    .await
                    .map_err(connector_error)?;
                for ((index, _), result) in discards.iter().zip(outcome) {
                    results[*index] = result.map_err(connector_error);
                }
            }
            Ok(results)
        })
    }

    fn update_organizer_meeting<'a>(
        &'a self,
        update: &'a OrganizerUpdate,
    ) -> ConnectorFuture<'a, OrganizerUpdateOutcome> {
        Box::pin(super::organizer_update::update_organizer_meeting(
            &self.client,
            update,
        ))
    }

    fn still_waiting<'a>(&'a self, item: &'a ItemIdentity) -> ConnectorFuture<'a, bool> {
        Box::pin(async move {
            // Answering moves a message out of the inbox under a new id, so the old one is gone.
            let read = self
                .client
                .get_items(Some(&self.resource), &[item_id(item)])
                .await
                .map_err(connector_error)?;
            match read.into_iter().next() {
                Some(Ok(found)) => Ok(found.id.change_key.as_deref() == Some(&item.change_key)),
                Some(Err(error)) => match connector_error(error) {
                    ConnectorError::ItemGone => Ok(false),
                    other => Err(other),
                },
                None => Ok(false),
            }
        })
    }

    fn series_occurrences<'a>(
        &'a self,
        global_object_id: &'a str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> ConnectorFuture<'a, Vec<SeriesOccurrence>> {
        Box::pin(series::occurrences(
            &self.client,
            &self.resource,
            global_object_id,
            from,
            to,
        ))
    }
}

fn identity(id: &ItemId) -> ItemIdentity {
    ItemIdentity {
        item_id: id.id.clone(),
        change_key: id.change_key.clone().unwrap_or_default(),
    }
}

fn item_id(item: &ItemIdentity) -> ItemId {
    ItemId::new(
        item.item_id.clone(),
        (!item.change_key.is_empty()).then(|| item.change_key.clone()),
    )
}

pub(super) fn connector_error(error: EwsError) -> ConnectorError {
    match error.response_code() {
        Some(ResponseCode::ErrorInvalidSyncStateData) => ConnectorError::SyncStateInvalid,
        Some(ResponseCode::ErrorItemNotFound) => ConnectorError::ItemGone,
        code => ConnectorError::Failed {
            code: code.map_or_else(|| short_code(&error), |c| c.as_str().to_string()),
            message: error.to_string(),
            retryable: error.is_retryable(),
        },
    }
}

/// A stable code for errors without an EWS response code.
fn short_code(error: &EwsError) -> String {
    match error {
        EwsError::Unauthorized => "unauthorized".into(),
        EwsError::Http { status } => format!("http_{status}"),
        EwsError::Timeout => "timeout".into(),
        EwsError::Transport(_) => "unreachable".into(),
        EwsError::Malformed(_) => "malformed_response".into(),
        EwsError::RetriesExhausted { last, .. } => short_code(last),
        EwsError::Throttled { .. } => "ErrorServerBusy".into(),
        EwsError::Fault { code, .. } | EwsError::Token { code, .. } => code.clone(),
        EwsError::Response { code, .. } => code.as_str().to_string(),
    }
}

fn invalid(what: &str) -> ConnectorError {
    ConnectorError::Failed {
        code: "invalid_meeting_message".into(),
        message: format!("the meeting message has {what}"),
        retryable: false,
    }
}

/// The message as the decision reads it. Anything but a meeting request or cancellation is
/// `NotAMeetingMessage`, which the worker clears from the inbox unanswered.
fn meeting_message(item: Item) -> Result<MeetingMessage, ConnectorError> {
    let kind = match &item.kind {
        ItemKind::MeetingRequest => MessageKind::Request,
        ItemKind::MeetingCancellation => MessageKind::Cancellation,
        _ => return Err(ConnectorError::NotAMeetingMessage),
    };
    let organizer = item
        .organizer
        .as_ref()
        .ok_or_else(|| invalid("no organizer"))?;
    let email = EmailAddress::parse(&organizer.email)
        .map_err(|_| invalid("an invalid organizer address"))?;
    let uid = item.uid.clone().ok_or_else(|| invalid("no UID"))?;
    let (start, end) = match (item.start, item.end) {
        (Some(start), Some(end)) => (start, end),
        _ => return Err(invalid("no start or end")),
    };
    let occurrence = item.recurrence_id;
    let schedule = match (&item.recurrence, occurrence) {
        (Some(recurrence), None) => Schedule::Series(Series {
            first_start: start,
            last_end: recurrence
                .end_date
                .map(|date| last_moment_of(date, end - start)),
            occurrences: Vec::new(),
        }),
        _ => Schedule::Single(MeetingWindow { start, end }),
    };
    let is_new = matches!(
        item.meeting_request_type.as_deref(),
        None | Some("NewMeetingRequest")
    );
    let update = match (kind == MessageKind::Cancellation, is_new, occurrence) {
        (_, _, Some(original_start)) => Some(UpdateScope::Occurrence { original_start }),
        (false, true, None) => None,
        _ if item.recurrence.is_some() => Some(UpdateScope::WholeSeries),
        _ => Some(UpdateScope::WholeMeeting),
    };
    Ok(MeetingMessage {
        kind,
        item: identity(&item.id),
        global_object_id: uid,
        organizer: Organizer {
            email,
            name: organizer.name.clone(),
        },
        subject: item.subject.unwrap_or_default(),
        body_text: item.body_text.unwrap_or_default(),
        schedule,
        update,
        correlation_id: String::new(),
    })
}

/// The latest a series ending on `date` can end in any time zone: the date's end at UTC−12
/// plus one occurrence. The exact windows come from Exchange's calendar view.
fn last_moment_of(date: time::Date, duration: time::Duration) -> OffsetDateTime {
    date.next_day().unwrap_or(date).midnight().assume_utc() + time::Duration::hours(12) + duration
}
