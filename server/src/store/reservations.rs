//! Reservations: a single-use alias handed to one user for one meeting.

use super::{Backend, Store, StoreError};
use crate::domain::{
    Alias, AliasMarker, EmailAddress, IntegrationId, MeetingOptions, NumericAlias, Pin,
    UserIdentity,
};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

/// `reserved` → `used` (a meeting took it) → `expired`/`deleted`; `replaced` when the same user
/// asked for a new alias for the same meeting. Only `reserved` and `used` hold the alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReservationState {
    Reserved,
    Used,
    Expired,
    Deleted,
    Replaced,
}

impl ReservationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Used => "used",
            Self::Expired => "expired",
            Self::Deleted => "deleted",
            Self::Replaced => "replaced",
        }
    }

    fn parse(value: &str) -> Result<Self, StoreError> {
        Ok(match value {
            "reserved" => Self::Reserved,
            "used" => Self::Used,
            "expired" => Self::Expired,
            "deleted" => Self::Deleted,
            "replaced" => Self::Replaced,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown reservation state `{other}`"
                )))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReservation {
    pub id: Uuid,
    pub integration: IntegrationId,
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
    pub marker: AliasMarker,
    pub user: UserIdentity,
    pub meeting_key: Option<String>,
    pub options: MeetingOptions,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: Uuid,
    pub integration: IntegrationId,
    pub alias: Alias,
    pub numeric_alias: NumericAlias,
    pub marker: AliasMarker,
    pub state: ReservationState,
    pub user: UserIdentity,
    pub meeting_key: Option<String>,
    /// What the organizer chose for the meeting; the conferencing policy applies it.
    pub options: MeetingOptions,
    pub created_at: i64,
    pub expires_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, integration, alias, numeric_alias, marker, state, user_key, user_kind, \
    tenant_id, object_id, email, msexchuid, amurl, meeting_key, host_pin, guest_pin, guests_allowed, \
    created_at, expires_at, updated_at";

impl Store {
    /// Inserts the reservation, or returns `None` when it would collide with a live alias,
    /// numeric alias, marker or an open reservation for the same user and meeting: the caller
    /// decides whether to retry with a new alias or return the existing reservation.
    pub async fn try_insert_reservation(
        &self,
        new: &NewReservation,
    ) -> Result<Option<Reservation>, StoreError> {
        self.batch_writer().insert(new.clone()).await
    }

    /// The user's open (`reserved`) reservation for a meeting, if any.
    pub async fn open_reservation_for_meeting(
        &self,
        integration: &IntegrationId,
        user: &UserIdentity,
        meeting_key: &str,
    ) -> Result<Option<Reservation>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM reservations WHERE integration = $1 AND user_key = $2 \
             AND meeting_key = $3 AND state = 'reserved'"
        );
        let row = sqlx::query(&sql)
            .bind(integration.as_str())
            .bind(user.key())
            .bind(meeting_key)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(reservation_from_row).transpose()
    }

    /// The meeting (global object id) that used the reservation's alias, if any.
    pub async fn meeting_of_reservation(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        let meeting: Option<Option<String>> =
            sqlx::query_scalar("SELECT used_by_meeting FROM reservations WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(meeting.flatten())
    }

    pub async fn reservation(&self, id: Uuid) -> Result<Option<Reservation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reservations WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(reservation_from_row).transpose()
    }

    pub async fn reservation_by_marker(
        &self,
        marker: &AliasMarker,
    ) -> Result<Option<Reservation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reservations WHERE marker = $1");
        let row = sqlx::query(&sql)
            .bind(marker.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(reservation_from_row).transpose()
    }

    /// Moves a reservation from one state to another only if it is still in `from`, so two
    /// racing callers cannot both win. Returns whether this caller made the change.
    pub async fn transition_reservation(
        &self,
        id: Uuid,
        from: ReservationState,
        to: ReservationState,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE reservations SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many aliases of the integration are held (reserved or used).
    pub async fn count_live_reservations(
        &self,
        integration: &IntegrationId,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reservations WHERE integration = $1 AND state IN ('reserved', 'used')",
        )
        .bind(integration.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The reservation `id` of the integration if `user` holds it, in whatever state.
    pub async fn reservation_of_user(
        &self,
        integration: &IntegrationId,
        id: Uuid,
        user: &UserIdentity,
    ) -> Result<Option<Reservation>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM reservations WHERE id = $1 AND integration = $2 AND user_key = $3"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(integration.as_str())
            .bind(user.key())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(reservation_from_row).transpose()
    }

    /// Replaces the options of a reservation that is still open (`reserved` and not past
    /// `expires_at`) and returns it; `None` when it is not open (any more).
    pub async fn set_open_reservation_options(
        &self,
        id: Uuid,
        options: &MeetingOptions,
        now: i64,
    ) -> Result<Option<Reservation>, StoreError> {
        let sql = format!(
            "UPDATE reservations SET host_pin = $1, guest_pin = $2, guests_allowed = $3, \
             updated_at = $4 WHERE id = $5 AND state = 'reserved' AND expires_at > $4 \
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(options.host_pin().map(Pin::as_str))
            .bind(options.guest_pin().map(Pin::as_str))
            .bind(options.guests_allowed().map(i64::from))
            .bind(now)
            .bind(id.to_string())
            .fetch_optional(self.writer())
            .await?;
        row.as_ref().map(reservation_from_row).transpose()
    }
}

/// Inserts several reservations in one statement; returns those that did not collide (a row
/// colliding with a live alias, marker or open meeting, or with an earlier row of the same
/// statement, is skipped). One round trip, however many rows.
pub(super) async fn insert_reservations<'e, E>(
    executor: E,
    backend: Backend,
    rows: &[NewReservation],
) -> Result<Vec<Reservation>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    // Parameters bound per row, in COLUMNS order without `state` (a literal at STATE_AT) and
    // `updated_at` (created_at again).
    const PER_ROW: usize = 18;
    const STATE_AT: usize = 5;
    const CREATED_AT: usize = 16;
    // PostgreSQL needs `$n`; SQLite looks each named parameter up by a linear scan, so a long
    // multi-row statement binds much faster with anonymous `?` (bound in order).
    let placeholder = |n: usize| match backend {
        Backend::Postgres => format!("${n}"),
        Backend::Sqlite => "?".to_string(),
    };
    let values: Vec<String> = (0..rows.len())
        .map(|row| {
            let mut fields: Vec<String> = (1..=PER_ROW)
                .map(|n| placeholder(row * PER_ROW + n))
                .collect();
            // created_at doubles as updated_at; with anonymous parameters it is bound twice.
            let updated_at = match backend {
                Backend::Postgres => fields[CREATED_AT].clone(),
                Backend::Sqlite => "?".to_string(),
            };
            fields.insert(STATE_AT, "'reserved'".to_string());
            fields.push(updated_at);
            format!("({})", fields.join(", "))
        })
        .collect();
    // Only the ids come back: the stored row is exactly what was sent, so decoding it again
    // would only cost time on the hot path.
    let sql = format!(
        "INSERT INTO reservations ({COLUMNS}) VALUES {} ON CONFLICT DO NOTHING RETURNING id",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for new in rows {
        let (kind, tenant_id, object_id, email, msexchuid, amurl) = identity_columns(&new.user);
        query = query
            .bind(new.id.to_string())
            .bind(new.integration.as_str())
            .bind(new.alias.as_str())
            .bind(new.numeric_alias.as_str())
            .bind(new.marker.as_str())
            .bind(new.user.key())
            .bind(kind)
            .bind(tenant_id)
            .bind(object_id)
            .bind(email)
            .bind(msexchuid)
            .bind(amurl)
            .bind(new.meeting_key.as_deref())
            .bind(new.options.host_pin().map(Pin::as_str))
            .bind(new.options.guest_pin().map(Pin::as_str))
            .bind(new.options.guests_allowed().map(i64::from))
            .bind(new.created_at)
            .bind(new.expires_at);
        if backend == Backend::Sqlite {
            query = query.bind(new.created_at);
        }
    }
    let stored: std::collections::HashSet<String> = query
        .fetch_all(executor)
        .await?
        .iter()
        .map(|row| row.try_get("id"))
        .collect::<Result<_, _>>()?;
    Ok(rows
        .iter()
        .filter(|new| stored.contains(&new.id.to_string()))
        .map(Reservation::just_stored)
        .collect())
}

