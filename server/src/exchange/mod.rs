//! Access to the equipment resource's mailbox on Exchange. Only Exchange Web Services (EWS) for
//! now, the API on-premises Exchange keeps offering; `ews_connector` puts it behind the
//! scheduling worker's `MailboxConnector`.

pub mod ews;
pub mod ews_connector;
pub mod oauth;
mod organizer_update;
pub mod tooling;
