//! Rooms for meetings booked without the add-in. A provisioned room is a reservation like the
//! add-in's (same alias generator, same unique constraints), owned by the scheduling service
//! on the organizer's behalf and used by the meeting from the start. It is stored in the same
//! transaction as the meeting's conference and journal step, so a stop never leaves half a room
//! and a restart sends the room already stored instead of drawing another.

use super::outcome::Room;
use super::{MailboxWorker, WorkerError};
use crate::config::IntegrationSettings;
use crate::domain::{AliasMarker, EmailAddress, UserIdentity};
use crate::reservations::candidate;
use crate::scheduling::MeetingMessage;
use crate::store::{Conference, NewReservation, Reservation, StoreChange};
use uuid::Uuid;

/// Draws before the meeting gets the general error: collisions are rare until the alias space
/// is nearly full, as for the add-in's reservations.
pub const MAX_ATTEMPTS: usize = 16;

/// The owner of provisioned rooms. Entra tenant ids are GUIDs, so no signed-in user can ever
/// be this owner, and the add-in routes never find these reservations.
const SERVICE_TENANT: &str = "vmr-scheduler";

/// The reservation owner of a room provisioned for `organizer`.
pub fn owner(organizer: &EmailAddress) -> UserIdentity {
    UserIdentity::Entra {
        tenant_id: SERVICE_TENANT.to_string(),
        object_id: format!("provisioned for {organizer}"),
        email: Some(organizer.clone()),
        name: None,
    }
}

/// Whether the scheduling service provisioned this reservation (no add-in click made it).
pub fn is_provisioned(reservation: &Reservation) -> bool {
    matches!(&reservation.user, UserIdentity::Entra { tenant_id, .. } if tenant_id == SERVICE_TENANT)
}

/// A room drawn for one meeting, not stored yet.
#[derive(Debug, Clone)]
pub struct ProvisionedRoom {
    reservation: NewReservation,
}

impl ProvisionedRoom {
    /// A fresh candidate; whether its alias is free is the database's answer.
    pub fn draw(integration: &IntegrationSettings, organizer: &EmailAddress, now: i64) -> Self {
        let mut rng = rand::thread_rng();
        let (alias, numeric_alias) = candidate(&mut rng, &integration.aliases);
        let lifetime = i64::try_from(integration.reservation_lifetime.as_millis()).unwrap_or(0);
        Self {
            reservation: NewReservation {
                id: Uuid::new_v4(),
                integration: integration.id.clone(),
                alias,
                numeric_alias,
                marker: AliasMarker::generate(&mut rng),
                user: owner(organizer),
                meeting_key: None,
                options: Default::default(),
                created_at: now,
                expires_at: now.saturating_add(lifetime),
            },
        }
    }

    pub fn room(&self) -> Room {
        Room {
            reservation_id: Some(self.reservation.id),
            alias: self.reservation.alias.clone(),
            numeric_alias: self.reservation.numeric_alias.clone(),
        }
    }

    pub fn marker(&self) -> &AliasMarker {
        &self.reservation.marker
    }

    /// The reservation, taken by the meeting at once so its alias never looks free.
    pub fn store_changes(&self, global_object_id: &str) -> [StoreChange; 2] {
        [
            StoreChange::InsertReservation(Box::new(self.reservation.clone())),
            StoreChange::MarkReservationUsed {
                reservation_id: self.reservation.id,
                global_object_id: global_object_id.to_string(),
            },
        ]
    }
}

impl MailboxWorker {
    /// The conference's reservation as the decision sees it. A provisioned room's reservation
    /// is the service's own, not the organizer's: a request without a marker for such a meeting
    /// is the provisioned meeting again (edited, or its update coming back), so it keeps its
    /// room rather than being declined for a missing marker.
    pub(super) async fn reservation_for_decision(
        &self,
        conference: &Conference,
        message: &MeetingMessage,
    ) -> Result<Option<Uuid>, WorkerError> {
        let Some(id) = conference.reservation_id else {
            return Ok(None);
        };
        if !AliasMarker::find_all(&message.body_text).is_empty() {
            return Ok(Some(id));
        }
        let provisioned = self
            .store
            .reservation(id)
            .await?
            .is_some_and(|reservation| is_provisioned(&reservation));
        Ok((!provisioned).then_some(id))
    }
}