impl Reservation {
    /// The row as `insert_reservations` writes it.
    fn just_stored(new: &NewReservation) -> Self {
        Self {
            id: new.id,
            integration: new.integration.clone(),
            alias: new.alias.clone(),
            numeric_alias: new.numeric_alias.clone(),
            marker: new.marker.clone(),
            state: ReservationState::Reserved,
            user: stored_identity(&new.user),
            meeting_key: new.meeting_key.clone(),
            options: new.options.clone(),
            created_at: new.created_at,
            expires_at: new.expires_at,
            updated_at: new.created_at,
        }
    }
}

/// The identity as it reads back from storage (the display name is not kept).
fn stored_identity(user: &UserIdentity) -> UserIdentity {
    match user {
        UserIdentity::Entra {
            tenant_id,
            object_id,
            email,
            ..
        } => UserIdentity::Entra {
            tenant_id: tenant_id.clone(),
            object_id: object_id.clone(),
            email: email.clone(),
            name: None,
        },
        exchange @ UserIdentity::Exchange { .. } => exchange.clone(),
    }
}

type IdentityColumns<'a> = (
    &'static str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn identity_columns(user: &UserIdentity) -> IdentityColumns<'_> {
    match user {
        UserIdentity::Entra {
            tenant_id,
            object_id,
            email,
            ..
        } => (
            "entra",
            Some(tenant_id),
            Some(object_id),
            email.as_ref().map(EmailAddress::as_str),
            None,
            None,
        ),
        UserIdentity::Exchange { msexchuid, amurl } => {
            ("exchange", None, None, None, Some(msexchuid), Some(amurl))
        }
    }
}

