//! Group commit. Concurrent reservation inserts are queued to one task that writes
//! whatever has queued up (up to [`MAX_BATCH`]) as one multi-row `INSERT`: SQLite pays per
//! statement (a hop to sqlx's connection thread) and per commit (WAL pages of the table and its
//! indexes), PostgreSQL per commit (a WAL flush) and per round trip, so under load many inserts share both instead of queueing for the single write
//! lock one by one. Each insert keeps its own outcome (stored, or skipped as a collision); if the
//! statement fails, every insert of the batch gets the error and nothing was stored.

use super::reservations::{insert_reservations, NewReservation, Reservation};
use super::{Backend, StoreError};
use sqlx::AnyPool;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 128;
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<Result<Option<Reservation>, StoreError>>;

#[derive(Clone)]
pub(super) struct BatchWriter {
    jobs: mpsc::Sender<(NewReservation, Reply)>,
}

impl BatchWriter {
    /// Starts the writer task on the current runtime; it ends when the last `BatchWriter` is dropped.
    pub(super) fn start(writer: AnyPool, backend: Backend) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(writer, backend, queue));
        Self { jobs }
    }

    pub(super) async fn insert(
        &self,
        new: NewReservation,
    ) -> Result<Option<Reservation>, StoreError> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send((new, reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        outcome.await.map_err(|_| StoreError::WriterStopped)?
    }
}

async fn run(
    writer: AnyPool,
    backend: Backend,
    mut queue: mpsc::Receiver<(NewReservation, Reply)>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcomes = insert_all(&writer, backend, &batch).await;
        match outcomes {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.drain(..).zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(error) => {
                tracing::error!(%error, inserts = batch.len(), "reservation batch not committed");
                let message = error.to_string();
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(StoreError::BatchFailed(message.clone())));
                }
            }
        }
    }
}

/// Per-insert outcomes, in the batch's order, if the statement succeeded.
async fn insert_all(
    writer: &AnyPool,
    backend: Backend,
    batch: &[(NewReservation, Reply)],
) -> Result<Vec<Result<Option<Reservation>, StoreError>>, StoreError> {
    let rows: Vec<NewReservation> = batch.iter().map(|(new, _)| new.clone()).collect();
    let mut stored: HashMap<uuid::Uuid, Reservation> = insert_reservations(writer, backend, &rows)
        .await?
        .into_iter()
        .map(|reservation| (reservation.id, reservation))
        .collect();
    Ok(rows.iter().map(|new| Ok(stored.remove(&new.id))).collect())
}
