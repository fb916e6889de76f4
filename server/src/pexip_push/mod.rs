//! Push mode for sites without an external policy server: the rooms of stored conferences are
//! kept in Pexip Infinity's own configuration through its management API. diff.rs is the
//! functional core (desired rooms vs rooms found → steps), client.rs the API client,
//! worker.rs the reconciliation loop.

mod client;
mod desired;
pub mod diff;
mod worker;

pub use client::{ManagementClient, PushError};
pub use desired::desired_room;
pub use worker::{PushReport, PushWorker, PushWorkerError};
