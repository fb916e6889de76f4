//! Personal VMRs: users' own permanent rooms, imported by an admin, looked up by owner email.

use super::{Store, StoreError};
use crate::domain::{EmailAddress, IntegrationId, PersonalVmr, PersonalVmrFields, Pin};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashSet;
use uuid::Uuid;

const COLUMNS: &str = "id, integration, owner_email, name, description, domain_aliases, \
    other_aliases, numeric_aliases, pin, guest_pin, allow_guests, updated_at";

/// A personal VMR as stored. The id stays the same when an import updates the VMR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPersonalVmr {
    pub id: Uuid,
    pub integration: IntegrationId,
    pub vmr: PersonalVmr,
    /// Unix milliseconds of the import that last wrote it.
    pub updated_at: i64,
}

/// How an import treats the integration's personal VMRs that are not in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// Keep them: VMRs are added or updated by (owner, name).
    Upsert,
    /// Delete them: afterwards the integration has exactly the imported set.
    Replace,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SavedCounts {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
}

impl Store {
    /// Writes `vmrs` (unique by owner and name) in one transaction: all or nothing.
    pub async fn save_personal_vmrs(
        &self,
        integration: &IntegrationId,
        vmrs: &[PersonalVmr],
        mode: SaveMode,
        now: i64,
    ) -> Result<SavedCounts, StoreError> {
        let mut tx = self.writer().begin().await?;
        let existing: HashSet<(String, String)> =
            sqlx::query("SELECT owner_email, name FROM personal_vmrs WHERE integration = $1")
                .bind(integration.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("owner_email")?, row.try_get("name")?)))
                .collect::<Result<_, sqlx::Error>>()?;
        let upsert = format!(
            "INSERT INTO personal_vmrs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (integration, owner_email, name) DO UPDATE SET \
             description = excluded.description, domain_aliases = excluded.domain_aliases, \
             other_aliases = excluded.other_aliases, numeric_aliases = excluded.numeric_aliases, \
             pin = excluded.pin, guest_pin = excluded.guest_pin, \
             allow_guests = excluded.allow_guests, updated_at = excluded.updated_at"
        );
        let mut counts = SavedCounts::default();
        let mut kept = HashSet::with_capacity(vmrs.len());
        for vmr in vmrs {
            let aliases = vmr.aliases();
            sqlx::query(&upsert)
                .bind(Uuid::new_v4().to_string())
                .bind(integration.as_str())
                .bind(vmr.owner_email().as_str())
                .bind(vmr.name())
                .bind(vmr.description())
                .bind(json_list(aliases.domain()))
                .bind(json_list(aliases.other()))
                .bind(json_list(aliases.numeric()))
                .bind(vmr.pin().map(Pin::as_str))
                .bind(vmr.guest_pin().map(Pin::as_str))
                .bind(i64::from(vmr.allow_guests()))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let key = (
                vmr.owner_email().as_str().to_string(),
                vmr.name().to_string(),
            );
            if existing.contains(&key) {
                counts.updated += 1;
            } else {
                counts.added += 1;
            }
            kept.insert(key);
        }
        if mode == SaveMode::Replace {
            for (owner_email, name) in existing.difference(&kept) {
                sqlx::query(
                    "DELETE FROM personal_vmrs WHERE integration = $1 AND owner_email = $2 AND name = $3",
                )
                .bind(integration.as_str())
                .bind(owner_email)
                .bind(name)
                .execute(&mut *tx)
                .await?;
                counts.removed += 1;
            }
        }
        tx.commit().await?;
        Ok(counts)
    }

    /// The integration's personal VMRs, of one owner (compared case-insensitively) or of all,
    /// ordered by owner and name.
    pub async fn personal_vmrs(
        &self,
        integration: &IntegrationId,
        owner: Option<&EmailAddress>,
    ) -> Result<Vec<StoredPersonalVmr>, StoreError> {
        let rows = match owner {
            Some(owner) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM personal_vmrs WHERE integration = $1 AND owner_email = $2 \
                     ORDER BY name"
                );
                sqlx::query(&sql)
                    .bind(integration.as_str())
                    .bind(owner.as_str().to_lowercase())
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM personal_vmrs WHERE integration = $1 \
                     ORDER BY owner_email, name"
                );
                sqlx::query(&sql)
                    .bind(integration.as_str())
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(personal_vmr_from_row).collect()
    }
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

fn personal_vmr_from_row(row: &AnyRow) -> Result<StoredPersonalVmr, StoreError> {
    let text = |column: &str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    let corrupt = |what: &str, error: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("personal VMR {what}: {error}"))
    };
    let list = |column: &str| -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&text(column)?).map_err(|e| corrupt(column, &e))
    };
    // Stored rows were valid when written; parsing them again keeps one definition of valid.
    let aliases = [
        list("domain_aliases")?,
        list("other_aliases")?,
        list("numeric_aliases")?,
    ]
    .concat();
    let fields = PersonalVmrFields {
        owner_email: text("owner_email")?,
        name: text("name")?,
        description: text("description")?,
        aliases,
        pin: row.try_get("pin")?,
        guest_pin: row.try_get("guest_pin")?,
        allow_guests: row.try_get::<i64, _>("allow_guests")? != 0,
    };
    let vmr = PersonalVmr::parse(&fields).map_err(|problems| {
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        corrupt("fields", &fields.join(", "))
    })?;
    Ok(StoredPersonalVmr {
        id: Uuid::parse_str(&text("id")?).map_err(|e| corrupt("id", &e))?,
        integration: IntegrationId::parse(&text("integration")?)
            .map_err(|e| corrupt("integration", &e))?,
        vmr,
        updated_at: row.try_get("updated_at")?,
    })
}
