//! Handing out single-use aliases: one fresh alias per meeting, never the same live alias twice.

mod alias_space;
mod changes;
mod generator;

pub use alias_space::{AliasSpaceMonitor, AliasSpaceUsage, WARN_ABOVE};
pub use changes::{ChangeError, Released};
pub use generator::{candidate, random_suffix, AliasSettings};

use crate::domain::{AliasMarker, IntegrationId, InvalidValue, MeetingOptions, UserIdentity};
use crate::store::{NewReservation, Reservation, ReservationState, Store, StoreError};
use std::time::Duration;
use uuid::Uuid;

/// Collisions are rare while the space is less than 1% full, so a handful of attempts fails
/// only when the space is nearly exhausted.
const MAX_ATTEMPTS: usize = 16;

/// The add-in's own key for the meeting being composed: printable ASCII without spaces, at most
/// 512 characters (Outlook item ids are base64 and fit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingKey(String);

impl MeetingKey {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        if input.is_empty() || input.len() > 512 || !input.chars().all(|c| c.is_ascii_graphic()) {
            return Err(InvalidValue(
                "meeting_key must be 1–512 printable ASCII characters without spaces".into(),
            ));
        }
        Ok(Self(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct ReservationRequest {
    pub meeting_key: Option<MeetingKey>,
    /// Give up the user's open reservation for this meeting and hand out a new alias.
    pub replace: bool,
    /// Options chosen for the meeting; `None` keeps those of a reused reservation.
    pub options: Option<MeetingOptions>,
}

#[derive(Debug)]
pub struct Reserved {
    pub reservation: Reservation,
    /// True when the user already held this reservation for the same meeting.
    pub reused: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("no free alias found after {MAX_ATTEMPTS} attempts; the alias space is nearly full")]
    AliasSpaceExhausted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Reserver<'a> {
    pub store: &'a Store,
    pub integration: &'a IntegrationId,
    pub aliases: &'a AliasSettings,
    pub lifetime: Duration,
}

impl Reserver<'_> {
    /// Reserves an alias for `user`; `now` is Unix milliseconds.
    pub async fn reserve(
        &self,
        user: &UserIdentity,
        request: &ReservationRequest,
        now: i64,
    ) -> Result<Reserved, ReserveError> {
        if let Some(key) = &request.meeting_key {
            if let Some(existing) = self
                .store
                .open_reservation_for_meeting(self.integration, user, key.as_str())
                .await?
            {
                if existing.expires_at > now && !request.replace {
                    if let Some(reservation) = self.reuse(existing, request, now).await? {
                        return Ok(Reserved {
                            reservation,
                            reused: true,
                        });
                    }
                    // It closed in the meantime (a meeting used it): hand out a new alias.
                } else {
                    let to = if request.replace {
                        ReservationState::Replaced
                    } else {
                        ReservationState::Expired
                    };
                    self.store
                        .transition_reservation(existing.id, ReservationState::Reserved, to, now)
                        .await?;
                }
            }
        }
        let expires_at =
            now.saturating_add(i64::try_from(self.lifetime.as_millis()).unwrap_or(i64::MAX));
        for _ in 0..MAX_ATTEMPTS {
            let new = {
                let mut rng = rand::thread_rng();
                let (alias, numeric_alias) = candidate(&mut rng, self.aliases);
                NewReservation {
                    id: Uuid::new_v4(),
                    integration: self.integration.clone(),
                    alias,
                    numeric_alias,
                    marker: AliasMarker::generate(&mut rng),
                    user: user.clone(),
                    meeting_key: request.meeting_key.as_ref().map(|k| k.as_str().to_string()),
                    options: request.options.clone().unwrap_or_default(),
                    created_at: now,
                    expires_at,
                }
            };
            if let Some(reservation) = self.store.try_insert_reservation(&new).await? {
                return Ok(Reserved {
                    reservation,
                    reused: false,
                });
            }
            // Either the alias is taken (try another) or a concurrent request of the same user
            // for the same meeting won the race (return its reservation).
            if let Some(key) = &request.meeting_key {
                let winner = self
                    .store
                    .open_reservation_for_meeting(self.integration, user, key.as_str())
                    .await?;
                if let Some(winner) = winner {
                    if let Some(reservation) = self.reuse(winner, request, now).await? {
                        return Ok(Reserved {
                            reservation,
                            reused: true,
                        });
                    }
                }
            }
        }
        Err(ReserveError::AliasSpaceExhausted)
    }

    /// The user's open reservation for the meeting, with the request's options applied if it
    /// brings different ones; `None` if the reservation closed meanwhile.
    async fn reuse(
        &self,
        open: Reservation,
        request: &ReservationRequest,
        now: i64,
    ) -> Result<Option<Reservation>, StoreError> {
        match &request.options {
            Some(options) if *options != open.options => {
                self.store
                    .set_open_reservation_options(open.id, options, now)
                    .await
            }
            _ => Ok(Some(open)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_key_accepts_outlook_item_ids() {
        assert!(MeetingKey::parse("AAMkAGI2TG93AAA=/+x").is_ok());
        assert!(MeetingKey::parse("").is_err());
        assert!(MeetingKey::parse("has space").is_err());
        assert!(MeetingKey::parse(&"a".repeat(513)).is_err());
        assert!(MeetingKey::parse("naïve").is_err());
    }
}
