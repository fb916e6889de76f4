//! Acting as the organizer of a meeting the service provisioned a room for: the organizer's own
//! calendar item gets the joining instructions and the location, and Exchange sends the
//! updated meeting to every attendee (the equipment resource included).

use super::ews::{CalendarItemType, EwsClient, EwsError, ItemTarget, ResponseCode};
use super::ews_connector::connector_error;
use crate::domain::EmailAddress;
use crate::scheduling::worker::{ConnectorError, OrganizerUpdate, OrganizerUpdateOutcome};
use time::OffsetDateTime;

/// Calendar entries read around the meeting's window; a busy calendar still fits.
const MAX_VIEW_ENTRIES: u32 = 256;

/// Finds the organizer's meeting by its UID in their calendar around the meeting's window,
/// and updates it (the series, for an occurrence) unless it already carries the instructions.
pub async fn update_organizer_meeting(
    client: &EwsClient,
    update: &OrganizerUpdate,
) -> Result<OrganizerUpdateOutcome, ConnectorError> {
    let Ok(organizer) = EmailAddress::parse(&update.organizer) else {
        return Ok(refused("invalid_organizer_address"));
    };
    let mailbox = Some(&organizer);
    let start = at(update.start);
    // A view holds a meeting that overlaps it; one minute more keeps a zero-length one in.
    let end = at(update.end).max(start + time::Duration::minutes(1));
    let view = match client
        .calendar_view_page(mailbox, start, end, MAX_VIEW_ENTRIES)
        .await
    {
        Ok(view) => view,
        Err(error) => return refusal_or_error(error),
    };
    let Some(entry) = view
        .entries
        .iter()
        .find(|entry| entry.uid.as_deref() == Some(update.global_object_id.as_str()))
    else {
        return Ok(refused("meeting_not_in_organizer_calendar"));
    };
    let target = match entry.calendar_item_type {
        Some(CalendarItemType::Occurrence | CalendarItemType::Exception) => {
            ItemTarget::SeriesOf(entry.id.clone())
        }
        _ => ItemTarget::Item(entry.id.clone()),
    };
    let item = match client.get_item_html(mailbox, &target).await {
        Ok(item) => item,
        Err(error) => return refusal_or_error(error),
    };
    let body = item.body_text.unwrap_or_default();
    if body.contains(&update.marker) {
        // An earlier attempt updated it (body and location go together).
        return Ok(OrganizerUpdateOutcome::Updated);
    }
    let body = append_html(&body, &update.instructions_html);
    match client
        .update_calendar_item(mailbox, &item.id, &body, &update.location)
        .await
    {
        Ok(()) => Ok(OrganizerUpdateOutcome::Updated),
        Err(error) => refusal_or_error(error),
    }
}

/// `addition` at the end of the document's body, or of the fragment.
fn append_html(body: &str, addition: &str) -> String {
    let lower = body.to_ascii_lowercase();
    match lower.rfind("</body>") {
        Some(at) => format!("{}{addition}\n{}", &body[..at], &body[at..]),
        None if body.trim().is_empty() => addition.to_string(),
        None => format!("{body}\n{addition}"),
    }
}

/// Exchange's answers that say this cannot be done as the organizer, now or later; anything
/// else is worth another try.
fn refusal_or_error(error: EwsError) -> Result<OrganizerUpdateOutcome, ConnectorError> {
    match error.response_code() {
        Some(
            code @ (ResponseCode::ErrorImpersonateUserDenied
            | ResponseCode::ErrorNonExistentMailbox
            | ResponseCode::ErrorAccessDenied
            | ResponseCode::ErrorItemNotFound),
        ) => Ok(refused(code.as_str())),
        _ => Err(connector_error(error)),
    }
}

fn refused(code: &str) -> OrganizerUpdateOutcome {
    OrganizerUpdateOutcome::Refused {
        code: code.to_string(),
    }
}

fn at(unix_ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::append_html;

    #[test]
    fn instructions_go_at_the_end_of_the_body() {
        assert_eq!(
            append_html("<html><body><p>Agenda</p></BODY></html>", "<div>VMR</div>"),
            "<html><body><p>Agenda</p><div>VMR</div>\n</BODY></html>"
        );
        assert_eq!(
            append_html("<p>Agenda</p>", "<div>VMR</div>"),
            "<p>Agenda</p>\n<div>VMR</div>"
        );
        assert_eq!(append_html("  ", "<div>VMR</div>"), "<div>VMR</div>");
    }
}
