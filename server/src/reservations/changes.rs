//! Changes a user makes to a reservation they hold: its meeting options, or giving it back.

use super::Reserver;
use crate::domain::{MeetingOptions, UserIdentity};
use crate::store::{Reservation, ReservationState, StoreError};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Unknown, of another integration or of another user: callers cannot tell these apart.
    #[error("there is no such reservation of this user")]
    NotFound,
    /// The reservation no longer takes changes; the text says what it is now.
    #[error("the reservation is {0}; only an open reservation can be changed")]
    NotOpen(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What [`Reserver::release`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Released {
    /// The alias was given back by this call.
    Now,
    /// It was no longer held (deleted, expired or replaced before).
    Already,
}

impl Reserver<'_> {
    /// Replaces the options of the user's open reservation `id` and returns it.
    pub async fn set_options(
        &self,
        user: &UserIdentity,
        id: Uuid,
        options: &MeetingOptions,
        now: i64,
    ) -> Result<Reservation, ChangeError> {
        self.owned(user, id).await?;
        if let Some(updated) = self
            .store
            .set_open_reservation_options(id, options, now)
            .await?
        {
            return Ok(updated);
        }
        let current = self.owned(user, id).await?;
        Err(ChangeError::NotOpen(describe_closed(&current, now)))
    }

    /// Gives back the user's unused reservation `id`, so its alias can be handed out again.
    /// Asking again is harmless; a reservation a meeting already uses cannot be given back.
    pub async fn release(
        &self,
        user: &UserIdentity,
        id: Uuid,
        now: i64,
    ) -> Result<Released, ChangeError> {
        let mut state = self.owned(user, id).await?.state;
        if state == ReservationState::Reserved {
            if self
                .store
                .transition_reservation(id, state, ReservationState::Deleted, now)
                .await?
            {
                return Ok(Released::Now);
            }
            // Another request changed it first; judge by what it is now.
            state = self.owned(user, id).await?.state;
        }
        match state {
            ReservationState::Used => Err(ChangeError::NotOpen("used by a meeting")),
            _ => Ok(Released::Already),
        }
    }

    async fn owned(&self, user: &UserIdentity, id: Uuid) -> Result<Reservation, ChangeError> {
        self.store
            .reservation_of_user(self.integration, id, user)
            .await?
            .ok_or(ChangeError::NotFound)
    }
}

/// Why a reservation that is not open is not: its state, or its lifetime for one that was
/// never used before `expires_at`.
fn describe_closed(reservation: &Reservation, now: i64) -> &'static str {
    match reservation.state {
        ReservationState::Reserved if reservation.expires_at <= now => "expired",
        ReservationState::Reserved => "being changed by another request",
        ReservationState::Used => "used by a meeting",
        ReservationState::Expired => "expired",
        ReservationState::Deleted => "deleted",
        ReservationState::Replaced => "replaced by another reservation",
    }
}
