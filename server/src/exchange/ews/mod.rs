//! A client for the subset of Exchange Web Services (EWS) the scheduling service speaks: sync
//! the resource's inbox, fetch meeting messages, accept, decline or remove them, delete what
//! needs no reply, and read the calendar with recurring series expanded.
//!
//! Requests follow the EWS schema exactly; transient failures (throttling, 5xx, timeouts,
//! connection errors) are retried within a [`RetryPolicy`]; per-item failures of batched
//! calls are returned per item.

mod client;
mod error;
pub mod requests;
pub mod responses;
mod types;
mod xml;

#[cfg(test)]
mod tests;

pub use client::{
    AccessTokenSource, EwsAuth, EwsClient, EwsSettings, RetryPolicy, MAX_IDS_PER_CALL,
};
pub use error::{EwsError, ResponseCode};
pub use types::{
    CalendarEntry, CalendarItemType, CalendarView, Item, ItemId, ItemKind, ItemTarget, Organizer,
    RecurrenceSummary, Response, ServerVersion, SyncChange, SyncPage,
};