fn reservation_from_row(row: &AnyRow) -> Result<Reservation, StoreError> {
    let text =
        |column: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(column)?) };
    let optional = |column: &str| -> Result<Option<String>, StoreError> {
        Ok(row.try_get::<Option<String>, _>(column)?)
    };
    let corrupt =
        |what: &str, error: &dyn std::fmt::Display| StoreError::Corrupt(format!("{what}: {error}"));

    let user = match text("user_kind")?.as_str() {
        "entra" => UserIdentity::Entra {
            tenant_id: optional("tenant_id")?.unwrap_or_default(),
            object_id: optional("object_id")?.unwrap_or_default(),
            email: optional("email")?
                .map(|e| EmailAddress::parse(&e))
                .transpose()
                .map_err(|e| corrupt("email", &e))?,
            name: None,
        },
        "exchange" => UserIdentity::Exchange {
            msexchuid: optional("msexchuid")?.unwrap_or_default(),
            amurl: optional("amurl")?.unwrap_or_default(),
        },
        other => return Err(StoreError::Corrupt(format!("unknown user kind `{other}`"))),
    };
    Ok(Reservation {
        id: Uuid::parse_str(&text("id")?).map_err(|e| corrupt("id", &e))?,
        integration: IntegrationId::parse(&text("integration")?)
            .map_err(|e| corrupt("integration", &e))?,
        alias: Alias::parse(&text("alias")?).map_err(|e| corrupt("alias", &e))?,
        numeric_alias: NumericAlias::parse(&text("numeric_alias")?)
            .map_err(|e| corrupt("numeric_alias", &e))?,
        marker: AliasMarker::parse(&text("marker")?).map_err(|e| corrupt("marker", &e))?,
        state: ReservationState::parse(&text("state")?)?,
        user,
        meeting_key: optional("meeting_key")?,
        options: MeetingOptions::parse(
            optional("host_pin")?.as_deref(),
            optional("guest_pin")?.as_deref(),
            row.try_get::<Option<i64>, _>("guests_allowed")?
                .map(|allowed| allowed != 0),
        )
        .map_err(|e| corrupt("options", &e))?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
