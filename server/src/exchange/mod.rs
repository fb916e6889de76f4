//! Access to the equipment resource's mailbox on Exchange. Only Exchange Web Services (EWS) for
//! now, the API on-premises Exchange keeps offering.

pub mod ews;
